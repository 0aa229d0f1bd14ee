"""test_recovery - start-up on damaged data: refused by default, quarantined on request, never wiped

Each test writes records through a real kinesd, stops it, damages the data directory as a disk
or an operator might, and checks what the next start does: a bit flipped in synced records or a
lost meta.sqlite makes kinesd refuse to start (non-zero exit, a message naming the damage, nothing
changed); `--recover quarantine` moves the damaged file aside, keeps the intact records and never
hands out a sequence number twice; `kinesd check` reports the same damage offline.
"""

import glob
import os
import subprocess
import unittest

import boto3
from botocore.config import Config

from kinesd_harness import Kinesd

RECORDS = 20


class Recovery(unittest.TestCase):

    def setUp(self):
        self.server = Kinesd().start()
        self.addCleanup(self.server.close)

    def client(self):
        return boto3.client("kinesis", endpoint_url=self.server.endpoint, region_name="us-east-1",
                            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                            config=Config(retries={"max_attempts": 1}))

    def put_records(self, count=RECORDS):
        kin = self.client()
        kin.create_stream(StreamName="s", ShardCount=1)
        kin.get_waiter("stream_exists").wait(StreamName="s", WaiterConfig={"Delay": 0.1})
        return [int(kin.put_record(StreamName="s", PartitionKey="k", Data=b"r%03d" % i)
                    ["SequenceNumber"]) for i in range(count)]

    def read_all(self):
        kin = self.client()
        shard = kin.list_shards(StreamName="s")["Shards"][0]["ShardId"]
        it = kin.get_shard_iterator(StreamName="s", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return kin.get_records(ShardIterator=it, Limit=1000)["Records"]

    def check(self):
        done = subprocess.run([self.server.binary, "check", self.server.data_dir],
                              capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout

    def start_fails(self):
        with self.assertRaises(RuntimeError) as failure:
            self.server.restart()
        self.server.proc = None
        return str(failure.exception)

    def only_segment(self):
        logs = glob.glob(os.path.join(self.server.data_dir, "streams", "*", "0", "*.log"))
        self.assertEqual(len(logs), 1)
        return logs[0]

    def test_bit_flip_refused_then_quarantined(self):
        sequence_numbers = self.put_records()
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(self.check()[0], 0, "a clean directory checks clean")
        segment = self.only_segment()
        with open(segment, "r+b") as f:
            f.seek(os.path.getsize(segment) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x10]))
        with open(segment, "rb") as f:
            before = f.read()

        message = self.start_fails()
        self.assertIn(segment, message)
        self.assertIn("--recover quarantine", message)
        with open(segment, "rb") as f:
            self.assertEqual(f.read(), before, "a refused start changes nothing")
        status, report = self.check()
        self.assertEqual(status, 1)
        self.assertIn(segment, report)

        self.server.extra_args = ["--recover", "quarantine"]
        self.server.restart()
        quarantined = glob.glob(os.path.join(self.server.data_dir, "quarantine", "streams", "*",
                                             "0", "*.log"))
        self.assertEqual(len(quarantined), 1)
        with open(quarantined[0], "rb") as f:
            self.assertEqual(f.read(), before)
        kept = self.read_all()
        self.assertGreater(len(kept), 0)
        self.assertLess(len(kept), RECORDS)
        self.assertEqual([r["Data"] for r in kept], [b"r%03d" % i for i in range(len(kept))])
        after = self.client().put_record(StreamName="s", PartitionKey="k", Data=b"after")
        self.assertGreater(int(after["SequenceNumber"]), max(sequence_numbers),
                           "a sequence number handed out before was handed out again")

    def test_lost_metadata_is_refused_never_wiped(self):
        self.put_records(5)
        self.assertEqual(self.server.stop(), 0)
        segment = self.only_segment()
        meta = os.path.join(self.server.data_dir, "meta.sqlite")
        for damage in ("truncate", "delete"):
            with self.subTest(damage=damage):
                if damage == "truncate":
                    open(meta, "w").close()
                else:
                    os.unlink(meta)
                self.assertIn("meta.sqlite", self.start_fails())
                self.assertTrue(os.path.exists(segment), "the stream's records were deleted")
                self.assertEqual(self.check()[0], 1)


if __name__ == "__main__":
    unittest.main()
