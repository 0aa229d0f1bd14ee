"""Identity administration: IAM's answers to bad input, what survives a restart (and a wrong
master key), cross-account access through a stream's resource policy, and protected mode.

IAM texts confirmed from AWS answers quoted in public issue threads: DeleteConflict "Cannot
delete entity, must delete access keys first." and LimitExceeded "Cannot exceed quota for
AccessKeysPerUser: 2". The other IAM texts (NoSuchEntity, EntityAlreadyExists, the
MalformedPolicyDocument reasons, PolicySize) could not be confirmed and follow IAM's wording as
remembered."""

import json
import os
import subprocess
import unittest

from iam_fixture import ACCOUNT, VerifyTestCase, denied
from kinesd_harness import Kinesd, free_port, stream_arn

ACCOUNT_B = "111111111111"
READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["kinesis:Describe*", "kinesis:Get*"], "Resource": "*"}]}


class BadInput(VerifyTestCase):
    def test_malformed_policy_documents(self):
        self.iam.create_user(UserName="pat")
        cases = [
            ("{not json", "Syntax errors in policy."),
            (json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Resource": "*"}]}),
             "Policy statement must contain actions."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "kinesis:*"}]}),
             "Policy statement must contain resources."),
            (json.dumps({"Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}),
             "Invalid effect: Alow"),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "GetRecords",
                                        "Resource": "*"}]}),
             "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                        "Principal": "*"}]}),
             "Policy document should not specify a principal."),
        ]
        for document, message in cases:
            with self.subTest(message=message):
                self.assert_client_error(
                    lambda: self.iam.put_user_policy(UserName="pat", PolicyName="p",
                                                     PolicyDocument=document),
                    "MalformedPolicyDocument", message, 400)
        self.assertEqual(self.iam.list_user_policies(UserName="pat")["PolicyNames"], [])

    def test_entities(self):
        self.assert_client_error(lambda: self.iam.get_user(UserName="nobody"), "NoSuchEntity",
                                 "The user with name nobody cannot be found.", 404)
        self.iam.create_user(UserName="quinn")
        self.assert_client_error(lambda: self.iam.create_user(UserName="Quinn"),
                                 "EntityAlreadyExists", "User with name Quinn already exists.",
                                 409)
        self.assert_client_error(lambda: self.iam.create_user(UserName="bad name"),
                                 "ValidationError", status=400)
        for _ in range(2):
            self.iam.create_access_key(UserName="quinn")
        self.assert_client_error(lambda: self.iam.create_access_key(UserName="quinn"),
                                 "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2",
                                 409)
        self.assert_client_error(lambda: self.iam.delete_user(UserName="quinn"),
                                 "DeleteConflict",
                                 "Cannot delete entity, must delete access keys first.", 409)
        for key in self.iam.list_access_keys(UserName="quinn")["AccessKeyMetadata"]:
            self.iam.delete_access_key(UserName="quinn", AccessKeyId=key["AccessKeyId"])
        self.iam.put_user_policy(UserName="quinn", PolicyName="p", PolicyDocument=json.dumps(READ))
        self.assert_client_error(lambda: self.iam.delete_user(UserName="quinn"), "DeleteConflict",
                                 "Cannot delete entity, must delete policies first.", 409)
        self.iam.delete_user_policy(UserName="quinn", PolicyName="p")
        self.iam.delete_user(UserName="quinn")
        self.assert_client_error(lambda: self.iam.get_user(UserName="quinn"), "NoSuchEntity")

    def test_managed_policies(self):
        arn = self.iam.create_policy(PolicyName="read",
                                     PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
        self.assert_client_error(
            lambda: self.iam.create_policy(PolicyName="read", PolicyDocument=json.dumps(READ)),
            "EntityAlreadyExists",
            "A policy called read already exists. Duplicate names are not allowed.", 409)
        huge = {"Statement": [{"Effect": "Allow", "Action": "kinesis:Get*",
                               "Resource": stream_arn("s%04d" % i)} for i in range(120)]}
        self.assert_client_error(
            lambda: self.iam.create_policy(PolicyName="huge", PolicyDocument=json.dumps(huge)),
            "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
        self.iam.create_user(UserName="rita")
        self.iam.attach_user_policy(UserName="rita", PolicyArn=arn)
        self.assert_client_error(lambda: self.iam.delete_policy(PolicyArn=arn), "DeleteConflict",
                                 "Cannot delete a policy attached to entities.", 409)
        missing = "arn:aws:iam::%s:policy/missing" % ACCOUNT
        self.assert_client_error(
            lambda: self.iam.attach_user_policy(UserName="rita", PolicyArn=missing),
            "NoSuchEntity", "Policy %s does not exist or is not attachable." % missing, 404)
        self.assertEqual(self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")
                         ["PolicyVersion"]["Document"], READ)
        attached = self.iam.list_attached_user_policies(UserName="rita")["AttachedPolicies"]
        self.assertEqual(attached, [{"PolicyName": "read", "PolicyArn": arn}])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)


class Restart(VerifyTestCase):
    def test_identities_survive_restart(self):
        self.iam.create_user(UserName="sam", Tags=[{"Key": "team", "Value": "data"}])
        self.iam.put_user_policy(UserName="sam", PolicyName="read",
                                 PolicyDocument=json.dumps(READ))
        key = self.iam.create_access_key(UserName="sam")["AccessKey"]
        self.assertEqual(self.server.stop(), 0)
        secret = key["SecretAccessKey"].encode()
        for name in ("iam.sqlite", "iam.sqlite-wal"):
            path = os.path.join(self.server.data_dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(secret, f.read(), "%s holds the secret in clear" % name)
        self.server.restart()
        sam = self.as_((key["AccessKeyId"], key["SecretAccessKey"]))
        self.assert_client_error(sam.list_streams, "AccessDeniedException")
        self.assertEqual(self.as_((key["AccessKeyId"], key["SecretAccessKey"]), "sts")
                         .get_caller_identity()["Arn"], "arn:aws:iam::%s:user/sam" % ACCOUNT)
        self.assertEqual(self.iam.list_user_tags(UserName="sam")["Tags"],
                         [{"Key": "team", "Value": "data"}])

        self.assertEqual(self.server.stop(), 0)
        other_key = os.path.join(self.server.root, "other.key")
        with open(other_key, "wb") as f:
            f.write(os.urandom(32))
        done = subprocess.run(self.server.command() + ["--master-key-file", other_key],
                              capture_output=True, timeout=30,
                              env=dict(os.environ, **self.server.env))
        self.assertEqual(done.returncode, 1, done.stderr.decode(errors="replace")[-3000:])
        self.assertIn(b"the master key does not open iam.sqlite", done.stderr)
        self.server.restart()


class CrossAccount(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root_b = cls.create_account(ACCOUNT_B)

    def test_resource_policy_grants_another_account(self):
        self.create_stream("shared")
        self.kinesis.put_record(StreamName="shared", PartitionKey="k", Data=b"for-b")
        arn = stream_arn("shared")
        b = self.as_(self.root_b)
        root_b_arn = "arn:aws:iam::%s:root" % ACCOUNT_B
        self.assert_client_error(lambda: b.describe_stream_summary(StreamARN=arn),
                                 "AccessDeniedException",
                                 denied(root_b_arn, "kinesis:DescribeStreamSummary", arn,
                                        "resource"))
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": root_b_arn},
                "Action": ["kinesis:DescribeStreamSummary", "kinesis:GetShardIterator",
                           "kinesis:GetRecords", "kinesis:ListShards"],
                "Resource": arn}]}))
        summary = b.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamARN"], arn)
        shard = b.list_shards(StreamARN=arn)["Shards"][0]["ShardId"]
        it = b.get_shard_iterator(StreamARN=arn, ShardId=shard,
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = b.get_records(ShardIterator=it, StreamARN=arn)["Records"]
        self.assertEqual([r["Data"] for r in records], [b"for-b"])
        self.assert_client_error(lambda: b.describe_stream_summary(StreamName="shared"),
                                 "ResourceNotFoundException")  # by name: B's own account
        self.assert_client_error(lambda: b.put_record(StreamARN=arn, PartitionKey="k", Data=b"x"),
                                 "AccessDeniedException")

        iam_b = self.as_(self.root_b, "iam")
        iam_b.create_user(UserName="viewer")
        key = iam_b.create_access_key(UserName="viewer")["AccessKey"]
        viewer = self.as_((key["AccessKeyId"], key["SecretAccessKey"]))
        viewer_arn = "arn:aws:iam::%s:user/viewer" % ACCOUNT_B
        self.assert_client_error(lambda: viewer.describe_stream_summary(StreamARN=arn),
                                 "AccessDeniedException",
                                 denied(viewer_arn, "kinesis:DescribeStreamSummary", arn))
        iam_b.put_user_policy(UserName="viewer", PolicyName="read",
                              PolicyDocument=json.dumps(READ))
        viewer.describe_stream_summary(StreamARN=arn)
        self.assertEqual(self.iam.list_users()["Users"], [])  # A does not see B's users


class ProtectedMode(unittest.TestCase):
    def start(self, *args, env=None):
        server = Kinesd(listen="0.0.0.0:%d" % free_port(), extra_args=list(args), env=env)
        self.addCleanup(server.close)
        return server

    def test_non_loopback_defaults_to_verify(self):
        server = self.start().start()
        self.assertIn("auth verify", server.logs())
        self.assertTrue(os.path.exists(os.path.join(server.data_dir, "root-credentials")))
        self.assertEqual(os.stat(os.path.join(server.data_dir, "root-credentials")).st_mode
                         & 0o777, 0o600)

    def test_open_on_non_loopback_takes_the_flag(self):
        server = self.start(env={"KINESD_AUTH": "open"})
        done = subprocess.run(server.command(), capture_output=True, timeout=30, text=True,
                              env=dict(os.environ, KINESD_AUTH="open"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("pass --auth open", done.stderr)
        explicit = self.start("--auth", "open").start()
        self.assertIn("auth open", explicit.logs())


if __name__ == "__main__":
    unittest.main()
