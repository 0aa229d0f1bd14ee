"""test_cli_flow - the everyday stream life cycle driven by the stock aws CLI (v1) against kinesd.

create-stream, wait stream-exists, describe-stream, put-record, get-shard-iterator (TRIM_HORIZON and
AT_TIMESTAMP), get-records, list-streams, list-shards, describe-stream-summary, delete-stream.
"""

import base64
import math
import time
import unittest

from kinesd_harness import ACCOUNT, REGION, KinesdTestCase

STREAM = "cli-flow"
KEYS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]


class CliFlow(KinesdTestCase):

    def cli(self, *args):
        rc, out, err = self.server.aws(*args)
        self.assertEqual(rc, 0, "aws kinesis %s failed: %s" % (" ".join(args), err))
        return out

    def cli_records(self, iterator):
        """Reads from ITERATOR with the CLI until a page comes back empty and caught up."""
        records = []
        for _ in range(20):
            page = self.cli("get-records", "--shard-iterator", iterator)
            records += page["Records"]
            iterator = page.get("NextShardIterator")
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
        return records

    def test_stream_flow(self):
        self.assertIsNone(self.cli("create-stream", "--stream-name", STREAM, "--shard-count", "2"))
        self.assertIsNone(self.cli("wait", "stream-exists", "--stream-name", STREAM))

        described = self.cli("describe-stream", "--stream-name", STREAM)["StreamDescription"]
        with self.subTest(step="describe-stream"):
            # The CLI paginates describe-stream: it keeps only the paginator's keys.
            expected = {"StreamName": STREAM, "StreamStatus": "ACTIVE",
                        "StreamARN": "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, STREAM),
                        "RetentionPeriodHours": 24, "EncryptionType": "NONE",
                        "EnhancedMonitoring": [{"ShardLevelMetrics": []}]}
            self.assertEqual({k: described.get(k) for k in expected}, expected)
            self.assertIn("StreamCreationTimestamp", described)
        with self.subTest(step="describe-stream --no-paginate"):
            whole = self.cli("describe-stream", "--stream-name", STREAM,
                             "--no-paginate")["StreamDescription"]
            self.assertEqual(whole["HasMoreShards"], False)
            self.assertEqual(whole["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
            self.assertEqual(whole["Shards"], described["Shards"])
        shard_ids = [s["ShardId"] for s in described["Shards"]]
        self.assertEqual(shard_ids, ["shardId-000000000000", "shardId-000000000001"])

        # The CLI sends --timestamp as whole seconds.
        before_puts = math.floor(time.time()) - 1
        sent = {}
        for key in KEYS:
            data = "payload for %s" % key
            out = self.cli("put-record", "--stream-name", STREAM, "--partition-key", key,
                           "--data", data)
            self.assertIn(out["ShardId"], shard_ids)
            self.assertRegex(out["SequenceNumber"], r"^\d{20,}$")
            sent[out["SequenceNumber"]] = (out["ShardId"], key, data.encode())

        got = {}
        for shard_id in shard_ids:
            it = self.cli("get-shard-iterator", "--stream-name", STREAM, "--shard-id", shard_id,
                          "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
            for rec in self.cli_records(it):
                got[rec["SequenceNumber"]] = (shard_id, rec["PartitionKey"],
                                              base64.b64decode(rec["Data"]))
        self.assertEqual(got, sent)

        at_ts = {}
        for shard_id in shard_ids:
            it = self.cli("get-shard-iterator", "--stream-name", STREAM, "--shard-id", shard_id,
                          "--shard-iterator-type", "AT_TIMESTAMP",
                          "--timestamp", str(before_puts))["ShardIterator"]
            for rec in self.cli_records(it):
                at_ts[rec["SequenceNumber"]] = (shard_id, rec["PartitionKey"],
                                                base64.b64decode(rec["Data"]))
        self.assertEqual(at_ts, sent)

        after_puts = math.ceil(time.time())
        time.sleep(after_puts - time.time() + 0.1)
        it = self.cli("get-shard-iterator", "--stream-name", STREAM, "--shard-id", shard_ids[0],
                      "--shard-iterator-type", "AT_TIMESTAMP",
                      "--timestamp", str(after_puts))["ShardIterator"]
        self.assertEqual(self.cli_records(it), [])

        with self.subTest(step="list-streams"):
            self.assertIn(STREAM, self.cli("list-streams")["StreamNames"])
        with self.subTest(step="list-shards"):
            listed = self.cli("list-shards", "--stream-name", STREAM)["Shards"]
            self.assertEqual([s["ShardId"] for s in listed], shard_ids)
            self.assertEqual(listed[0]["HashKeyRange"]["StartingHashKey"], "0")
            self.assertEqual(listed[-1]["HashKeyRange"]["EndingHashKey"], str(2**128 - 1))
            self.assertEqual(listed, described["Shards"])

        with self.subTest(step="describe-stream-summary"):
            summary = self.cli("describe-stream-summary",
                               "--stream-name", STREAM)["StreamDescriptionSummary"]
            self.assertEqual(summary["StreamStatus"], "ACTIVE")
            self.assertEqual(summary["OpenShardCount"], 2)
            self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
            self.assertEqual(summary["StreamARN"], described["StreamARN"])

        self.assertIsNone(self.cli("delete-stream", "--stream-name", STREAM))
        self.assertIsNone(self.cli("wait", "stream-not-exists", "--stream-name", STREAM))
        self.assertNotIn(STREAM, self.cli("list-streams")["StreamNames"])

    def test_cli_reports_unknown_stream(self):
        rc, out, err = self.server.aws("describe-stream", "--stream-name", "no-such-stream")
        self.assertEqual(rc, 255)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn("Stream no-such-stream under account %s not found." % ACCOUNT, err)


if __name__ == "__main__":
    unittest.main()
