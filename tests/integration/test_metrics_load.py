"""test_metrics_load - the metrics registry under mixed load on four event loops: writers
(PutRecords and PutRecord), readers (GetRecords) and a watcher (GET /metrics, GetMetricStatistics,
ListMetrics, PutMetricData) all at once, over many connections, so that every loop records into
its own table while the collector drains them. Afterwards every count must be exact: records put,
calls made per operation, GetRecords calls. Run in the ASan build like every integration test
(and once under TSan by hand: see docs/monitoring.md). Bounded: a few hundred calls.
"""

import threading
import time
import unittest
import urllib.request

from kinesd_harness import KinesdTestCase

WRITERS, BATCHES, BATCH, SINGLES = 4, 15, 100, 10
READERS = 2
DEADLINE_S = 60.0


class MixedLoad(KinesdTestCase):
    SERVER_ARGS = {"extra_args": ["--threads", "4"]}
    STREAM = "loaded"

    def setUp(self):
        self.kinesis.create_stream(StreamName=self.STREAM, ShardCount=4)
        self.wait_active(self.STREAM)
        self.t0 = int(time.time()) - 60
        self.errors = []
        self.done = threading.Event()
        self.get_calls = [0] * READERS
        self.watch_calls = 0

    def guarded(self, fn, *args):
        try:
            fn(*args)
        except Exception as e:  # reported by the test, not lost in a thread
            self.errors.append(repr(e))

    def write(self, n):
        k = self.server.client()
        for b in range(BATCHES):
            records = [{"Data": b"x" * 50, "PartitionKey": "w%d-%d-%d" % (n, b, i)}
                       for i in range(BATCH)]
            assert k.put_records(StreamName=self.STREAM, Records=records)["FailedRecordCount"] == 0
        for i in range(SINGLES):
            k.put_record(StreamName=self.STREAM, Data=b"y", PartitionKey="s%d-%d" % (n, i))

    def read(self, n):
        k = self.server.client()
        shards = [s["ShardId"] for s in k.list_shards(StreamName=self.STREAM)["Shards"]]
        its = [k.get_shard_iterator(StreamName=self.STREAM, ShardId=s,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
               for s in shards[n::READERS]]
        while not self.done.is_set():
            for i, it in enumerate(its):
                its[i] = k.get_records(ShardIterator=it, Limit=500)["NextShardIterator"]
                self.get_calls[n] += 1

    def watch(self):
        cw = self.server.client("cloudwatch")
        while not self.done.is_set():
            with urllib.request.urlopen(self.server.endpoint + "/metrics", timeout=30) as resp:
                resp.read()
            cw.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="IncomingRecords",
                                     Dimensions=[{"Name": "StreamName", "Value": self.STREAM}],
                                     StartTime=self.t0, EndTime=int(time.time()) + 60, Period=60,
                                     Statistics=["Sum"])
            cw.list_metrics(Namespace="AWS/Kinesis")
            cw.put_metric_data(Namespace="Load", MetricData=[{"MetricName": "Beat", "Value": 1}])
            self.watch_calls += 1

    def total(self, name, statistic="Sum", namespace="AWS/Kinesis", dims=None):
        cw = self.server.client("cloudwatch")
        if dims is None:
            dims = {"StreamName": self.STREAM}
        points = cw.get_metric_statistics(
            Namespace=namespace, MetricName=name, Period=60, StartTime=self.t0,
            EndTime=int(time.time()) + 120, Statistics=[statistic],
            Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()])["Datapoints"]
        return sum(p[statistic] for p in points)

    def wait_total(self, expected, *args, **kwargs):
        deadline = time.monotonic() + DEADLINE_S
        while True:
            got = self.total(*args, **kwargs)
            if got == expected or time.monotonic() > deadline:
                self.assertEqual(got, expected, (args, kwargs))
                return
            time.sleep(0.25)

    def test_every_count_is_exact(self):
        writers = [threading.Thread(target=self.guarded, args=(self.write, n))
                   for n in range(WRITERS)]
        others = [threading.Thread(target=self.guarded, args=(self.read, n))
                  for n in range(READERS)]
        others.append(threading.Thread(target=self.guarded, args=(self.watch,)))
        for t in writers + others:
            t.start()
        for t in writers:
            t.join()
        self.done.set()
        for t in others:
            t.join()
        self.assertEqual(self.errors, [])
        records = WRITERS * (BATCHES * BATCH + SINGLES)
        self.wait_total(records, "IncomingRecords")
        self.wait_total(WRITERS * BATCHES, "PutRecords.Success")
        self.wait_total(WRITERS * SINGLES, "PutRecord.Success")
        self.wait_total(sum(self.get_calls), "GetRecords.Success")
        self.wait_total(self.watch_calls, "Beat", namespace="Load", dims={})
        for op, calls in [("PutRecords", WRITERS * BATCHES), ("PutRecord", WRITERS * SINGLES),
                          ("GetRecords", sum(self.get_calls))]:
            self.wait_total(calls, "Requests", namespace="kinesd",
                            dims={"Service": "kinesis", "Operation": op})
        clients = WRITERS + READERS + 1
        deadline = time.monotonic() + DEADLINE_S
        while self.total("ConnectionsAccepted", "Sum", "kinesd", {}) < clients:
            self.assertLess(time.monotonic(), deadline, "connections accepted")
            time.sleep(0.25)


if __name__ == "__main__":
    unittest.main()
