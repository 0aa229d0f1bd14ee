"""test_full_disk - a full disk answers puts with a retryable error and shows nothing else.

kinesd runs on a small loop-mounted ext4 file system that a filler file then fills up. Puts keep
being answered: the ones that found space with their sequence numbers, the others with a 500
InternalFailure (which every AWS SDK retries). What can be read, before and after a restart, is
exactly what was acknowledged, in order; once the filler is removed, puts succeed again.
Skipped where loop mounts are not possible (not root, no losetup support).
"""

import os
import subprocess
import tempfile
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from kinesd_harness import Kinesd

IMAGE_MB = 24
RECORD = b"x" * 2000


def client(server):
    return boto3.client("kinesis", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}))


class FullDisk(unittest.TestCase):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="kinesd-fulldisk-")
        image, self.mnt = os.path.join(self.root, "fs.img"), os.path.join(self.root, "mnt")
        os.makedirs(self.mnt)
        with open(image, "wb") as f:
            f.truncate(IMAGE_MB << 20)
        made = subprocess.run(["mkfs.ext4", "-q", image], capture_output=True)
        mounted = made.returncode == 0 and subprocess.run(
            ["mount", "-o", "loop", image, self.mnt], capture_output=True).returncode == 0
        if not mounted:
            subprocess.run(["rm", "-rf", self.root])
            self.skipTest("cannot loop-mount a file system here")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.root])
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt])
        self.server = Kinesd()
        self.server.data_dir = os.path.join(self.mnt, "data")
        self.server.env["KINESD_SEGMENT_BYTES"] = str(256 << 10)
        self.server.start()
        self.addCleanup(self.server.close)

    def fill(self):
        self.filler = os.path.join(self.mnt, "filler")
        with open(self.filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * (64 << 10))
                    f.flush()
            except OSError:
                pass
        fd = os.open(self.filler, os.O_RDONLY)
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)  # an open filler would keep its space after the unlink

    def put_until_failures(self, kin, count):
        acked, failed = [], 0
        for i in range(count):
            data = b"%06d" % i + RECORD
            try:
                out = kin.put_record(StreamName="full", PartitionKey="k", Data=data)
                acked.append((data, int(out["SequenceNumber"])))
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "InternalFailure")
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 500)
                failed += 1
                if failed >= 20:
                    break
        return acked, failed

    def read_all(self, kin):
        shard = kin.list_shards(StreamName="full")["Shards"][0]["ShardId"]
        it = kin.get_shard_iterator(StreamName="full", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        found = []
        while True:
            out = kin.get_records(ShardIterator=it, Limit=10000)
            found += [(r["Data"], int(r["SequenceNumber"])) for r in out["Records"]]
            if not out["Records"]:
                return found
            it = out["NextShardIterator"]

    def test_full_disk_refuses_puts_and_shows_only_acknowledged(self):
        kin = client(self.server)
        kin.create_stream(StreamName="full", ShardCount=1)
        kin.get_waiter("stream_exists").wait(StreamName="full", WaiterConfig={"Delay": 0.1})
        self.fill()
        acked, failed = self.put_until_failures(kin, 20000)
        self.assertGreater(failed, 0, "the disk never filled up")
        self.assertEqual(self.read_all(kin), acked)

        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        kin = client(self.server)
        self.assertEqual(self.read_all(kin), acked, "unacknowledged records survived a restart")

        os.unlink(self.filler)
        out = kin.put_record(StreamName="full", PartitionKey="k", Data=b"after")
        self.assertGreater(int(out["SequenceNumber"]), acked[-1][1] if acked else 0)
        self.assertEqual(self.read_all(kin), acked + [(b"after", int(out["SequenceNumber"]))])


if __name__ == "__main__":
    unittest.main()
