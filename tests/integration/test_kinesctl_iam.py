"""kinesctl's identity commands against kinesd in verify mode: `iam user`, `iam key`, `iam policy`,
`iam role`, `whoami`, and `stream encrypt`.

The blueprint flow made with kinesctl alone: a user, an inline policy from a file, a key printed
as a credentials-file profile that the next kinesctl (and the aws CLI) use as is; a managed
policy created from a file and attached; keys listed, disabled (the key is refused), enabled,
deleted. IAM's refusals come back as one line with the exit code of their kind: an unknown user
(5), a user that still has keys (9), a malformed policy (8), denied (6); usage errors exit 2.
"""

import json
import os
import tempfile

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase
from kinesd_harness import stream_arn
from test_kinesctl import (EXIT_AUTH, EXIT_BAD_INPUT, EXIT_IN_USE, EXIT_NOT_FOUND, EXIT_OK,
                           EXIT_USAGE, clean_env, kinesctl, write_file)

READ_ORDERS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["kinesis:DescribeStreamSummary", "kinesis:ListShards"],
     "Resource": stream_arn("orders")},
    {"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}]}


class KinesctlIam(VerifyTestCase):
    def setUp(self):
        self.files = tempfile.mkdtemp(prefix="kinesctl-iam-")

    def ctl(self, *args, credentials=ROOT, env=None):
        """Runs kinesctl signed with CREDENTIALS (or with ENV as is)."""
        if env is None:
            env = clean_env(AWS_ACCESS_KEY_ID=credentials[0],
                            AWS_SECRET_ACCESS_KEY=credentials[1])
        return kinesctl(self.server.endpoint, *args, env=env)

    def ok(self, *args, **kwargs):
        rc, out, err = self.ctl(*args, **kwargs)
        self.assertEqual(rc, EXIT_OK, err)
        return out

    def refused(self, code, text, *args, **kwargs):
        rc, out, err = self.ctl(*args, **kwargs)
        self.assertEqual((rc, out), (code, ""), err)
        self.assertIn(text, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

    def write(self, name, document):
        return write_file(self.files, name, document)

    def test_blueprint_flow_with_kinesctl(self):
        self.create_stream("orders")
        self.assertIn("created user reader (arn:aws:iam::%s:user/reader)" % ACCOUNT,
                      self.ok("iam", "user", "create", "reader"))
        self.ok("iam", "policy", "put", "reader", "--file", self.write("read-orders.json",
                                                                      READ_ORDERS))
        self.assertEqual(self.iam.list_user_policies(UserName="reader")["PolicyNames"],
                         ["read-orders"])
        profile = self.ok("iam", "key", "create", "reader", "--output", "profile")
        lines = profile.splitlines()
        self.assertEqual(lines[0], "[reader]")
        credentials = self.write("credentials", profile)
        env = clean_env(AWS_SHARED_CREDENTIALS_FILE=credentials, AWS_PROFILE="reader")
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(var)
        whoami = json.loads(self.ok("whoami", "--output", "json", env=env))
        self.assertEqual(whoami["Arn"], "arn:aws:iam::%s:user/reader" % ACCOUNT)
        self.assertEqual(whoami["Account"], ACCOUNT)
        self.assertIn("orders", self.ok("stream", "list", env=env))
        self.refused(EXIT_AUTH, "AccessDeniedException: User: arn:aws:iam::%s:user/reader is not "
                     "authorized to perform: kinesis:CreateStream" % ACCOUNT,
                     "stream", "create", "other", env=env)
        text = self.ok("whoami")
        self.assertIn("arn      arn:aws:iam::%s:root" % ACCOUNT, text)

    def test_keys(self):
        self.ok("iam", "user", "create", "kay")
        created = json.loads(self.ok("iam", "key", "create", "kay", "--output", "json"))
        key = (created["AccessKeyId"], created["SecretAccessKey"])
        self.assertEqual(created["Status"], "Active")
        self.assertTrue(created["AccessKeyId"].startswith("AKIA"))
        text = self.ok("iam", "key", "create", "kay")
        self.assertIn("aws_secret_access_key", text)
        listed = self.ok("iam", "key", "list", "kay").splitlines()
        self.assertEqual(len(listed), 2)
        self.assertIn("%s\tActive\t" % key[0], "\n".join(listed))
        self.ok("whoami", credentials=key)
        self.ok("iam", "key", "disable", "kay", key[0])
        self.refused(EXIT_AUTH, "InvalidClientTokenId", "whoami", credentials=key)
        self.assertIn("%s\tInactive" % key[0], self.ok("iam", "key", "list", "kay"))
        self.ok("iam", "key", "enable", "kay", key[0])
        self.ok("whoami", credentials=key)
        self.refused(EXIT_IN_USE, "DeleteConflict", "iam", "user", "delete", "kay")
        for line in self.ok("iam", "key", "list", "kay").splitlines():
            self.ok("iam", "key", "delete", "kay", line.split("\t")[0])
        self.assertEqual(self.ok("iam", "key", "list", "kay"), "")
        self.ok("iam", "user", "delete", "kay")
        self.assertNotIn("kay", self.ok("iam", "user", "list").split())

    def test_managed_policy_from_a_file(self):
        self.ok("iam", "user", "create", "manny")
        out = json.loads(self.ok("iam", "policy", "attach", "manny", "--file",
                                 self.write("orders.json", READ_ORDERS), "--name", "read",
                                 "--output", "json"))
        arn = "arn:aws:iam::%s:policy/read" % ACCOUNT
        self.assertEqual(out, {"UserName": "manny", "PolicyArn": arn})
        self.ok("iam", "user", "create", "moe")
        self.ok("iam", "policy", "attach", "moe", arn)
        for user in ("manny", "moe"):
            attached = self.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
            self.assertEqual(attached, [{"PolicyName": "read", "PolicyArn": arn}])
        users = json.loads(self.ok("iam", "user", "list", "--output", "json"))["Users"]
        self.assertTrue({"manny", "moe"} <= {u["UserName"] for u in users})

    def test_refusals(self):
        self.refused(EXIT_NOT_FOUND, "NoSuchEntity: The user with name ghost cannot be found",
                     "iam", "key", "create", "ghost")
        self.ok("iam", "user", "create", "pat")
        self.refused(EXIT_IN_USE, "EntityAlreadyExists", "iam", "user", "create", "pat")
        self.refused(EXIT_BAD_INPUT, "MalformedPolicyDocument: Syntax errors in policy",
                     "iam", "policy", "put", "pat", "--file", self.write("bad.json", "{not json"))
        self.assertEqual(self.iam.list_user_policies(UserName="pat")["PolicyNames"], [])
        self.refused(EXIT_BAD_INPUT, "cannot read the policy file", "iam", "policy", "put", "pat",
                     "--file", os.path.join(self.files, "missing.json"))
        self.refused(EXIT_USAGE, "needs --file", "iam", "policy", "put", "pat")
        self.refused(EXIT_USAGE, "iam key disable takes a USER and a KEY_ID", "iam", "key",
                     "disable", "pat")
        self.refused(EXIT_USAGE, "iam needs", "iam", "group", "create", "g")
        self.refused(EXIT_USAGE, "--output must be json, text or profile", "whoami", "--output",
                     "yaml")
        self.refused(EXIT_AUTH, "InvalidClientTokenId", "whoami",
                     credentials=("AKIAUNKNOWNKEY000000", "x" * 40))

    def test_roles(self):
        self.assertIn("created role kinesd-function (arn:aws:iam::%s:role/kinesd-function)"
                      % ACCOUNT, self.ok("iam", "role", "create", "kinesd-function"))
        trust = self.iam.get_role(RoleName="kinesd-function")["Role"]["AssumeRolePolicyDocument"]
        self.assertEqual(trust["Statement"][0]["Principal"], {"Service": "lambda.amazonaws.com"})
        self.ok("iam", "role", "create", "operator", "--trust", "account")
        trust = self.iam.get_role(RoleName="operator")["Role"]["AssumeRolePolicyDocument"]
        self.assertEqual(trust["Statement"][0]["Principal"],
                         {"AWS": "arn:aws:iam::%s:root" % ACCOUNT})
        self.ok("iam", "role", "policy", "put", "operator", "--file",
                self.write("read-orders.json", READ_ORDERS))
        self.assertEqual(self.iam.list_role_policies(RoleName="operator")["PolicyNames"],
                         ["read-orders"])
        out = self.ok("iam", "role", "policy", "attach", "operator", "--file",
                      self.write("lister.json", READ_ORDERS))
        self.assertIn("attached policy arn:aws:iam::%s:policy/lister to role operator" % ACCOUNT,
                      out)
        roles = json.loads(self.ok("iam", "role", "list", "--output", "json"))["Roles"]
        self.assertTrue({"kinesd-function", "operator"} <= {r["RoleName"] for r in roles})
        self.refused(EXIT_USAGE, "--trust takes lambda or account", "iam", "role", "create",
                     "x", "--trust", "everyone")
        self.refused(EXIT_USAGE, "iam role policy takes", "iam", "role", "policy", "drop", "x")
        self.refused(EXIT_IN_USE, "DeleteConflict", "iam", "role", "delete", "operator")
        self.ok("iam", "role", "delete", "kinesd-function")
        self.refused(EXIT_NOT_FOUND, "NoSuchEntity: The role with name kinesd-function cannot be "
                     "found", "iam", "role", "delete", "kinesd-function")

    def test_stream_encrypt(self):
        self.create_stream("sealed")
        self.assertIn("encrypts new records at rest (key alias/aws/kinesis)",
                      self.ok("stream", "encrypt", "sealed", "--wait"))
        summary = self.kinesis.describe_stream_summary(StreamName="sealed")
        self.assertEqual(summary["StreamDescriptionSummary"]["KeyId"], "alias/aws/kinesis")
        self.ok("stream", "encrypt", "sealed", "--stop", "--wait")
        summary = self.kinesis.describe_stream_summary(StreamName="sealed")
        self.assertEqual(summary["StreamDescriptionSummary"]["EncryptionType"], "NONE")
        self.refused(EXIT_NOT_FOUND, "ResourceNotFoundException", "stream", "encrypt", "nope")

