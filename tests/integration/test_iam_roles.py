"""IAM roles and STS AssumeRole in verify mode, with the stock `aws` CLI and boto3: role
administration (policies, tags) and its bad input, who may assume a role (its trust policy, the caller's own
policies, ExternalId, durations), what an assumed-role session may do (the role's policies), and
roles and sessions across a restart (an expired session is refused).

AWS texts confirmed from AWS answers quoted in public issue threads: "The requested
DurationSeconds exceeds the MaxSessionDuration set for this role." (ValidationError). The others
(NoSuchEntity "The role with name ... cannot be found.", EntityAlreadyExists "Role with name ...
already exists.", "The role policy with name ... cannot be found.", AccessDenied "User: ... is
not authorized to perform: sts:AssumeRole on resource: ...", "Has prohibited field Resource",
the role chaining limit) follow IAM's and STS's wording as remembered."""

import datetime
import json
import unittest

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn

ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT


def role_arn(name, path="/"):
    return "arn:aws:iam::%s:role%s%s" % (ACCOUNT, path, name)


def trust(principal, **extra):
    statement = dict(Effect="Allow", Principal=principal, Action="sts:AssumeRole", **extra)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def allow(actions, resource="*", effect="Allow"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": actions, "Resource": resource}]})


def session_of(answer):
    creds = answer["Credentials"]
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]


class RoleAdministration(VerifyTestCase):
    def test_role_lifecycle_with_the_cli(self):
        document = trust({"AWS": ROOT_ARN})
        rc, out, err = self.server.aws("create-role", "--role-name", "etl", "--path", "/jobs/",
                                       "--description", "nightly", "--max-session-duration",
                                       "7200", "--assume-role-policy-document", document,
                                       service="iam", credentials=ROOT)
        self.assertEqual(rc, 0, err)
        role = out["Role"]
        self.assertEqual(role["Arn"], role_arn("etl", "/jobs/"))
        self.assertTrue(role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21, role)
        rc, out, err = self.server.aws("get-role", "--role-name", "etl", service="iam",
                                       credentials=ROOT)
        self.assertEqual(rc, 0, err)
        self.assertEqual((out["Role"]["Description"], out["Role"]["MaxSessionDuration"]),
                         ("nightly", 7200))
        self.assertEqual(out["Role"]["AssumeRolePolicyDocument"], json.loads(document))
        self.iam.create_role(RoleName="other", AssumeRolePolicyDocument=document,
                             Tags=[{"Key": "team", "Value": "data"}])
        self.assertEqual(self.iam.get_role(RoleName="other")["Role"]["Tags"],
                         [{"Key": "team", "Value": "data"}])
        self.iam.tag_role(RoleName="other", Tags=[{"Key": "team", "Value": "ops"},
                                                  {"Key": "tier", "Value": "1"}])
        self.iam.untag_role(RoleName="other", TagKeys=["tier"])
        self.assertEqual(self.iam.list_role_tags(RoleName="other")["Tags"],
                         [{"Key": "team", "Value": "ops"}])
        names = [r["RoleName"] for r in self.iam.list_roles()["Roles"]]
        self.assertEqual([n for n in names if n in ("etl", "other")], ["etl", "other"])
        self.assertEqual([r["RoleName"] for r in self.iam.list_roles(PathPrefix="/jobs/")["Roles"]],
                         ["etl"])
        lambda_trust = trust({"Service": "lambda.amazonaws.com"})
        self.iam.update_assume_role_policy(RoleName="etl", PolicyDocument=lambda_trust)
        self.iam.update_role(RoleName="etl", Description="hourly", MaxSessionDuration=3600)
        role = self.iam.get_role(RoleName="etl")["Role"]
        self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(lambda_trust))
        self.assertEqual((role["Description"], role["MaxSessionDuration"]), ("hourly", 3600))

        self.iam.put_role_policy(RoleName="etl", PolicyName="read",
                                 PolicyDocument=allow("kinesis:Get*"))
        got = self.iam.get_role_policy(RoleName="etl", PolicyName="read")
        self.assertEqual((got["RoleName"], got["PolicyDocument"]),
                         ("etl", json.loads(allow("kinesis:Get*"))))
        self.assertEqual(self.iam.list_role_policies(RoleName="etl")["PolicyNames"], ["read"])
        arn = self.iam.create_policy(PolicyName="describe",
                                     PolicyDocument=allow("kinesis:Describe*"))["Policy"]["Arn"]
        self.iam.attach_role_policy(RoleName="etl", PolicyArn=arn)
        self.assertEqual(self.iam.list_attached_role_policies(RoleName="etl")["AttachedPolicies"],
                         [{"PolicyName": "describe", "PolicyArn": arn}])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)

        self.assert_client_error(lambda: self.iam.delete_role(RoleName="etl"), "DeleteConflict",
                                 "Cannot delete entity, must delete policies first.", 409)
        self.iam.delete_role_policy(RoleName="etl", PolicyName="read")
        self.assert_client_error(lambda: self.iam.delete_role(RoleName="etl"), "DeleteConflict",
                                 "Cannot delete entity, must detach all policies first.", 409)
        self.assert_client_error(lambda: self.iam.delete_policy(PolicyArn=arn), "DeleteConflict")
        self.iam.detach_role_policy(RoleName="etl", PolicyArn=arn)
        self.iam.delete_role(RoleName="etl")
        self.assert_client_error(lambda: self.iam.get_role(RoleName="etl"), "NoSuchEntity",
                                 "The role with name etl cannot be found.", 404)

    def test_bad_input_stores_nothing(self):
        iam = self.as_(ROOT, "iam", parameter_validation=False)
        good = trust({"AWS": ROOT_ARN})
        self.iam.create_role(RoleName="taken", AssumeRolePolicyDocument=good)
        self.assert_client_error(
            lambda: self.iam.create_role(RoleName="TAKEN", AssumeRolePolicyDocument=good),
            "EntityAlreadyExists", "Role with name TAKEN already exists.", 409)
        malformed = [
            ("{nope", "Syntax errors in policy."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
             "Policy document should specify a principal."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Principal": {"AWS": ROOT_ARN}, "Resource": "*"}]}),
             "Has prohibited field Resource"),
        ]
        for document, message in malformed:
            with self.subTest(message=message):
                self.assert_client_error(
                    lambda: self.iam.create_role(RoleName="bad",
                                                 AssumeRolePolicyDocument=document),
                    "MalformedPolicyDocument", message, 400)
                self.assert_client_error(
                    lambda: self.iam.update_assume_role_policy(RoleName="taken",
                                                               PolicyDocument=document),
                    "MalformedPolicyDocument", message, 400)
        self.assert_client_error(
            lambda: iam.create_role(RoleName="bad name", AssumeRolePolicyDocument=good),
            "ValidationError", status=400)
        self.assert_client_error(
            lambda: iam.create_role(RoleName="short", AssumeRolePolicyDocument=good,
                                         MaxSessionDuration=60),
            "ValidationError", status=400)
        self.assert_client_error(
            lambda: self.iam.create_role(RoleName="huge", AssumeRolePolicyDocument=good.replace(
                "sts:AssumeRole", "sts:AssumeRole" + "x" * 2048)),
            "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
        names = [r["RoleName"] for r in self.iam.list_roles()["Roles"]]
        self.assertEqual([n for n in names if n in ("taken", "bad", "short", "huge")], ["taken"])
        first = [{"Key": "k%d" % i, "Value": "v"} for i in range(30)]
        self.iam.tag_role(RoleName="taken", Tags=first)
        self.assert_client_error(
            lambda: self.iam.tag_role(RoleName="taken", Tags=[
                {"Key": "k%d" % i, "Value": "v"} for i in range(30, 51)]),
            "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409)
        self.assertEqual(self.iam.list_role_tags(RoleName="taken")["Tags"], first)
        self.assertEqual(self.iam.get_role(RoleName="taken")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(good))

        missing = "The role with name ghost cannot be found."
        for call in (lambda: self.iam.get_role(RoleName="ghost"),
                     lambda: self.iam.delete_role(RoleName="ghost"),
                     lambda: self.iam.put_role_policy(RoleName="ghost", PolicyName="p",
                                                      PolicyDocument=allow("kinesis:*")),
                     lambda: self.iam.list_role_policies(RoleName="ghost"),
                     lambda: self.iam.update_assume_role_policy(RoleName="ghost",
                                                                PolicyDocument=good)):
            self.assert_client_error(call, "NoSuchEntity", missing, 404)
        self.assert_client_error(
            lambda: self.iam.get_role_policy(RoleName="taken", PolicyName="nope"),
            "NoSuchEntity", "The role policy with name nope cannot be found.", 404)
        self.assert_client_error(
            lambda: self.iam.put_role_policy(RoleName="taken", PolicyName="p",
                                             PolicyDocument=allow("GetRecords")),
            "MalformedPolicyDocument", status=400)
        fake = "arn:aws:iam::%s:policy/none" % ACCOUNT
        self.assert_client_error(
            lambda: self.iam.attach_role_policy(RoleName="taken", PolicyArn=fake),
            "NoSuchEntity", "Policy %s does not exist or is not attachable." % fake, 404)
        self.assert_client_error(
            lambda: self.iam.detach_role_policy(RoleName="taken", PolicyArn=fake),
            "NoSuchEntity", "Policy %s was not found." % fake, 404)
        self.assertEqual(self.iam.list_role_policies(RoleName="taken")["PolicyNames"], [])
        self.assertEqual(
            self.iam.list_attached_role_policies(RoleName="taken")["AttachedPolicies"], [])


class AssumeRole(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kinesis.create_stream(StreamName="shared", ShardCount=1)
        cls.kinesis.get_waiter("stream_exists").wait(StreamName="shared",
                                                     WaiterConfig={"Delay": 0.2})
        cls.iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust({"AWS": ROOT_ARN}))
        cls.iam.put_role_policy(RoleName="reader", PolicyName="read", PolicyDocument=allow(
            ["kinesis:ListStreams", "kinesis:DescribeStreamSummary"]))
        cls.sts = cls.as_(ROOT, "sts")

    def assume(self, credentials, role, **kwargs):
        sts = self.as_(credentials, "sts", parameter_validation=False)
        return sts.assume_role(RoleArn=role_arn(role), RoleSessionName="s1", **kwargs)

    def test_trust_and_the_callers_policies(self):
        allowed = self.user_with_policy("may-assume", allow("sts:AssumeRole", role_arn("reader")))
        plain = self.user_with_policy("plain", allow("kinesis:ListStreams"))
        user = "arn:aws:iam::%s:user/" % ACCOUNT
        self.assertEqual(self.assume(allowed, "reader")["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/reader/s1" % ACCOUNT)
        self.assert_client_error(
            lambda: self.assume(plain, "reader"), "AccessDenied",
            "User: %splain is not authorized to perform: sts:AssumeRole on resource: %s"
            % (user, role_arn("reader")), 403)
        # a trust policy naming the user itself needs nothing more in the same account
        self.iam.create_role(RoleName="named", AssumeRolePolicyDocument=trust(
            {"AWS": user + "plain"}))
        self.assume(plain, "named")
        self.assert_client_error(lambda: self.assume(allowed, "named"), "AccessDenied")
        # ... unless the caller's own policies deny it
        self.iam.put_user_policy(UserName="plain", PolicyName="no", PolicyDocument=allow(
            "sts:AssumeRole", effect="Deny"))
        self.assert_client_error(lambda: self.assume(plain, "named"), "AccessDenied")
        # the root is refused by a trust policy that names only a service
        self.iam.create_role(RoleName="lambda-only", AssumeRolePolicyDocument=trust(
            {"Service": "lambda.amazonaws.com"}))
        self.assert_client_error(lambda: self.assume(ROOT, "lambda-only"), "AccessDenied",
                                 status=403)
        self.assert_client_error(lambda: self.assume(ROOT, "nowhere"), "AccessDenied", status=403)

    def test_external_id_and_durations(self):
        self.iam.create_role(RoleName="partner", AssumeRolePolicyDocument=trust(
            {"AWS": ACCOUNT}, Condition={"StringEquals": {"sts:ExternalId": "xyz"}}))
        self.assert_client_error(lambda: self.assume(ROOT, "partner"), "AccessDenied")
        self.assert_client_error(lambda: self.assume(ROOT, "partner", ExternalId="abc"),
                                 "AccessDenied")
        self.assume(ROOT, "partner", ExternalId="xyz")
        self.assert_client_error(
            lambda: self.assume(ROOT, "reader", DurationSeconds=7200), "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            400)
        self.assert_client_error(lambda: self.assume(ROOT, "reader", DurationSeconds=60),
                                 "ValidationError", status=400)
        answer = self.assume(ROOT, "reader", DurationSeconds=900)
        left = answer["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(minutes=10) < left <= datetime.timedelta(minutes=16),
                        left)
        self.assertTrue(answer["Credentials"]["AccessKeyId"].startswith("ASIA"))
        self.assertTrue(answer["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA"))
        self.assertTrue(answer["AssumedRoleUser"]["AssumedRoleId"].endswith(":s1"))

    def test_session_does_what_the_role_allows(self):
        session = session_of(self.assume(ROOT, "reader"))
        me = "arn:aws:sts::%s:assumed-role/reader/s1" % ACCOUNT
        self.assertEqual(self.as_(session, "sts").get_caller_identity()["Arn"], me)
        kinesis = self.as_(session)
        self.assertEqual(kinesis.list_streams()["StreamNames"], ["shared"])
        kinesis.describe_stream_summary(StreamName="shared")
        self.assert_client_error(
            lambda: kinesis.put_record(StreamName="shared", PartitionKey="k", Data=b"x"),
            "AccessDeniedException",
            denied(me, "kinesis:PutRecord", stream_arn("shared")), 400)
        self.assert_client_error(lambda: self.as_(session, "iam").list_roles(), "AccessDenied")
        self.iam.put_role_policy(RoleName="reader", PolicyName="me",
                                 PolicyDocument=allow("iam:GetUser"))
        self.assert_client_error(lambda: self.as_(session, "iam").get_user(), "ValidationError",
                                 "Must specify userName when calling with non-User credentials",
                                 400)
        self.iam.delete_role_policy(RoleName="reader", PolicyName="me")
        # the role's policies as they are now, not as they were when the session began
        self.iam.put_role_policy(RoleName="reader", PolicyName="write",
                                 PolicyDocument=allow("kinesis:PutRecord", stream_arn("shared")))
        kinesis.put_record(StreamName="shared", PartitionKey="k", Data=b"x")
        self.iam.delete_role_policy(RoleName="reader", PolicyName="write")
        self.assert_client_error(
            lambda: kinesis.put_record(StreamName="shared", PartitionKey="k", Data=b"x"),
            "AccessDeniedException")
        # role chaining (a trust policy naming the role matches its sessions): at most an hour
        self.iam.create_role(RoleName="next", AssumeRolePolicyDocument=trust(
            {"AWS": role_arn("reader")},
            Condition={"StringEquals": {"aws:PrincipalArn": role_arn("reader")}}))
        self.iam.put_role_policy(RoleName="reader", PolicyName="chain",
                                 PolicyDocument=allow("sts:AssumeRole"))
        self.assert_client_error(lambda: self.assume(session, "next", DurationSeconds=3601),
                                 "ValidationError", status=400)
        self.assertEqual(self.assume(session, "next")["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/next/s1" % ACCOUNT)
        self.iam.delete_role_policy(RoleName="reader", PolicyName="chain")

    def test_sessions_of_a_deleted_role_are_refused(self):
        self.iam.create_role(RoleName="brief", AssumeRolePolicyDocument=trust({"AWS": ROOT_ARN}))
        self.iam.put_role_policy(RoleName="brief", PolicyName="list",
                                 PolicyDocument=allow("kinesis:ListStreams"))
        session = session_of(self.assume(ROOT, "brief"))
        self.as_(session).list_streams()
        self.iam.delete_role_policy(RoleName="brief", PolicyName="list")
        self.iam.delete_role(RoleName="brief")
        self.iam.create_role(RoleName="brief", AssumeRolePolicyDocument=trust({"AWS": ROOT_ARN}))
        self.assert_client_error(self.as_(session).list_streams, "UnrecognizedClientException",
                                 "The security token included in the request is invalid.", 400)


class CrossAccountRole(VerifyTestCase):
    def test_another_account_assumes_a_role_it_is_trusted_with(self):
        root_b = self.create_account("111111111111")
        self.create_stream("home")
        self.iam.create_role(RoleName="partner", AssumeRolePolicyDocument=trust(
            {"AWS": "111111111111"}))
        self.iam.put_role_policy(RoleName="partner", PolicyName="list",
                                 PolicyDocument=allow("kinesis:ListStreams"))
        answer = self.as_(root_b, "sts").assume_role(RoleArn=role_arn("partner"),
                                                     RoleSessionName="visit")
        self.assertEqual(answer["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/partner/visit" % ACCOUNT)
        self.assertEqual(self.as_(session_of(answer)).list_streams()["StreamNames"], ["home"])
        # a user of that account needs its own policies to allow it too
        iam_b = self.as_(root_b, "iam")
        iam_b.create_user(UserName="guest")
        key = iam_b.create_access_key(UserName="guest")["AccessKey"]
        guest = (key["AccessKeyId"], key["SecretAccessKey"])
        self.assert_client_error(
            lambda: self.as_(guest, "sts").assume_role(RoleArn=role_arn("partner"),
                                                       RoleSessionName="visit"),
            "AccessDenied", status=403)
        iam_b.put_user_policy(UserName="guest", PolicyName="go",
                              PolicyDocument=allow("sts:AssumeRole", role_arn("partner")))
        self.as_(guest, "sts").assume_role(RoleArn=role_arn("partner"), RoleSessionName="visit")
        # a role that does not exist is refused as one that does not trust the caller
        self.assert_client_error(
            lambda: self.as_(root_b, "sts").assume_role(
                RoleArn=role_arn("reader-of-nothing"), RoleSessionName="visit"),
            "AccessDenied", status=403)


class RolesSurviveRestart(VerifyTestCase):
    def test_roles_and_sessions_across_a_restart(self):
        self.create_stream("kept")
        self.iam.create_role(RoleName="keeper", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}),
                             Description="kept", MaxSessionDuration=7200,
                             Tags=[{"Key": "team", "Value": "data"}])
        self.iam.put_role_policy(RoleName="keeper", PolicyName="put", PolicyDocument=allow(
            "kinesis:PutRecord", stream_arn("kept")))
        arn = self.iam.create_policy(PolicyName="list", PolicyDocument=allow(
            "kinesis:ListStreams"))["Policy"]["Arn"]
        self.iam.attach_role_policy(RoleName="keeper", PolicyArn=arn)
        sts = self.as_(ROOT, "sts")
        old = session_of(sts.assume_role(RoleArn=role_arn("keeper"), RoleSessionName="before",
                                         DurationSeconds=900))
        with self.restart_later(datetime.timedelta(hours=1)):
            role = self.as_(ROOT, "iam").get_role(RoleName="keeper")["Role"]
            self.assertEqual((role["Description"], role["MaxSessionDuration"], role["Tags"]),
                             ("kept", 7200, [{"Key": "team", "Value": "data"}]))
            self.assertEqual(self.as_(ROOT, "iam").list_attached_role_policies(
                RoleName="keeper")["AttachedPolicies"], [{"PolicyName": "list", "PolicyArn": arn}])
            self.assert_client_error(self.as_(old).list_streams, "ExpiredTokenException",
                                     "The security token included in the request is expired",
                                     400)
            new = session_of(self.as_(ROOT, "sts").assume_role(
                RoleArn=role_arn("keeper"), RoleSessionName="after", DurationSeconds=7200))
            kinesis = self.as_(new)
            self.assertEqual(kinesis.list_streams()["StreamNames"], ["kept"])
            kinesis.put_record(StreamName="kept", PartitionKey="k", Data=b"x")
            self.assert_client_error(lambda: kinesis.delete_stream(StreamName="kept"),
                                     "AccessDeniedException")


if __name__ == "__main__":
    unittest.main()
