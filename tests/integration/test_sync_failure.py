"""test_sync_failure - a disk that stops syncing: the puts waiting for their fdatasync are answered.

kinesd runs with tests/fault/failsync.so preloaded, whose fsync and fdatasync fail with EIO once a
trigger file exists. Puts before that are acknowledged. After it, the store can make nothing
durable again: a put that was waiting for the group commit's fdatasync is answered 500
InternalFailure (which the SDKs retry), and so are the puts after it; nothing of theirs is
readable, and what was acknowledged stays readable. Skipped without failsync.so (the ASan build does not preload it).
"""

import os
import tempfile
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from kinesd_harness import Kinesd


def shim_path():
    build = os.environ.get("KINESD_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "build"))
    return os.path.join(build, "failsync.so")


class SyncFailure(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(shim_path()):
            raise unittest.SkipTest("no failsync.so in the build directory")
        self.trigger = os.path.join(tempfile.mkdtemp(prefix="failsync-"), "fail-now")
        self.server = Kinesd(env={"LD_PRELOAD": shim_path(), "FAILSYNC_TRIGGER": self.trigger})
        self.server.start()
        self.addCleanup(self.server.stop)
        # one attempt, so that each answer seen is kinesd's own
        self.kinesis = boto3.client(
            "kinesis", endpoint_url=self.server.endpoint, region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
            config=Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=30))

    def put(self, data):
        return self.kinesis.put_record(StreamName="s", PartitionKey="k", Data=data)

    def assert_internal_failure(self, data):
        with self.assertRaises(ClientError) as caught:
            self.put(data)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], "InternalFailure", error)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 500)

    def test_waiting_puts_are_answered_when_the_disk_stops_syncing(self):
        self.kinesis.create_stream(StreamName="s", ShardCount=1)
        self.kinesis.get_waiter("stream_exists").wait(StreamName="s",
                                                      WaiterConfig={"Delay": 0.1})
        acknowledged = self.put(b"before")["SequenceNumber"]
        open(self.trigger, "w").close()
        self.assert_internal_failure(b"waiting for the fdatasync that fails")
        self.assert_internal_failure(b"after the store failed")
        shard = self.kinesis.list_shards(StreamName="s")["Shards"][0]["ShardId"]
        iterator = self.kinesis.get_shard_iterator(
            StreamName="s", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = self.kinesis.get_records(ShardIterator=iterator)["Records"]
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in records],
                         [(acknowledged, b"before")])


if __name__ == "__main__":
    unittest.main()
