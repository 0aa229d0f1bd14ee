"""iam_fixture - a kinesd in verify mode for the identity tests, and clients signed as anyone.

Owns: VerifyTestCase (one kinesd per test class, started with --auth verify and a root key from
KINESD_ROOT_ACCESS_KEY_ID / KINESD_ROOT_SECRET_ACCESS_KEY; restarted with its clock ahead to expire
sessions), boto3 clients of any service signed with any credentials, users with a policy and a key, and AWS's AccessDenied text.
"""

import datetime
import json
import os
import subprocess
from unittest import mock

from kinesd_harness import KinesdTestCase, REGION, clock_shift_shim

ROOT_KEY = "AKIAKINESDTESTROOT01"
ROOT_SECRET = "kinesd-test-root-secret-0000000000000000"
ROOT = (ROOT_KEY, ROOT_SECRET)
ACCOUNT = "000000000000"


POLICY_KINDS = {"identity": "identity-based", "resource": "resource-based", "session": "session"}


def denied(user_arn, action, resource, why="identity"):
    """AWS's AccessDenied text: WHY is identity, resource, session, or deny-identity,
    deny-resource, deny-session."""
    head = "User: %s is not authorized to perform: %s on resource: %s " % (user_arn, action,
                                                                          resource)
    if why.startswith("deny-"):
        kind = POLICY_KINDS[why[len("deny-"):]]
        article = "an" if kind[0] in "aeiou" else "a"
        return head + "with an explicit deny in %s %s policy" % (article, kind)
    return head + "because no %s policy allows the %s action" % (POLICY_KINDS[why], action)


class VerifyTestCase(KinesdTestCase):
    """KinesdTestCase with kinesd in verify mode; `cls.root(service)` signs as the root."""

    SERVER_ARGS = {"extra_args": ["--auth", "verify"],
                   "env": {"KINESD_ROOT_ACCESS_KEY_ID": ROOT_KEY,
                           "KINESD_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kinesis = cls.as_(ROOT, "kinesis")
        cls.iam = cls.as_(ROOT, "iam")

    @classmethod
    def create_account(cls, account_id):
        """Stops kinesd, runs `kinesd account create ACCOUNT_ID`, restarts; returns that
        account's root key (key id, secret)."""
        cls.server.stop()
        done = subprocess.run([cls.server.binary, "account", "create", account_id, "--data-dir",
                               cls.server.data_dir], capture_output=True, timeout=30, text=True)
        assert done.returncode == 0, done.stderr
        lines = dict(line.split(" = ") for line in done.stdout.splitlines() if " = " in line)
        cls.server.restart()
        return lines["aws_access_key_id"], lines["aws_secret_access_key"]

    @classmethod
    def as_(cls, credentials, service="kinesis", **config):
        import boto3
        from botocore.config import Config

        settings = dict(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
        settings.update(config)
        return boto3.client(service, endpoint_url=cls.server.endpoint, region_name=REGION,
                            aws_access_key_id=credentials[0],
                            aws_secret_access_key=credentials[1],
                            aws_session_token=credentials[2] if len(credentials) > 2 else None,
                            config=Config(**settings))

    @classmethod
    def user_with_policy(cls, name, document, inline=True):
        """Creates user NAME with DOCUMENT (inline, or a managed policy attached) and a key;
        returns (key id, secret)."""
        cls.iam.create_user(UserName=name)
        text = document if isinstance(document, str) else json.dumps(document)
        if inline:
            cls.iam.put_user_policy(UserName=name, PolicyName=name + "-policy",
                                    PolicyDocument=text)
        else:
            arn = cls.iam.create_policy(PolicyName=name + "-policy",
                                        PolicyDocument=text)["Policy"]["Arn"]
            cls.iam.attach_user_policy(UserName=name, PolicyArn=arn)
        key = cls.iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def restart_later(self, shift):
        """Restarts kinesd with its clock SHIFT (a timedelta) ahead; returns a patch under which
        botocore signs at that time too."""
        self.assertEqual(self.server.stop(), 0)
        self.server.env.update(LD_PRELOAD=clock_shift_shim(self),
                               ITEST_CLOCK_SHIFT_MS=str(int(shift.total_seconds() * 1000)),
                               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                               + ":verify_asan_link_order=0")
        self.server.restart()
        later = datetime.datetime.utcnow() + shift
        return mock.patch("botocore.auth.get_current_datetime", return_value=later)

    def assert_client_error(self, call, code, message=None, status=None):
        from botocore.exceptions import ClientError

        with self.assertRaises(ClientError) as caught:
            call()
        err = caught.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        if status is not None:
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)
        return err
