"""test_throughput_limits.py - --throughput-limits aws against the stock clients, and off.

A writer at twice a shard's record rate sees about half its records throttled (PutRecords fails
only those entries, with AWS's code and text) and no more than the rate gets in; large records
hit the byte rate; the retrying libkines producer (kinesctl put) delivers everything, in order
per key; GetRecords is held to five calls a second; DescribeLimits to one a second; an on-demand
stream takes its 4,000 records a second. With the default (off) nothing is throttled.

Timing on a shared machine is noisy, so the bounds are the ones a slow machine cannot break:
what got in never exceeds the rate over the measured time (plus the one-second burst and one
request), and what was refused is checked only when the offered rate really was high.
The rates themselves are unit-tested against an explicit clock (tests/unit/test_kinesis_quota.c).
"""
import json
import os
import time
import unittest

from botocore.exceptions import ClientError

from kinesd_harness import ACCOUNT, KinesdTestCase
from test_kinesctl import EXIT_OK, kinesctl

RATE = 1000  # records a second a shard takes


def throttle_message(shard, stream):
    return "Rate exceeded for shard %s in stream %s under account %s." % (shard, stream, ACCOUNT)


class Writer:
    """PutRecords of BATCH tiny records every TICK seconds for SECONDS: twice a shard's rate."""

    def __init__(self, kinesis, stream, batch=200, tick=0.1, seconds=3.0):
        self.kinesis, self.stream = kinesis, stream
        self.batch, self.tick, self.seconds = batch, tick, seconds
        self.offered = self.accepted = 0
        self.errors = []

    def run(self):
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < self.seconds:
            out = self.kinesis.put_records(StreamName=self.stream, Records=[
                {"Data": b"x", "PartitionKey": "k%d" % (n + i)} for i in range(self.batch)])
            n += self.batch
            self.offered += self.batch
            self.accepted += self.batch - out["FailedRecordCount"]
            self.errors += [r for r in out["Records"] if "ErrorCode" in r]
            late = start + (n // self.batch) * self.tick - time.monotonic()
            if late > 0:
                time.sleep(late)
        self.elapsed = time.monotonic() - start
        return self


class ThroughputLimitsTest(KinesdTestCase):
    SERVER_ARGS = {"extra_args": ["--throughput-limits", "aws"]}

    def read_all(self, stream):
        """Every record of a 1-shard stream, in order (paced: reads are rate-limited too)."""
        shard = self.shards(stream)[0]["ShardId"]
        it = self.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        while True:
            try:
                out = self.kinesis.get_records(ShardIterator=it)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"],
                                 "ProvisionedThroughputExceededException")
                time.sleep(0.25)
                continue
            records += out["Records"]
            it = out["NextShardIterator"]
            if not out["Records"] and out["MillisBehindLatest"] == 0:
                return records
            time.sleep(0.21)

    def test_writer_at_twice_the_rate_sees_half_throttled(self):
        self.create_stream("twice")
        w = Writer(self.kinesis, "twice").run()
        self.assertLessEqual(w.accepted, RATE * (w.elapsed + 1) + w.batch)
        self.assertGreaterEqual(w.accepted, 0.8 * min(w.offered, RATE * w.elapsed))
        for e in w.errors:
            self.assertEqual(e["ErrorCode"], "ProvisionedThroughputExceededException")
            self.assertEqual(e["ErrorMessage"], throttle_message("shardId-000000000000", "twice"))
        if w.offered / w.elapsed >= 1.5 * RATE:  # the writer kept up its pace
            refused = len(w.errors) / w.offered
            self.assertTrue(0.2 <= refused <= 0.7, "%.0f%% refused" % (100 * refused))
        self.assertEqual(len(self.read_all("twice")), w.accepted)
        self.assert_throttles_counted("twice", len(w.errors))

    def assert_throttles_counted(self, stream, throttled):
        """CloudWatch's WriteProvisionedThroughputExceeded and PutRecords.ThrottledRecords of the
        stream sum to the records refused (the collector drains once a second: polled)."""
        cw = self.server.client("cloudwatch")
        t0 = int(time.time()) - 600

        def total(name):
            points = cw.get_metric_statistics(
                Namespace="AWS/Kinesis", MetricName=name, Period=60, StartTime=t0,
                EndTime=int(time.time()) + 120, Statistics=["Sum"],
                Dimensions=[{"Name": "StreamName", "Value": stream}])["Datapoints"]
            return sum(p["Sum"] for p in points)

        deadline = time.monotonic() + 30
        got = None
        while time.monotonic() < deadline:
            got = (total("WriteProvisionedThroughputExceeded"), total("PutRecords.ThrottledRecords"))
            if got == (throttled, throttled):
                return
            time.sleep(0.25)
        self.assertEqual(got, (throttled, throttled))

    def test_byte_rate_with_large_records(self):
        self.create_stream("bytes")
        big = b"b" * (100 * 1024)  # ten a second make 1 MiB
        accepted, throttled = 0, 0
        start = time.monotonic()
        for _ in range(40):
            try:
                self.kinesis.put_record(StreamName="bytes", Data=big, PartitionKey="p")
                accepted += 1
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"],
                                 "ProvisionedThroughputExceededException")
                self.assertEqual(e.response["Error"]["Message"],
                                 throttle_message("shardId-000000000000", "bytes"))
                throttled += 1
        elapsed = time.monotonic() - start
        self.assertLessEqual(accepted, 11 + 10 * elapsed + 1)
        if elapsed < 2.0:
            self.assertGreater(throttled, 0)

    def test_retrying_producer_delivers_everything_in_order(self):
        self.create_stream("producer")
        keys, count = 20, 3000
        lines = "".join(json.dumps({"k": "key-%d" % (i % keys), "n": i}) + "\n"
                        for i in range(count)).encode()
        rc, out, err = kinesctl(self.server.endpoint, "put", "producer", "--key-field", "k",
                                "--output", "json", stdin=lines, timeout=300)
        self.assertEqual(rc, EXIT_OK, err)
        report = json.loads(out)
        self.assertEqual((report["Delivered"], report["Failed"]), (count, 0))
        # 3,000 records at 1,000 a second after a burst of 1,000 take two seconds at least: the
        # producer was throttled and retried (one entry per key a request: 150 without retries)
        self.assertGreaterEqual(report["Seconds"], 1.9)
        self.assertGreater(report["Requests"], count // keys)
        got = [json.loads(r["Data"]) for r in self.read_all("producer")]
        self.assertEqual(sorted(r["n"] for r in got), list(range(count)))
        for key in range(keys):
            ns = [r["n"] for r in got if r["k"] == "key-%d" % key]
            self.assertEqual(ns, sorted(ns), "key-%d out of order" % key)

    def test_get_records_five_calls_a_second(self):
        self.create_stream("reads")
        shard = self.shards("reads")[0]["ShardId"]
        it = self.kinesis.get_shard_iterator(StreamName="reads", ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        ok, refused = 0, 0
        start = time.monotonic()
        for _ in range(20):
            try:
                it = self.kinesis.get_records(ShardIterator=it)["NextShardIterator"]
                ok += 1
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"],
                                 "ProvisionedThroughputExceededException")
                self.assertEqual(e.response["Error"]["Message"], throttle_message(shard, "reads"))
                refused += 1
        elapsed = time.monotonic() - start
        self.assertLessEqual(ok, 5 + 5 * elapsed + 1)
        if elapsed < 2.0:
            self.assertGreater(refused, 0)

    def test_describe_limits_once_a_second(self):
        time.sleep(1.1)
        start = time.monotonic()
        codes = []
        for _ in range(3):
            try:
                self.kinesis.describe_limits()
                codes.append("ok")
            except ClientError as e:
                codes.append(e.response["Error"]["Code"])
                self.assertEqual(e.response["Error"]["Message"],
                                 "Rate exceeded for account %s." % ACCOUNT)
        self.assertEqual(codes[0], "ok")
        if time.monotonic() - start < 1.0:
            self.assertIn("LimitExceededException", codes)

    def test_on_demand_stream_takes_its_capacity(self):
        self.create_on_demand("demand")
        w = Writer(self.kinesis, "demand", batch=500, tick=0.0625, seconds=2.0).run()  # 8,000/s
        self.assertLessEqual(w.accepted, 4000 * (w.elapsed + 1) + w.batch)
        if w.offered / w.elapsed >= 6000:
            self.assertGreater(len(w.errors), 0)
        for e in w.errors:
            self.assertEqual(e["ErrorCode"], "ProvisionedThroughputExceededException")


class LimitsOffTest(KinesdTestCase):
    """The default: nothing is throttled, however fast."""

    def test_off_throttles_nothing(self):
        self.create_stream("free")
        w = Writer(self.kinesis, "free", batch=500, tick=0.0, seconds=1.0).run()
        self.assertEqual(w.errors, [])
        self.assertGreater(w.accepted, 0)
        shard = self.shards("free")[0]["ShardId"]
        it = self.kinesis.get_shard_iterator(StreamName="free", ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(20):
            it = self.kinesis.get_records(ShardIterator=it, Limit=10)["NextShardIterator"]
        for _ in range(5):
            self.kinesis.describe_limits()


if __name__ == "__main__":
    unittest.main()
