"""test_encryption - encryption at rest with boto3 against a real kinesd.

After StartStreamEncryption every record written is stored sealed (AES-256-GCM under the
stream's data key, itself sealed under DATA/master.key): a distinctive data string and partition
key appear in no file of the data directory, yet GetRecords and SubscribeToShard return them
intact, marked EncryptionType KMS, also after a restart; records written before and after
(StopStreamEncryption) stay plain and readable. A different master key, or none, stops start-up
with a clear reason (never garbage records); the right one brings everything back.
"""

import os
import sqlite3
import time
import unittest

from kinesd_harness import Kinesd, stream_arn

MARKER = b"kinesd-sealed-marker-5ac1"
KEY_MARKER = "kinesd-sealed-key-93be"
BEFORE = b"kinesd-plain-before-0d2e"
AFTER = b"kinesd-plain-after-77f0"


def data_dir_holds(root, needle):
    """The files under ROOT whose raw bytes contain NEEDLE."""
    found = []
    for base, _, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(path)
    return found


class Encryption(unittest.TestCase):
    def setUp(self):
        self.server = Kinesd()
        self.addCleanup(self.server.close)
        self.server.start()
        self.kinesis = self.server.client()

    def wait_active(self, name):
        deadline = time.monotonic() + 10
        while self.kinesis.describe_stream_summary(StreamName=name)[
                "StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "stream not ACTIVE")
            time.sleep(0.05)

    def read_all(self, name):
        """Every record of every shard: [(data, partition key, EncryptionType or None)]."""
        got = []
        for shard in self.kinesis.list_shards(StreamName=name)["Shards"]:
            it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = self.kinesis.get_records(ShardIterator=it, Limit=1000)
                got += [(r["Data"], r["PartitionKey"], r.get("EncryptionType"))
                        for r in page["Records"]]
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
        return sorted(got)

    def write_three_phases(self, name):
        """Plain, then sealed (PutRecord and PutRecords), then plain again."""
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        self.wait_active(name)
        self.kinesis.put_record(StreamName=name, Data=BEFORE, PartitionKey="p")
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                             KeyId="alias/aws/kinesis")
        self.wait_active(name)
        one = self.kinesis.put_record(StreamName=name, Data=MARKER + b"-1",
                                      PartitionKey=KEY_MARKER)
        self.assertEqual(one["EncryptionType"], "KMS")
        many = self.kinesis.put_records(StreamName=name, Records=[
            {"Data": MARKER + b"-%d" % i, "PartitionKey": KEY_MARKER + str(i)}
            for i in range(2, 40)])
        self.assertEqual(many["FailedRecordCount"], 0)
        self.assertEqual(many["EncryptionType"], "KMS")
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS",
                                            KeyId="alias/aws/kinesis")
        self.wait_active(name)
        plain = self.kinesis.put_record(StreamName=name, Data=AFTER, PartitionKey="p")
        self.assertNotIn("EncryptionType", plain)

    def expected(self):
        return sorted([(BEFORE, "p", None), (AFTER, "p", None), (MARKER + b"-1", KEY_MARKER, "KMS")]
                      + [(MARKER + b"-%d" % i, KEY_MARKER + str(i), "KMS") for i in range(2, 40)])

    def test_sealed_records_are_nowhere_in_the_files(self):
        self.write_three_phases("sealed")
        self.assertEqual(self.read_all("sealed"), self.expected())
        self.assertEqual(self.server.stop(), 0)
        root = self.server.data_dir
        self.assertEqual(data_dir_holds(root, MARKER), [])
        self.assertEqual(data_dir_holds(root, KEY_MARKER.encode()), [])
        self.assertNotEqual(data_dir_holds(root, BEFORE), [])  # the search does find plain text
        self.server.restart()
        self.assertEqual(self.read_all("sealed"), self.expected())

    def test_describe_reports_the_key(self):
        self.kinesis.create_stream(StreamName="described", ShardCount=1)
        self.wait_active("described")
        key = "arn:aws:kms:us-east-1:000000000000:key/12345678-1234-1234-1234-123456789012"
        self.kinesis.start_stream_encryption(StreamName="described", EncryptionType="KMS",
                                             KeyId=key)
        full = self.kinesis.describe_stream(StreamName="described")["StreamDescription"]
        summary = self.kinesis.describe_stream_summary(
            StreamName="described")["StreamDescriptionSummary"]
        for d in (full, summary):
            self.assertEqual((d["EncryptionType"], d["KeyId"]), ("KMS", key))

    def test_subscribe_opens_sealed_records(self):
        self.kinesis.create_stream(StreamName="pushed", ShardCount=1)
        self.wait_active("pushed")
        self.kinesis.start_stream_encryption(StreamName="pushed", EncryptionType="KMS",
                                             KeyId="alias/aws/kinesis")
        self.wait_active("pushed")
        arn = self.kinesis.register_stream_consumer(
            StreamARN=stream_arn("pushed"), ConsumerName="reader")["Consumer"]["ConsumerARN"]
        sent = [MARKER + b"-push-%d" % i for i in range(5)]
        self.kinesis.put_records(StreamName="pushed",
                                 Records=[{"Data": d, "PartitionKey": "k"} for d in sent])
        deadline = time.monotonic() + 10
        while self.kinesis.describe_stream_consumer(ConsumerARN=arn)[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        events = self.kinesis.subscribe_to_shard(
            ConsumerARN=arn, ShardId="shardId-000000000000",
            StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
        got = []
        for event in events:
            got += [(r["Data"], r.get("EncryptionType"))
                    for r in event["SubscribeToShardEvent"]["Records"]]
            if len(got) >= len(sent):
                break
        events.close()
        self.assertEqual(got, [(d, "KMS") for d in sent])

    def test_stream_encrypted_by_an_older_kinesd(self):
        """A stream whose encryption an older kinesd only recorded gets its data key at start."""
        self.kinesis.create_stream(StreamName="older", ShardCount=1)
        self.wait_active("older")
        self.kinesis.start_stream_encryption(StreamName="older", EncryptionType="KMS",
                                             KeyId="alias/aws/kinesis")
        self.assertEqual(self.server.stop(), 0)
        db = sqlite3.connect(os.path.join(self.server.data_dir, "meta.sqlite"))
        with db:
            db.execute("UPDATE streams SET data_key = 0")
            db.execute("DELETE FROM data_keys")
        db.close()
        self.server.restart()
        self.assertIn("stream older: records written from now on are encrypted",
                      self.server.logs())
        self.wait_active("older")
        self.kinesis.put_record(StreamName="older", Data=MARKER, PartitionKey="p")
        self.assertEqual(self.read_all("older"), [(MARKER, "p", "KMS")])
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(data_dir_holds(self.server.data_dir, MARKER), [])

    def test_another_master_key_stops_start_up(self):
        self.write_three_phases("keyed")
        self.assertEqual(self.server.stop(), 0)
        key_path = os.path.join(self.server.data_dir, "master.key")
        with open(key_path, "rb") as f:
            right = f.read()
        with open(key_path, "wb") as f:
            f.write(bytes(32))
        with self.assertRaises(RuntimeError) as caught:
            self.server.restart()
        self.assertIn("kinesd exited with 1", str(caught.exception))
        self.assertIn("the master key does not open", str(caught.exception))
        with open(key_path, "wb") as f:
            f.write(b"short")
        with self.assertRaises(RuntimeError) as caught:
            self.server.restart()
        self.assertIn("is not 32 bytes", str(caught.exception))
        with open(key_path, "wb") as f:
            f.write(right)
        self.server.restart()
        self.assertEqual(self.read_all("keyed"), self.expected())


if __name__ == "__main__":
    unittest.main()
