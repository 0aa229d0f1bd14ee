"""test_libkines_aggregation - KPL aggregation cross-checked against the npm aws-kinesis-agg
package (tests/js; `npm ci` there first): what the libkines producer aggregates, aws-kinesis-agg
de-aggregates, and what aws-kinesis-agg aggregates, the libkines consumer de-aggregates.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from kinesd_harness import KinesdTestCase
from test_kinesctl import EXIT_OK, kinesctl

JS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "js")


def kpl_agg(mode, rows):
    """Runs tests/js/kpl_agg.js MODE over ROWS (dicts); returns its output rows."""
    if not shutil.which("node"):
        raise unittest.SkipTest("node is not installed")
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "aws-kinesis-agg")):
        raise unittest.SkipTest("aws-kinesis-agg is not installed: run `npm ci` in tests/js")
    done = subprocess.run(["node", os.path.join(JS_DIR, "kpl_agg.js"), mode],
                          input="".join(json.dumps(r) + "\n" for r in rows).encode(),
                          capture_output=True, timeout=120, cwd=JS_DIR)
    if done.returncode != 0:
        raise AssertionError("kpl_agg.js %s failed: %s" % (mode, done.stderr.decode()))
    return [json.loads(l) for l in done.stdout.decode().splitlines()]


class AggregationCrossCheck(KinesdTestCase):

    SERVER_ARGS = dict(transition_ms=0)

    def raw_records(self, stream):
        records = []
        for shard in self.shards(stream):
            got, _ = self.read_shard(stream, shard["ShardId"])
            records += got
        return records

    def test_libkines_aggregates_are_read_by_aws_kinesis_agg(self):
        stream = "agg-out"
        self.create_stream(stream, shards=2)
        lines = [json.dumps({"k": "key-%d" % (i % 5), "n": i}) for i in range(3000)]
        rc, out, err = kinesctl(self.server.endpoint, "put", stream, "--key-field", "k",
                                "--aggregate", "--output", "json",
                                stdin="\n".join(lines).encode())
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(json.loads(out)["Delivered"], 3000)

        raw = self.raw_records(stream)
        self.assertLess(len(raw), 100, "records were not aggregated")
        users = kpl_agg("deaggregate", [{"Data": base64.b64encode(r["Data"]).decode(),
                                         "SequenceNumber": r["SequenceNumber"],
                                         "PartitionKey": r["PartitionKey"]} for r in raw])
        self.assertEqual(len(users), 3000)
        for key in {json.loads(l)["k"] for l in lines}:
            sent = [l for l in lines if json.loads(l)["k"] == key]
            got = [base64.b64decode(u["data"]).decode() for u in users if u["partitionKey"] == key]
            self.assertEqual(got, sent, "records of %s" % key)

    def test_aws_kinesis_agg_aggregates_are_read_by_libkines(self):
        stream = "agg-in"
        self.create_stream(stream, shards=2)
        users = [{"partitionKey": "user-%d" % (i % 7), "data": base64.b64encode(
            ("record %d" % i).encode()).decode()} for i in range(500)]
        for rec in kpl_agg("aggregate", users):
            args = dict(StreamName=stream, Data=base64.b64decode(rec["data"]),
                        PartitionKey=rec["partitionKey"])
            if rec.get("explicitHashKey"):
                args["ExplicitHashKey"] = rec["explicitHashKey"]
            self.kinesis.put_record(**args)

        rc, out, err = kinesctl(self.server.endpoint, "tail", stream, "--format", "jsonl")
        self.assertEqual(rc, EXIT_OK, err)
        got = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(sorted((g["PartitionKey"], g["Data"]) for g in got),
                         sorted((u["partitionKey"], base64.b64decode(u["data"]).decode())
                                for u in users))
        self.assertTrue(all("SubSequenceNumber" in g for g in got))
        per_record = {}
        for g in got:
            per_record.setdefault(g["SequenceNumber"], []).append(g["SubSequenceNumber"])
        for subs in per_record.values():
            self.assertEqual(subs, list(range(len(subs))))

        # A checkpoint in the middle of an aggregate resumes with its next user record.
        with tempfile.TemporaryDirectory() as tmp:
            checkpoint = os.path.join(tmp, "ckpt")
            parts = []
            for count in ("3", "200", "1000"):
                rc, out, err = kinesctl(self.server.endpoint, "tail", stream, "--format", "jsonl",
                                        "--count", count, "--checkpoint", checkpoint)
                self.assertEqual(rc, EXIT_OK, err)
                parts.append([json.loads(l) for l in out.splitlines()])
        self.assertEqual([len(p) for p in parts], [3, 200, 297])
        self.assertEqual(sorted(json.dumps(g, sort_keys=True) for p in parts for g in p),
                         sorted(json.dumps(g, sort_keys=True) for g in got))


if __name__ == "__main__":
    unittest.main()
