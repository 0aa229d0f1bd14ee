"""test_bench_h2c - kinesd-bench's PutRecords over h2c (`--http 2`), the path of the
`putrecords-h2c` figure in `make bench`, against a real kinesd.

Several batches in flight on each h2c connection, in JSON and in CBOR: the figure line counts
every record with none failed, and GetRecords reads back each partition key exactly once. Its
command line's refusals, and a connection that cannot be made. No duration is asserted.
"""

import os
import socket
import subprocess
import unittest

from kinesd_harness import KinesdTestCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bench_bin():
    build = os.environ.get("KINESD_BUILD_DIR", os.path.join(ROOT, "build"))
    path = os.path.join(build, "kinesd-bench")
    if not os.path.exists(path):
        raise unittest.SkipTest("no kinesd-bench in %s" % build)
    return path


def fields(line):
    """The name=VALUE words of a figure line, as a dict."""
    return dict(word.split("=", 1) for word in line.split() if "=" in word)


class BenchH2cTest(KinesdTestCase):
    @classmethod
    def setUpClass(cls):
        cls.bench = bench_bin()
        super().setUpClass()

    def run_bench(self, *args, endpoint=None):
        """Runs kinesd-bench; returns (exit status, stdout, stderr)."""
        done = subprocess.run([self.bench, *args, "--endpoint", endpoint or self.server.endpoint],
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout.strip(), done.stderr

    def partition_keys(self, stream):
        """Every record's partition key on every shard of the stream, read from TRIM_HORIZON."""
        keys = []
        for shard in self.kinesis.list_shards(StreamName=stream)["Shards"]:
            iterator = self.kinesis.get_shard_iterator(
                StreamName=stream, ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                got = self.kinesis.get_records(ShardIterator=iterator, Limit=10000)
                keys += [r["PartitionKey"] for r in got["Records"]]
                if not got["Records"] and got.get("MillisBehindLatest", 0) == 0:
                    break
                iterator = got.get("NextShardIterator")
        return keys

    def put_over_h2c(self, stream, protocol, name):
        records = 3000
        self.create_stream(stream, shards=4)
        rc, line, err = self.run_bench("put-records", "--stream", stream, "--http", "2",
                                       "--connections", "2", "--streams", "4", "--records",
                                       str(records), "--batch", "100", "--protocol", protocol,
                                       "--max-seconds", "60")
        self.assertEqual(rc, 0, err)
        self.assertEqual(line.split()[0], name)
        f = fields(line)
        self.assertEqual((f["conns"], f["streams"], f["records"], f["failed"], f["errors"]),
                         ("2", "4", str(records), "0", "0"), line)
        keys = self.partition_keys(stream)
        self.assertEqual(sorted(keys), sorted("pk-%d" % i for i in range(records)))

    def test_json_over_h2c(self):
        self.put_over_h2c("h2c-json", "json", "putrecords-h2c")

    def test_cbor_over_h2c(self):
        self.put_over_h2c("h2c-cbor", "cbor", "putrecords-h2c-cbor")

    def test_streams_without_h2c_refused(self):
        rc, line, err = self.run_bench("put-records", "--streams", "4")
        self.assertEqual((rc, line), (2, ""))
        self.assertIn("--streams is for h2c connections (--http 2)", err)

    def test_unknown_http_version_refused(self):
        rc, line, err = self.run_bench("put-records", "--http", "3")
        self.assertEqual((rc, line), (2, ""))
        self.assertIn("--http wants a number in [1, 2], not 3", err)

    def test_unreachable_endpoint(self):
        with socket.socket() as s:  # a port nothing listens on: bound, never listening
            s.bind(("127.0.0.1", 0))
            endpoint = "http://127.0.0.1:%d" % s.getsockname()[1]
            rc, line, err = self.run_bench("put-records", "--http", "2", "--streams", "2",
                                           endpoint=endpoint)
        self.assertEqual((rc, line), (1, ""))
        self.assertIn("cannot connect to 127.0.0.1:", err)


if __name__ == "__main__":
    unittest.main()
