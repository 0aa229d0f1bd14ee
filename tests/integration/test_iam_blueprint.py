"""The least-privilege reader of the conversation-streaming blueprint, end to end with the stock
aws CLI in verify mode: the root creates the policy (the blueprint's exact document), the user,
the attachment and the key with `aws iam`; the reader can list, describe and read its stream and
nothing else, with AWS's AccessDenied texts; `aws sts get-caller-identity` names it."""

import json
import time
import unittest

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn

READER = "arn:aws:iam::%s:user/reader" % ACCOUNT


def blueprint_policy(arn):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "stmntServiceReadFromTestKinesisStream", "Effect": "Allow",
             "Action": ["kinesis:GetShardIterator", "kinesis:GetRecords",
                        "kinesis:DescribeStream"],
             "Resource": arn},
            {"Sid": "stmntServiceListAllKinesisStreams", "Effect": "Allow",
             "Action": "kinesis:ListStreams", "Resource": "*"},
        ],
    }


class BlueprintReader(VerifyTestCase):
    def cli(self, credentials, service, *args):
        rc, out, err = self.server.aws(*args, service=service, credentials=credentials)
        return rc, out, err

    def ok(self, credentials, service, *args):
        rc, out, err = self.cli(credentials, service, *args)
        self.assertEqual(rc, 0, err)
        return out

    def refused(self, credentials, action, resource, *args):
        rc, _, err = self.cli(credentials, "kinesis", *args)
        self.assertNotEqual(rc, 0)
        self.assertIn("(AccessDeniedException)", err)
        self.assertIn(denied(READER, action, resource), err)

    def test_blueprint_flow(self):
        self.create_stream("conversations")
        self.create_stream("billing")
        before = time.time() - 1
        self.kinesis.put_record(StreamName="conversations", PartitionKey="k", Data=b"hello")
        arn = stream_arn("conversations")

        policy = self.ok(ROOT, "iam", "create-policy", "--policy-name", "reader-policy",
                         "--policy-document", json.dumps(blueprint_policy(arn)))["Policy"]
        self.ok(ROOT, "iam", "create-user", "--user-name", "reader")
        self.ok(ROOT, "iam", "attach-user-policy", "--user-name", "reader",
                "--policy-arn", policy["Arn"])
        key = self.ok(ROOT, "iam", "create-access-key", "--user-name", "reader")["AccessKey"]
        reader = (key["AccessKeyId"], key["SecretAccessKey"])
        self.assertRegex(reader[0], r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(reader[1]), 40)

        identity = self.ok(reader, "sts", "get-caller-identity")
        self.assertEqual((identity["Arn"], identity["Account"]), (READER, ACCOUNT))

        names = self.ok(reader, "kinesis", "list-streams")["StreamNames"]
        self.assertEqual(sorted(names), ["billing", "conversations"])
        description = self.ok(reader, "kinesis", "describe-stream", "--stream-name",
                              "conversations")["StreamDescription"]
        shard = description["Shards"][0]["ShardId"]
        for extra in (["--shard-iterator-type", "TRIM_HORIZON"],
                      ["--shard-iterator-type", "AT_TIMESTAMP", "--timestamp", str(before)]):
            it = self.ok(reader, "kinesis", "get-shard-iterator", "--stream-name",
                         "conversations", "--shard-id", shard, *extra)["ShardIterator"]
            records = self.ok(reader, "kinesis", "get-records", "--shard-iterator", it)
            self.assertEqual(len(records["Records"]), 1)

        self.refused(reader, "kinesis:PutRecord", arn, "put-record", "--stream-name",
                     "conversations", "--partition-key", "k", "--data", "aGk=")
        self.refused(reader, "kinesis:DeleteStream", arn, "delete-stream", "--stream-name",
                     "conversations")
        self.refused(reader, "kinesis:ListShards", arn, "list-shards", "--stream-name",
                     "conversations")
        other = self.kinesis.get_shard_iterator(StreamName="billing", ShardId=shard,
                                                ShardIteratorType="TRIM_HORIZON")
        self.refused(reader, "kinesis:GetRecords", stream_arn("billing"), "get-records",
                     "--shard-iterator", other["ShardIterator"])
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName="conversations")
                         ["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")


if __name__ == "__main__":
    unittest.main()
