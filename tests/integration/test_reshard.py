"""test_reshard - split, merge and UpdateShardCount while writers keep putting.

Afterwards every shard is read parent-first (following ParentShardId / AdjacentParentShardId and
the ChildShards of closed shards): nothing acknowledged is lost or doubled, per-key order holds,
closed shards carry EndingSequenceNumber and end with ChildShards and no NextShardIterator.
ON_DEMAND streams refuse manual resharding.
"""

import threading
import time
import unittest

from botocore.exceptions import ClientError

from kinesd_harness import KinesdTestCase

STREAM = "resharded"
WRITE_MIN_S = 1.0
WRITE_MAX_S = 15.0


EDGE_SLACK = 2**32  # how far UpdateShardCount may leave an edge from an even boundary


def expected_ranges(count):
    width = 2**128 // count
    return [(width * i, (width * (i + 1) if i < count - 1 else 2**128) - 1) for i in range(count)]


class Writer(threading.Thread):
    """Puts records for its own keys until stopped; remembers every acknowledgement in order."""

    def __init__(self, client, prefix, batch):
        super().__init__(daemon=True)
        self.client, self.prefix, self.batch = client, prefix, batch
        self.acked = []        # (key, data, sequence number, shard id), in acknowledgement order
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        deadline = time.monotonic() + WRITE_MAX_S
        counter = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            entries = []
            for _ in range(self.batch):
                key = "%s%d" % (self.prefix, counter % 10)
                entries.append((key, ("%s:%d" % (key, counter)).encode()))
                counter += 1
            try:
                self.put(entries)
            except Exception as e:  # reported by the test, which must see none
                self.errors.append(repr(e))
                return

    def put(self, entries):
        if self.batch == 1:
            key, data = entries[0]
            out = self.client.put_record(StreamName=STREAM, PartitionKey=key, Data=data)
            self.acked.append((key, data, out["SequenceNumber"], out["ShardId"]))
            return
        out = self.client.put_records(StreamName=STREAM, Records=[
            {"PartitionKey": key, "Data": data} for key, data in entries])
        if out["FailedRecordCount"]:
            raise AssertionError("PutRecords failed records: %r" % out)
        for (key, data), result in zip(entries, out["Records"]):
            self.acked.append((key, data, result["SequenceNumber"], result["ShardId"]))


class Reshard(KinesdTestCase):

    def wait_updated(self):
        return self.wait_active(STREAM)

    def open_shards(self):
        return [s for s in self.shards(STREAM)
                if "EndingSequenceNumber" not in s["SequenceNumberRange"]]

    def assert_near_even(self, shards, count):
        got = self.ranges(shards)
        self.assertEqual(len(got), count)
        self.assertEqual([r[0] for r in got[1:]], [r[1] + 1 for r in got[:-1]])
        for (start, end), (even_start, even_end) in zip(got, expected_ranges(count)):
            self.assertLessEqual(abs(start - even_start), EDGE_SLACK)
            self.assertLessEqual(abs(end - even_end), EDGE_SLACK)

    def ranges(self, shards):
        return sorted((int(s["HashKeyRange"]["StartingHashKey"]),
                       int(s["HashKeyRange"]["EndingHashKey"])) for s in shards)

    def reshard(self):
        """Split, merge, x2, /2; returns the split and merge details for the checks."""
        shard0 = self.shards(STREAM)[0]
        low = int(shard0["HashKeyRange"]["StartingHashKey"])
        high = int(shard0["HashKeyRange"]["EndingHashKey"])
        middle = (low + high) // 2
        self.kinesis.split_shard(StreamName=STREAM, ShardToSplit=shard0["ShardId"],
                                 NewStartingHashKey=str(middle))
        self.wait_updated()
        upper_child = [s for s in self.open_shards()
                       if int(s["HashKeyRange"]["StartingHashKey"]) == middle][0]
        self.assertEqual(int(upper_child["HashKeyRange"]["EndingHashKey"]), high)
        neighbour = [s for s in self.open_shards()
                     if int(s["HashKeyRange"]["StartingHashKey"]) == high + 1][0]
        time.sleep(0.2)
        self.kinesis.merge_shards(StreamName=STREAM, ShardToMerge=upper_child["ShardId"],
                                  AdjacentShardToMerge=neighbour["ShardId"])
        self.wait_updated()
        self.assertEqual(len(self.open_shards()), 2)
        time.sleep(0.2)
        out = self.kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=4,
                                              ScalingType="UNIFORM_SCALING")
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (2, 4))
        self.wait_updated()
        self.assert_near_even(self.open_shards(), 4)
        time.sleep(0.2)
        out = self.kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=2,
                                              ScalingType="UNIFORM_SCALING")
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (4, 2))
        self.wait_updated()
        self.assert_near_even(self.open_shards(), 2)
        summary = self.kinesis.describe_stream_summary(StreamName=STREAM)
        self.assertEqual(summary["StreamDescriptionSummary"]["OpenShardCount"], 2)
        return shard0["ShardId"], upper_child["ShardId"], neighbour["ShardId"]

    def read_to_end(self, shard):
        """(records, final page) of one shard from TRIM_HORIZON to its end."""
        it = self.kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        records = []
        for _ in range(5000):
            page = self.kinesis.get_records(ShardIterator=it, Limit=500)
            records += page["Records"]
            it = page.get("NextShardIterator")
            if it is None:
                self.assertTrue(closed, "open shard %s returned no NextShardIterator"
                                % shard["ShardId"])
                return records, page
            if not closed and not page["Records"] and page["MillisBehindLatest"] == 0:
                return records, page
        self.fail("shard %s never ended" % shard["ShardId"])

    def read_parent_first(self, shards):
        by_id = {s["ShardId"]: s for s in shards}
        done, order, finals, records = set(), [], {}, []
        while len(done) < len(shards):
            ready = [s for s in shards if s["ShardId"] not in done and all(
                p in done for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId"))
                if p in by_id)]
            self.assertTrue(ready, "parent links form a cycle: %r" % shards)
            for shard in ready:
                got, final = self.read_to_end(shard)
                finals[shard["ShardId"]] = final
                records += [(shard["ShardId"], r) for r in got]
                done.add(shard["ShardId"])
                order.append(shard["ShardId"])
        return records, finals

    def test_reshard_under_load(self):
        self.create_stream(STREAM, shards=2)
        writers = [Writer(self.server.client(), "single-", 1),
                   Writer(self.server.client(), "batch-", 20)]
        for w in writers:
            w.start()
        started = time.monotonic()
        try:
            split_parent, merge_parent, merge_adjacent = self.reshard()
            time.sleep(max(0.0, WRITE_MIN_S - (time.monotonic() - started)))
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(WRITE_MAX_S + 30)
        for w in writers:
            self.assertEqual(w.errors, [], "a writer failed while resharding")
            self.assertGreater(len(w.acked), 10)

        shards = self.shards(STREAM)
        by_id = {s["ShardId"]: s for s in shards}
        records, finals = self.read_parent_first(shards)

        acked = [a for w in writers for a in w.acked]
        read = [(r["PartitionKey"], r["Data"], r["SequenceNumber"], sid) for sid, r in records]
        self.assertEqual(len(read), len(set(read)), "a record was read twice")
        self.assertEqual(sorted(read), sorted(acked), "read records differ from acknowledged")

        for w in writers:
            keys = {a[0] for a in w.acked}
            for key in keys:
                self.assertEqual([r[1] for r in read if r[0] == key],
                                 [a[1] for a in w.acked if a[0] == key],
                                 "order of key %s not kept" % key)

        self.check_lineage(by_id, finals, records, split_parent, merge_parent, merge_adjacent)

    def check_lineage(self, by_id, finals, records, split_parent, merge_parent, merge_adjacent):
        split_children = [s for s in by_id.values() if s.get("ParentShardId") == split_parent]
        self.assertEqual(len(split_children), 2)
        for child in split_children:
            self.assertNotIn("AdjacentParentShardId", child)
        merged = [s for s in by_id.values() if s.get("ParentShardId") == merge_parent
                  and s.get("AdjacentParentShardId") == merge_adjacent]
        self.assertEqual(len(merged), 1, "no shard has the merged parents: %r" % by_id)

        for shard_id, shard in by_id.items():
            seqs = [int(r["SequenceNumber"]) for sid, r in records if sid == shard_id]
            rng = shard["SequenceNumberRange"]
            self.assertEqual(seqs, sorted(seqs))
            if seqs:
                self.assertGreaterEqual(seqs[0], int(rng["StartingSequenceNumber"]))
            if "EndingSequenceNumber" in rng:
                final = finals[shard_id]
                self.assertNotIn("NextShardIterator", final)
                children = final.get("ChildShards")
                self.assertTrue(children, "closed shard %s ended without ChildShards" % shard_id)
                for child in children:
                    self.assertIn(child["ShardId"], by_id)
                    self.assertIn(shard_id, child["ParentShards"])
                    self.assertEqual(child["HashKeyRange"], by_id[child["ShardId"]]["HashKeyRange"])
                if seqs:
                    self.assertLessEqual(seqs[-1], int(rng["EndingSequenceNumber"]))
            for parent in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")):
                if parent in by_id:
                    self.assertIn("EndingSequenceNumber", by_id[parent]["SequenceNumberRange"])
                    self.assertGreater(int(rng["StartingSequenceNumber"]),
                                       int(by_id[parent]["SequenceNumberRange"]
                                           ["EndingSequenceNumber"]))

    def test_on_demand_refuses_manual_resharding(self):
        name = "od-reshard"
        self.create_on_demand(name)
        shards = self.shards(name)
        first = shards[0]
        middle = (int(first["HashKeyRange"]["StartingHashKey"])
                  + int(first["HashKeyRange"]["EndingHashKey"])) // 2
        attempts = [
            lambda: self.kinesis.split_shard(StreamName=name, ShardToSplit=first["ShardId"],
                                             NewStartingHashKey=str(middle)),
            lambda: self.kinesis.merge_shards(StreamName=name, ShardToMerge=shards[0]["ShardId"],
                                              AdjacentShardToMerge=shards[1]["ShardId"]),
            lambda: self.kinesis.update_shard_count(StreamName=name, TargetShardCount=8,
                                                    ScalingType="UNIFORM_SCALING"),
        ]
        for attempt in attempts:
            with self.assertRaises(ClientError) as caught:
                attempt()
            error = caught.exception.response
            self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertIn(error["Error"]["Code"], ("ValidationException",
                                                   "InvalidArgumentException"), error)
            self.assertTrue(error["Error"]["Message"])
        self.assertEqual(self.shards(name), shards)


if __name__ == "__main__":
    unittest.main()
