"""test_libkines_roundtrip - the libkines producer and consumer end to end, through kinesctl put
and kinesctl tail, against a real kinesd.

100,000 records under 50 partition keys are produced while the stream is resharded from 2 to 3
shards; the consumer reads them in two runs that share a checkpoint file. Nothing is lost, and per
key the records come out in the order they went in (parents are read before children). A put that
lives through a kinesd restart still delivers every line.
"""

import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from kinesd_harness import KinesdTestCase
from test_kinesctl import EXIT_OK, clean_env, kinesctl, kinesctl_bin

RECORDS = 100_000
KEYS = 50


def lines_for(start, stop):
    return "".join(json.dumps({"k": "key-%d" % (i % KEYS), "n": i}) + "\n"
                   for i in range(start, stop)).encode()


class ProducerConsumerRoundTrip(KinesdTestCase):

    SERVER_ARGS = dict(transition_ms=0, durability="none")

    def start_put(self, stream, *extra):
        return subprocess.Popen(
            [kinesctl_bin(), "put", stream, "--key-field", "k", "--output", "json",
             "--endpoint-url", self.server.endpoint] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())

    def finish_put(self, proc):
        proc.stdin = None  # closed by the test already
        out, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, EXIT_OK, err.decode())
        return json.loads(out)

    def tail(self, stream, *extra):
        rc, out, err = kinesctl(self.server.endpoint, "tail", stream, "--format", "jsonl", *extra,
                                timeout=300)
        self.assertEqual(rc, EXIT_OK, err)
        return [json.loads(l) for l in out.splitlines()]

    def assert_complete_and_ordered(self, records, total):
        """Every n in 0..total-1 is there once, and per key they come in increasing order."""
        datas = [r["Data"] for r in records]
        self.assertEqual(sorted(d["n"] for d in datas), list(range(total)))
        last = {}
        for d in datas:
            self.assertGreater(d["n"], last.get(d["k"], -1), "order of key %s" % d["k"])
            last[d["k"]] = d["n"]

    def wait_for_some_records(self, stream, deadline_s=60):
        """Waits until the producer delivered records to the stream (its first shards)."""
        deadline = time.monotonic() + deadline_s
        while not any(self.kinesis.get_records(
                ShardIterator=self.kinesis.get_shard_iterator(
                    StreamName=stream, ShardId=s["ShardId"],
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"], Limit=1)["Records"]
                for s in self.shards(stream)):
            self.assertLess(time.monotonic(), deadline, "nothing delivered in %d s" % deadline_s)
            time.sleep(0.05)

    def test_round_trip_across_reshard_with_checkpoint_restart(self):
        stream = "rt-reshard"
        self.create_stream(stream, shards=2)
        put = self.start_put(stream)
        put.stdin.write(lines_for(0, RECORDS // 2))
        put.stdin.flush()
        self.wait_for_some_records(stream)  # part of it goes to the parent shards
        self.kinesis.update_shard_count(StreamName=stream, TargetShardCount=3,
                                        ScalingType="UNIFORM_SCALING")
        self.wait_active(stream)
        put.stdin.write(lines_for(RECORDS // 2, RECORDS))
        put.stdin.close()
        summary = self.finish_put(put)
        self.assertEqual((summary["Delivered"], summary["Failed"]), (RECORDS, 0))
        shards = self.shards(stream)
        self.assertGreater(len(shards), 3, "the reshard left no closed parents")

        with tempfile.TemporaryDirectory() as tmp:
            checkpoint = os.path.join(tmp, "ckpt.sqlite")
            first = self.tail(stream, "--count", "40000", "--checkpoint", checkpoint)
            self.assertEqual(len(first), 40000)
            rest = self.tail(stream, "--checkpoint", checkpoint)
            again = self.tail(stream, "--checkpoint", checkpoint)
        self.assertEqual(again, [])  # everything was checkpointed
        self.assert_complete_and_ordered(first + rest, RECORDS)  # a clean stop redelivers nothing
        closed = {s["ShardId"] for s in shards if "EndingSequenceNumber" in s["SequenceNumberRange"]}
        used = {r["ShardId"] for r in first + rest}
        self.assertTrue(used & closed and used - closed, "records did not span the reshard")

        # The consumer followed lineage: each child's records come after its parents' records.
        order = [r["ShardId"] for r in first + rest]
        by_id = {s["ShardId"]: s for s in shards}
        for child in shards:
            mine = [i for i, sid in enumerate(order) if sid == child["ShardId"]]
            for parent in (child.get("ParentShardId"), child.get("AdjacentParentShardId")):
                theirs = [i for i, sid in enumerate(order) if sid == parent]
                if parent in by_id and mine and theirs:
                    self.assertLess(max(theirs), min(mine), "%s before its parent %s"
                                    % (child["ShardId"], parent))

    def test_put_survives_a_server_restart(self):
        stream = "rt-restart"
        self.create_stream(stream, shards=2)
        put = self.start_put(stream)
        put.stdin.write(lines_for(0, 5000))
        put.stdin.flush()
        self.wait_for_some_records(stream)  # part of it before the restart
        self.assertEqual(self.server.stop(), 0)
        writer = threading.Thread(target=lambda: (put.stdin.write(lines_for(5000, 10000)),
                                                  put.stdin.close()))
        writer.start()
        time.sleep(1.0)  # the producer meets connection errors and keeps its records
        self.server.restart()
        writer.join(60)
        summary = self.finish_put(put)
        self.assertEqual((summary["Delivered"], summary["Failed"]), (10000, 0))
        self.assert_complete_and_ordered(self.tail(stream), 10000)


if __name__ == "__main__":
    unittest.main()
