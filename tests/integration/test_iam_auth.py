"""Verify mode with boto3: who may call (signatures, keys, session tokens, presigned URLs, the
clock) and what they may do (explicit Deny, NotAction, aws:SourceIp, ${aws:username}).

AWS texts: UnrecognizedClientException, InvalidSignatureException (mismatch and "Signature
expired: ... is now earlier than ... (... - 5 min.)") and ExpiredTokenException were confirmed
from AWS answers quoted in public issue threads; "Signature not yet current" and the expired
presigned URL's text could not be confirmed and follow the same shape."""

import datetime
import unittest
import urllib.error
import urllib.request
from unittest import mock

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn

INVALID_TOKEN = "The security token included in the request is invalid."
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")


def allow(actions, resource="*", **extra):
    statement = dict(Effect="Allow", Action=actions, Resource=resource, **extra)
    return {"Version": "2012-10-17", "Statement": [statement]}


class Authentication(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.user_with_policy("alice", allow("kinesis:*"))

    def test_root_and_user_work(self):
        self.assertEqual(self.as_(ROOT, "sts").get_caller_identity()["Arn"],
                         "arn:aws:iam::%s:root" % ACCOUNT)
        self.as_(self.key).list_streams()

    def test_wrong_secret(self):
        client = self.as_((self.key[0], "x" * 40))
        self.assert_client_error(client.list_streams, "InvalidSignatureException", MISMATCH, 400)

    def test_unknown_key(self):
        client = self.as_(("AKIAUNKNOWNUNKNOWN00", "x" * 40))
        self.assert_client_error(client.list_streams, "UnrecognizedClientException",
                                 INVALID_TOKEN, 400)

    def test_iam_speaks_query_codes(self):
        client = self.as_(("AKIAUNKNOWNUNKNOWN00", "x" * 40), "iam")
        self.assert_client_error(client.list_users, "InvalidClientTokenId", INVALID_TOKEN, 403)
        client = self.as_((self.key[0], "x" * 40), "sts")
        self.assert_client_error(client.get_caller_identity, "SignatureDoesNotMatch", MISMATCH,
                                 403)

    def test_disabled_key(self):
        key = self.user_with_policy("bob", allow("kinesis:*"))
        self.iam.update_access_key(UserName="bob", AccessKeyId=key[0], Status="Inactive")
        self.assert_client_error(self.as_(key).list_streams, "UnrecognizedClientException",
                                 INVALID_TOKEN)
        self.iam.update_access_key(UserName="bob", AccessKeyId=key[0], Status="Active")
        self.as_(key).list_streams()

    def test_replay_after_five_minutes(self):
        past = datetime.datetime.utcnow() - datetime.timedelta(minutes=6)
        client = self.as_(self.key)
        with mock.patch("botocore.auth.get_current_datetime", return_value=past):
            err = self.assert_client_error(client.list_streams, "InvalidSignatureException")
        self.assertRegex(err["Error"]["Message"],
                         r"^Signature expired: %s is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 5 min\.\)$" % past.strftime("%Y%m%dT%H%M%SZ"))

    def test_tampered_body(self):
        client = self.as_(self.key)

        def tamper(request, **kwargs):
            request.body = request.body.replace(b"Limit", b"Limjt")

        client.meta.events.register_last("before-send.kinesis.ListStreams", tamper)
        self.assert_client_error(lambda: client.list_streams(Limit=5), "InvalidSignatureException",
                                 MISMATCH)

    def test_presigned_url(self):
        sts = self.as_(self.key, "sts")
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        with urllib.request.urlopen(url, timeout=10) as answer:
            self.assertIn(b"<Arn>arn:aws:iam::%s:user/alice</Arn>" % ACCOUNT.encode(),
                          answer.read())
        tampered = url.replace("Action=GetCallerIdentity",
                               "Action=GetCallerIdentity&Extra=1")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(tampered, timeout=10)
        self.assertEqual(caught.exception.code, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", caught.exception.read())

    def test_session_token(self):
        creds = self.as_(self.key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
        session = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        self.assertTrue(session[0].startswith("ASIA"))
        self.as_(session).list_streams()
        self.assertEqual(self.as_(session, "sts").get_caller_identity()["Arn"],
                         "arn:aws:iam::%s:user/alice" % ACCOUNT)
        forged = session[:2] + (session[2][:-8] + "AAAAAAA=",)
        self.assert_client_error(self.as_(forged).list_streams, "UnrecognizedClientException",
                                 INVALID_TOKEN)


class ExpiredSessionToken(VerifyTestCase):
    def test_expired_session_token(self):
        key = self.user_with_policy("carol", allow("kinesis:*"))
        creds = self.as_(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
        session = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        with self.restart_later(datetime.timedelta(hours=1)):
            self.assert_client_error(self.as_(session).list_streams, "ExpiredTokenException",
                                     "The security token included in the request is expired",
                                     400)
            self.as_(key).list_streams()  # the key itself still works


class Authorization(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name in ("orders", "dave"):
            cls.kinesis.create_stream(StreamName=name, ShardCount=1)

    def test_explicit_deny_beats_allow(self):
        document = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "kinesis:Delete*", "Resource": "*"}]}
        user = self.as_(self.user_with_policy("erin", document, inline=False))
        user.describe_stream_summary(StreamName="orders")
        self.assert_client_error(
            lambda: user.delete_stream(StreamName="orders"), "AccessDeniedException",
            denied("arn:aws:iam::%s:user/erin" % ACCOUNT, "kinesis:DeleteStream",
                   stream_arn("orders"), "deny-identity"))

    def test_not_action(self):
        document = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": ["kinesis:PutRecord*", "kinesis:Delete*"],
             "Resource": "*"}]}
        user = self.as_(self.user_with_policy("frank", document))
        user.list_shards(StreamName="orders")
        self.assert_client_error(
            lambda: user.put_record(StreamName="orders", PartitionKey="k", Data=b"x"),
            "AccessDeniedException",
            denied("arn:aws:iam::%s:user/frank" % ACCOUNT, "kinesis:PutRecord",
                   stream_arn("orders")))

    def test_source_ip_condition(self):
        here = self.as_(self.user_with_policy("gina", allow(
            "kinesis:ListStreams", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})))
        here.list_streams()
        elsewhere = self.as_(self.user_with_policy("hank", allow(
            "kinesis:ListStreams", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
        self.assert_client_error(elsewhere.list_streams, "AccessDeniedException")

    def test_username_variable(self):
        arn = "arn:aws:kinesis:*:%s:stream/${aws:username}" % ACCOUNT
        user = self.as_(self.user_with_policy("dave", allow("kinesis:Describe*", arn)))
        user.describe_stream_summary(StreamName="dave")
        self.assert_client_error(lambda: user.describe_stream_summary(StreamName="orders"),
                                 "AccessDeniedException")

    def test_iam_needs_permission(self):
        user = self.as_(self.user_with_policy("ivan", allow("kinesis:*")), "iam")
        self.assert_client_error(
            user.list_users, "AccessDenied",
            denied("arn:aws:iam::%s:user/ivan" % ACCOUNT, "iam:ListUsers",
                   "arn:aws:iam::%s:user/" % ACCOUNT), 403)


if __name__ == "__main__":
    unittest.main()
