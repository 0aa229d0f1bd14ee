"""Event source mappings across restarts: after kill -9 processing resumes at the last stored
checkpoint (records may come again, none is skipped); records older than
MaximumRecordAgeInSeconds (kinesd restarted with its clock two minutes ahead) are given up to the
OnFailure queue, never sent."""

import json
import os
import sys
import unittest

from kinesd_harness import clock_shift_shim
from lambda_fixtures import EsmTestCase, record_data

SERVER_ARGS = {"extra_args": ["--lambda-python", sys.executable]}


class EsmKillTest(EsmTestCase):
    SERVER_ARGS = SERVER_ARGS

    def restart(self, env=None):
        if env is not None:
            self.server.env = env
        self.server.restart()
        type(self).lam = self.server.client("lambda", read_timeout=60)
        type(self).kinesis = self.server.client()

    def test_kill9_mid_processing_skips_nothing(self):
        out = self.esm_function("esm-crash", env={"SLEEP": 0.05})
        self.create_stream("esm-crash", shards=2)
        self.lam.create_event_source_mapping(
            FunctionName="esm-crash", EventSourceArn=self.stream_arn("esm-crash"),
            StartingPosition="TRIM_HORIZON", BatchSize=10)
        datas = [b"r-%d" % i for i in range(600)]
        self.put_many("esm-crash", datas)
        self.wait_for("some records processed", lambda: len(self.seen_records(out)) >= 100)
        self.server.kill9()
        before = len(self.seen_records(out))
        self.restart()
        seen = self.wait_records(out, 600, timeout_s=90)
        self.assertEqual({record_data(r) for r in seen}, set(datas))
        self.assertLess(before, 600, "the kill came after everything was processed")
        first_seen = {}
        for rec in seen:
            first_seen.setdefault(rec["kinesis"]["sequenceNumber"], rec["eventID"])
        by_shard = {}
        for seq, event_id in first_seen.items():
            by_shard.setdefault(event_id.split(":")[0], []).append(seq)
        for seqs in by_shard.values():
            self.assertEqual(seqs, sorted(seqs, key=int))

    def test_old_records_given_up(self):
        shim = clock_shift_shim(self)
        sqs, url, queue_arn = self.sqs_queue("esm-age-dlq")
        out = self.esm_function("esm-age")
        self.create_stream("esm-age")
        self.put_many("esm-age", [b"old-%d" % i for i in range(3)])
        self.assertEqual(self.server.stop(), 0)
        self.restart(dict(ITEST_CLOCK_SHIFT_MS=str(120 * 1000), LD_PRELOAD=shim,
                          ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                          + ":verify_asan_link_order=0"))
        self.lam.create_event_source_mapping(
            FunctionName="esm-age", EventSourceArn=self.stream_arn("esm-age"),
            StartingPosition="TRIM_HORIZON", MaximumRecordAgeInSeconds=60,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        self.put_many("esm-age", [b"new-%d" % i for i in range(2)])
        seen = self.wait_records(out, 2)
        self.assertEqual([record_data(r) for r in seen], [b"new-0", b"new-1"])
        sqs = self.server.client("sqs")
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
        self.assertEqual(len(messages), 1)
        failure = json.loads(messages[0]["Body"])
        self.assertEqual(failure["requestContext"]["condition"], "RecordAgeExceeded")
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 0)
        self.assertNotIn("responseContext", failure)
        self.assertEqual(failure["KinesisBatchInfo"]["batchSize"], 3)


if __name__ == "__main__":
    unittest.main()
