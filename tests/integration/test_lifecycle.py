"""test_lifecycle - stream states over time and across a clean restart.

With --transition-ms 1500: CREATING then ACTIVE, UPDATING during a split (writes still work, a
second reshard is refused with ResourceInUseException), DELETING then gone. A SIGTERM restart
keeps streams, shards, records, sequence numbers and issued iterators. Transitions run on the
monotonic clock: a wall clock stepped back an hour does not hold them up.
"""

import os
import time
import unittest

from kinesd_harness import ACCOUNT, KinesdTestCase, clock_shift_shim, stream_arn

TRANSITION_MS = 1500  # long enough that the checks made during a transition finish within it, even on a loaded machine


def not_active(name, state):
    return "Stream %s under account %s not ACTIVE, instead in state %s" % (name, ACCOUNT, state)


class Lifecycle(KinesdTestCase):

    SERVER_ARGS = dict(transition_ms=TRANSITION_MS)

    def status(self, name):
        return self.kinesis.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]

    def test_creating_then_active(self):
        name = "born"
        started = time.monotonic()
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        self.assertEqual(self.status(name), "CREATING")
        listed = self.kinesis.list_streams()["StreamSummaries"]
        self.assertIn({"StreamName": name, "StreamStatus": "CREATING"},
                      [{k: s[k] for k in ("StreamName", "StreamStatus")} for s in listed])
        self.assert_aws_error(
            self.server.post("SplitShard", {"StreamName": name,
                                            "ShardToSplit": "shardId-000000000000",
                                            "NewStartingHashKey": "12345"}),
            400, "ResourceInUseException", not_active(name, "CREATING"))
        self.assert_aws_error(
            self.server.post("UpdateShardCount", {"StreamName": name, "TargetShardCount": 4,
                                                  "ScalingType": "UNIFORM_SCALING"}),
            400, "ResourceInUseException", not_active(name, "CREATING"))
        self.wait_active(name)
        self.assertGreaterEqual(time.monotonic() - started, TRANSITION_MS / 1000.0 * 0.8)
        self.assertEqual(len(self.shards(name)), 2)
        self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"alive")

    def test_updating_keeps_serving(self):
        name = "growing"
        self.create_stream(name, shards=1)
        before = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"before")
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**127))
        self.assertEqual(self.status(name), "UPDATING")
        during = self.kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"during")
        self.assert_aws_error(
            self.server.post("MergeShards", {"StreamName": name,
                                             "ShardToMerge": "shardId-000000000000",
                                             "AdjacentShardToMerge": "shardId-000000000001"}),
            400, "ResourceInUseException", not_active(name, "UPDATING"))
        self.wait_active(name)
        stored = {r["SequenceNumber"]: r["Data"] for s in self.shards(name)
                  for r in self.read_shard(name, s["ShardId"])[0]}
        self.assertEqual(stored, {before["SequenceNumber"]: b"before",
                                  during["SequenceNumber"]: b"during"})
        self.assertEqual(len(self.shards(name)), 3)

    def test_deleting_then_gone(self):
        name = "doomed"
        self.create_stream(name, shards=1)
        self.kinesis.delete_stream(StreamName=name)
        self.assertEqual(self.status(name), "DELETING")
        self.assert_aws_error(
            self.server.post("PutRecord", {"StreamName": name, "PartitionKey": "a",
                                           "Data": "AAAA"}),
            400, "ResourceNotFoundException",
            "Stream %s under account %s not found." % (name, ACCOUNT))
        self.wait_gone(name)
        self.assert_aws_error(self.server.post("DescribeStreamSummary", {"StreamName": name}),
                              400, "ResourceNotFoundException",
                              "Stream %s under account %s not found." % (name, ACCOUNT))
        # The name is free again.
        self.create_stream(name, shards=1)
        records, _ = self.read_shard(name, "shardId-000000000000")
        self.assertEqual(records, [])

    def snapshot(self, names):
        state = {}
        for name in names:
            summary = self.kinesis.describe_stream_summary(StreamName=name)
            summary = summary["StreamDescriptionSummary"]
            shards = self.shards(name)
            records = {s["ShardId"]: [(r["SequenceNumber"], r["PartitionKey"], r["Data"],
                                       r["ApproximateArrivalTimestamp"])
                                      for r in self.read_shard(name, s["ShardId"])[0]]
                       for s in shards}
            state[name] = (summary["StreamARN"], summary["StreamCreationTimestamp"],
                           summary["RetentionPeriodHours"], shards, records)
        return state

    def test_restart_keeps_everything(self):
        names = ["kept-a", "kept-b"]
        for name in names:
            self.create_stream(name, shards=2)
        for i in range(40):
            self.kinesis.put_record(StreamName=names[i % 2], PartitionKey="key%d" % (i % 5),
                                    Data=b"record %d" % i)
        self.kinesis.split_shard(StreamName="kept-b", ShardToSplit="shardId-000000000001",
                                 NewStartingHashKey=str(2**127 + 2**126))
        self.wait_active("kept-b")
        self.kinesis.put_record(StreamName="kept-b", PartitionKey="key1", Data=b"after split")
        before = self.snapshot(names)
        iterator = self.kinesis.get_shard_iterator(
            StreamName="kept-a", ShardId="shardId-000000000000",
            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

        self.assertEqual(self.server.stop(), 0, "kinesd did not exit 0 on SIGTERM")
        self.server.restart()

        self.assertEqual(self.snapshot(names), before)
        for name in names:
            self.assertIn(name, self.kinesis.list_streams()["StreamNames"])
        page = self.kinesis.get_records(ShardIterator=iterator)
        self.assertEqual([r["SequenceNumber"] for r in page["Records"]],
                         [r[0] for r in before["kept-a"][4]["shardId-000000000000"]])
        out = self.kinesis.put_record(StreamName="kept-a", PartitionKey="key0", Data=b"new")
        last_before = before["kept-a"][4][out["ShardId"]]
        if last_before:
            self.assertGreater(int(out["SequenceNumber"]), int(last_before[-1][0]))


class WallClockSteps(KinesdTestCase):
    """The wall clock of a running kinesd steps back an hour (an NTP correction, a restored VM)
    while a stream and a consumer are in CREATING: both become ACTIVE after their transition,
    not an hour later (they ran on the wall clock)."""

    SERVER_ARGS = dict(transition_ms=TRANSITION_MS)

    def test_transitions_ignore_a_wall_clock_step_back(self):
        shim = clock_shift_shim(self)
        shift = os.path.join(self.server.root, "clock-shift")
        with open(shift, "w") as f:
            f.write("0")
        self.assertEqual(self.server.stop(), 0)
        self.server.env = dict(ITEST_CLOCK_SHIFT_FILE=shift, LD_PRELOAD=shim,
                               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                               + ":verify_asan_link_order=0")
        self.server.restart()
        self.kinesis = self.server.client()
        self.create_stream("stepped")
        self.kinesis.create_stream(StreamName="late", ShardCount=1)
        consumer = self.kinesis.register_stream_consumer(
            StreamARN=stream_arn("stepped"), ConsumerName="c")["Consumer"]
        self.assertEqual(consumer["ConsumerStatus"], "CREATING")
        with open(shift, "w") as f:
            f.write("-3600000")
        self.wait_active("late", timeout_s=30)
        deadline = time.monotonic() + 30
        while self.kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "consumer still CREATING after 30 s")
            time.sleep(0.05)


if __name__ == "__main__":
    unittest.main()
