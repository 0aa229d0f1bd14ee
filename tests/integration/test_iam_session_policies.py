"""Session policies of STS AssumeRole (Policy, PolicyArns) in verify mode, with the stock `aws`
CLI and boto3: a session may do only what both the role's policies and its session policies
allow (an explicit Deny in either denies), a resource policy naming the session itself grants
regardless, the decision cache keeps sessions of one name but other policies apart, a session
assuming another role passes nothing on, iam:PassRole (Lambda's CreateFunction) is bound too, a
token keeps its policies across a restart, and bad session policies are refused with nothing
issued.

AWS texts: the AccessDenied reasons "because no session policy allows the ACTION action" and
"with an explicit deny in a session policy" follow the pattern AWS documents ("Troubleshoot
access denied error messages"); PackedPolicyTooLarge's "Packed policy consumes N% of allotted
space, please use smaller policy for the session." is AWS's shape, N by kinesd's own measure (see
packed()). Not confirmed against AWS: the answers to an unknown policy ARN (MalformedPolicyDocument,
IAM's "Policy ... does not exist or is not attachable."), to more than 10 ARNs and to a Policy
over 2048 characters (ValidationError in the model's words), and to a value that is no ARN
(ValidationError "... is invalid", as STS answers a malformed RoleArn)."""

import json
import math
import sys
import unittest

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn
from lambda_fixtures import PYTHON_HANDLER, make_zip

ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT


def role_arn(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


def session_arn(role, session):
    return "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, session)


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*", effect="Allow", **extra):
    return dict(Effect=effect, Action=actions, Resource=resource, **extra)


def trust(principal):
    return document(dict(Effect="Allow", Principal=principal, Action="sts:AssumeRole"))


def packed(policy="", arns=()):
    """kinesd's PackedPolicySize: the policy's characters without whitespace and the ARNs'
    characters, in percent of 2048, rounded up."""
    chars = sum(not c.isspace() for c in policy) + sum(len(a) for a in arns)
    return math.ceil(chars * 100 / 2048)


def credentials_of(answer):
    creds = answer["Credentials"]
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]


class SessionPolicies(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name in ("one", "two"):
            cls.kinesis.create_stream(StreamName=name, ShardCount=1)
        for name in ("one", "two"):
            cls.kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                                         WaiterConfig={"Delay": 0.2})
        cls.iam.create_role(RoleName="job", AssumeRolePolicyDocument=trust({"AWS": ROOT_ARN}))
        cls.iam.put_role_policy(RoleName="job", PolicyName="streams", PolicyDocument=document(
            allow("kinesis:*", [stream_arn("one"), stream_arn("two")]),
            allow(["kinesis:ListStreams", "sts:AssumeRole"])))

    def assume(self, session="s1", **kwargs):
        sts = self.as_(ROOT, "sts", parameter_validation=False)
        return sts.assume_role(RoleArn=role_arn("job"), RoleSessionName=session, **kwargs)

    def put(self, kinesis, stream):
        return kinesis.put_record(StreamName=stream, PartitionKey="k", Data=b"x")

    def assert_denied(self, call, message):
        self.assert_client_error(call, "AccessDeniedException", message, 400)

    def test_session_policy_narrows_the_role_and_the_cache_keeps_sessions_apart(self):
        policy = document(allow("kinesis:PutRecord", stream_arn("one")))
        rc, out, err = self.server.aws("assume-role", "--role-arn", role_arn("job"),
                                       "--role-session-name", "s1", "--policy", policy,
                                       service="sts", credentials=ROOT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["PackedPolicySize"], packed(policy))
        scoped = self.as_(credentials_of(out))
        me = session_arn("job", "s1")
        self.put(scoped, "one")
        two_denied = denied(me, "kinesis:PutRecord", stream_arn("two"), "session")
        self.assert_denied(lambda: self.put(scoped, "two"), two_denied)
        list_denied = denied(me, "kinesis:ListStreams", "*", "session")
        self.assert_denied(scoped.list_streams, list_denied)

        # the same role and session name without a session policy: everything the role allows
        answer = self.assume("s1")
        self.assertNotIn("PackedPolicySize", answer)
        whole = self.as_(credentials_of(answer))
        self.put(whole, "two")
        self.assertEqual(sorted(whole.list_streams()["StreamNames"]), ["one", "two"])
        # ... and the scoped session's decisions are still its own
        self.assert_denied(lambda: self.put(scoped, "two"), two_denied)
        self.assert_denied(scoped.list_streams, list_denied)
        self.put(scoped, "one")
        # another session policy under the same name again decides by its own
        other = self.as_(credentials_of(self.assume("s1", Policy=document(
            allow("kinesis:PutRecord", stream_arn("two"))))))
        self.put(other, "two")
        self.assert_denied(lambda: self.put(other, "one"),
                           denied(me, "kinesis:PutRecord", stream_arn("one"), "session"))
        # a session policy grants nothing the role does not
        wide = self.as_(credentials_of(self.assume("wide", Policy=document(allow("kinesis:*")))))
        self.put(wide, "one")
        self.assert_denied(lambda: wide.delete_stream(StreamName="three"),
                           denied(session_arn("job", "wide"), "kinesis:DeleteStream",
                                  stream_arn("three")))

    def test_managed_session_policies_and_an_explicit_deny(self):
        put_two = self.iam.create_policy(PolicyName="put-two", PolicyDocument=document(
            allow("kinesis:PutRecord", stream_arn("two"))))["Policy"]["Arn"]
        answer = self.assume("managed", PolicyArns=[{"arn": put_two}])
        self.assertEqual(answer["PackedPolicySize"], packed(arns=[put_two]))
        kinesis = self.as_(credentials_of(answer))
        self.put(kinesis, "two")
        me = session_arn("job", "managed")
        self.assert_denied(lambda: self.put(kinesis, "one"),
                           denied(me, "kinesis:PutRecord", stream_arn("one"), "session"))
        # the managed policy as it is now, as for a role's attached policies
        # (a policy deleted since grants nothing)
        self.iam.delete_policy(PolicyArn=put_two)
        self.assert_denied(lambda: self.put(kinesis, "two"),
                           denied(me, "kinesis:PutRecord", stream_arn("two"), "session"))

        everything = self.iam.create_policy(PolicyName="everything", PolicyDocument=document(
            allow("kinesis:*")))["Policy"]["Arn"]
        no_one = document(allow("kinesis:PutRecord", stream_arn("one"), effect="Deny"))
        answer = self.assume("deny", Policy=no_one, PolicyArns=[{"arn": everything}])
        self.assertEqual(answer["PackedPolicySize"], packed(no_one, [everything]))
        kinesis = self.as_(credentials_of(answer))
        self.put(kinesis, "two")
        kinesis.describe_stream_summary(StreamName="one")
        self.assert_denied(lambda: self.put(kinesis, "one"),
                           denied(session_arn("job", "deny"), "kinesis:PutRecord",
                                  stream_arn("one"), "deny-session"))

    def test_a_resource_policy_naming_the_session_is_not_bound_by_it(self):
        self.kinesis.put_resource_policy(ResourceARN=stream_arn("two"), Policy=document(
            dict(allow("kinesis:PutRecord", stream_arn("two")),
                 Principal={"AWS": session_arn("job", "named")}),
            dict(allow("kinesis:DescribeStreamSummary", stream_arn("two")),
                 Principal={"AWS": role_arn("job")})))
        try:
            only_list = document(allow("kinesis:ListStreams"))
            named = self.as_(credentials_of(self.assume("named", Policy=only_list)))
            named.list_streams()
            self.put(named, "two")
            self.assert_denied(
                lambda: named.describe_stream_summary(StreamName="two"),
                denied(session_arn("job", "named"), "kinesis:DescribeStreamSummary",
                       stream_arn("two"), "session"))
            other = self.as_(credentials_of(self.assume("other", Policy=only_list)))
            self.assert_denied(lambda: self.put(other, "two"),
                               denied(session_arn("job", "other"), "kinesis:PutRecord",
                                      stream_arn("two"), "session"))
        finally:
            self.kinesis.delete_resource_policy(ResourceARN=stream_arn("two"))

    def test_a_chained_session_gets_no_session_policy(self):
        self.iam.create_role(RoleName="next", AssumeRolePolicyDocument=trust(
            {"AWS": role_arn("job")}))
        self.iam.put_role_policy(RoleName="next", PolicyName="list", PolicyDocument=document(
            allow(["kinesis:ListStreams", "kinesis:PutRecord"])))
        only_put = document(allow("kinesis:PutRecord", stream_arn("one")))
        scoped = credentials_of(self.assume("chain", Policy=only_put))
        sts = self.as_(scoped, "sts")
        # the session policy bounds sts:AssumeRole too (the trust policy names the role) ...
        self.assert_client_error(
            lambda: sts.assume_role(RoleArn=role_arn("next"), RoleSessionName="n1"),
            "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
            % (session_arn("job", "chain"), role_arn("next")), 403)
        may_chain = document(allow("kinesis:PutRecord", stream_arn("one")),
                             allow("sts:AssumeRole", role_arn("next")))
        sts = self.as_(credentials_of(self.assume("chain", Policy=may_chain)), "sts")
        answer = sts.assume_role(RoleArn=role_arn("next"), RoleSessionName="n1")
        self.assertNotIn("PackedPolicySize", answer)
        # ... and the next role's session has the next role's permissions, none of it
        chained = self.as_(credentials_of(answer))
        self.assertEqual(sorted(chained.list_streams()["StreamNames"]), ["one", "two"])
        self.put(chained, "two")
        # a trust policy naming the session itself is not bound by the session policy
        self.iam.create_role(RoleName="direct", AssumeRolePolicyDocument=trust(
            {"AWS": session_arn("job", "chain")}))
        self.as_(scoped, "sts").assume_role(RoleArn=role_arn("direct"), RoleSessionName="d1")

    def test_bad_session_policies_issue_nothing(self):
        unknown = "arn:aws:iam::%s:policy/none" % ACCOUNT
        aws_managed = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        mine = self.iam.create_policy(PolicyName="mine", PolicyDocument=document(
            allow("kinesis:ListStreams")))["Policy"]["Arn"]
        too_long = document(allow("kinesis:PutRecord", "arn:aws:kinesis:*:*:stream/" + "x" * 2048))
        stream = "arn:aws:kinesis:*:*:stream/"
        big = document(allow("kinesis:PutRecord", stream))
        big = document(allow("kinesis:PutRecord", stream + "x" * (2040 - len(big))))
        cases = [
            (dict(Policy="{nope"), "MalformedPolicyDocument", "Syntax errors in policy."),
            (dict(Policy=json.dumps({"Statement": [{"Effect": "Allow", "Resource": "*"}]})),
             "MalformedPolicyDocument", "Policy statement must contain actions."),
            (dict(PolicyArns=[{"arn": unknown}]), "MalformedPolicyDocument",
             "Policy %s does not exist or is not attachable." % unknown),
            (dict(PolicyArns=[{"arn": mine}, {"arn": aws_managed}]), "MalformedPolicyDocument",
             "Policy %s does not exist or is not attachable." % aws_managed),
            (dict(PolicyArns=[{"arn": "nothing-valid-in-here"}]), "ValidationError",
             "nothing-valid-in-here is invalid"),
            (dict(PolicyArns=[{"arn": mine}] * 11), "ValidationError",
             "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
             "Member must have length less than or equal to 10"),
            (dict(Policy=too_long), "ValidationError",
             "1 validation error detected: Value '%s' at 'policy' failed to satisfy constraint: "
             "Member must have length less than or equal to 2048" % too_long),
            (dict(Policy=big, PolicyArns=[{"arn": mine}]), "PackedPolicyTooLarge",
             "Packed policy consumes %d%% of allotted space, please use smaller policy for the "
             "session." % packed(big, [mine])),
        ]
        self.assertGreater(packed(big, [mine]), 100)
        for kwargs, code, message in cases:
            with self.subTest(code=code, message=message[:60]):
                err = self.assert_client_error(lambda: self.assume("bad", **kwargs), code,
                                               message, 400)
                self.assertNotIn("Credentials", err)
        rc, out, err = self.server.aws("assume-role", "--role-arn", role_arn("job"),
                                       "--role-session-name", "bad", "--policy-arns",
                                       "arn=" + unknown, service="sts", credentials=ROOT)
        self.assertNotEqual(rc, 0)
        self.assertIsNone(out)
        self.assertIn("MalformedPolicyDocument", err)

    def test_zz_a_token_keeps_its_session_policy_across_a_restart(self):
        policy = document(allow("kinesis:PutRecord", stream_arn("one")))
        scoped = credentials_of(self.assume("kept", Policy=policy))
        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        kinesis = self.as_(scoped)
        self.put(kinesis, "one")
        self.assert_denied(lambda: self.put(kinesis, "two"),
                           denied(session_arn("job", "kept"), "kinesis:PutRecord",
                                  stream_arn("two"), "session"))


class SessionPassingARole(VerifyTestCase):
    """iam:PassRole, decided on Lambda's control thread, is bound by the session policies too."""

    SERVER_ARGS = dict(VerifyTestCase.SERVER_ARGS,
                       extra_args=VerifyTestCase.SERVER_ARGS["extra_args"]
                       + ["--lambda-python", sys.executable])

    def test_create_function_takes_pass_role_from_the_session_policy(self):
        self.iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust(
            {"Service": "lambda.amazonaws.com"}))
        self.iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust(
            {"AWS": ROOT_ARN}))
        self.iam.put_role_policy(RoleName="deployer", PolicyName="deploy", PolicyDocument=document(
            allow("lambda:*"), allow("iam:PassRole", role_arn("fn"))))
        sts = self.as_(ROOT, "sts")
        code = {"ZipFile": make_zip({"lambda_function.py": PYTHON_HANDLER})}

        def create(policy, name):
            answer = sts.assume_role(RoleArn=role_arn("deployer"), RoleSessionName="ci",
                                     Policy=policy)
            return self.as_(credentials_of(answer), "lambda").create_function(
                FunctionName=name, Runtime="python3.12", Role=role_arn("fn"), Code=code,
                Handler="lambda_function.lambda_handler")

        self.assert_client_error(
            lambda: create(document(allow("lambda:*")), "refused"), "AccessDeniedException",
            denied(session_arn("deployer", "ci"), "iam:PassRole", role_arn("fn"), "session"), 403)
        self.assert_client_error(lambda: self.as_(ROOT, "lambda").get_function(
            FunctionName="refused"), "ResourceNotFoundException")
        create(document(allow(["lambda:*", "iam:PassRole"])), "passed")


if __name__ == "__main__":
    unittest.main()
