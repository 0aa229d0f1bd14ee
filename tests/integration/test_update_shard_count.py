"""test_update_shard_count - UpdateShardCount's splits and merges, seen through boto3.

Doubling splits each open shard once, halving merges each adjacent pair once, and other counts
split and merge only where the target's boundaries need it: no sliver of a few keys is split off
because even ranges of different counts round differently. Afterwards the open shards tile the
hash key space exactly, each within EDGE_SLACK keys of its even range; every parent is closed, a
split child lies inside its parent and a merged child covers exactly its two adjacent parents;
records route by hash key to the open shard that holds it.
"""

import unittest

from kinesd_harness import MAX_HASH_KEY, KinesdTestCase

EDGE_SLACK = 2**32  # how far ops_reshard.c lets a shard edge lie from an even boundary

# (shards at creation, target, shards in all afterwards)
STEPS = [(3, 6, 9), (4, 8, 12), (8, 4, 12), (4, 6, 14), (6, 4, 14)]


def even_ranges(count):
    width = 2**128 // count
    return [(width * i, (width * (i + 1) if i < count - 1 else 2**128) - 1) for i in range(count)]


def key_range(shard):
    return (int(shard["HashKeyRange"]["StartingHashKey"]),
            int(shard["HashKeyRange"]["EndingHashKey"]))


def is_open(shard):
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


class UpdateShardCount(KinesdTestCase):

    def update(self, name, target):
        out = self.kinesis.update_shard_count(StreamName=name, TargetShardCount=target,
                                              ScalingType="UNIFORM_SCALING")
        self.assertEqual(out["TargetShardCount"], target)
        self.wait_active(name)
        return self.shards(name)

    def assert_near_even(self, shards, count):
        ranges = sorted(key_range(s) for s in shards if is_open(s))
        self.assertEqual(len(ranges), count)
        self.assertEqual(ranges[0][0], 0)
        self.assertEqual(ranges[-1][1], MAX_HASH_KEY)
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            self.assertEqual(start, end + 1)
        for got, want in zip(ranges, even_ranges(count)):
            self.assertLessEqual(abs(got[0] - want[0]), EDGE_SLACK, (got, want))
            self.assertLessEqual(abs(got[1] - want[1]), EDGE_SLACK, (got, want))

    def assert_lineage(self, shards):
        by_id = {s["ShardId"]: s for s in shards}
        for child in shards:
            parents = [by_id[p] for p in (child.get("ParentShardId"),
                                          child.get("AdjacentParentShardId")) if p]
            for parent in parents:
                self.assertFalse(is_open(parent), parent)
            low, high = key_range(child)
            if len(parents) == 1:
                p_low, p_high = key_range(parents[0])
                self.assertTrue(p_low <= low and high <= p_high, (child, parents))
            elif len(parents) == 2:
                left, right = sorted(key_range(p) for p in parents)
                self.assertEqual(left[1] + 1, right[0])
                self.assertEqual((low, high), (left[0], right[1]))

    def assert_routing(self, name, shards):
        for shard in filter(is_open, shards):
            for key in key_range(shard):
                out = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"x",
                                              ExplicitHashKey=str(key))
                self.assertEqual(out["ShardId"], shard["ShardId"])

    def test_counts(self):
        for created, target, in_all in STEPS:
            with self.subTest(created=created, target=target):
                name = "usc-%d-%d" % (created, target)
                self.create_stream(name, shards=created)
                shards = self.update(name, target)
                self.assertEqual(len(shards), in_all)
                self.assert_near_even(shards, target)
                self.assert_lineage(shards)
                self.assert_routing(name, shards)

    def test_boundary_near_an_edge(self):
        """An edge one key below the quarter boundary is taken as it: only one split."""
        name = "usc-near"
        self.create_stream(name, shards=2)
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**126 - 1))
        self.wait_active(name)
        shards = self.update(name, 4)
        self.assertEqual(len(shards), 6)
        self.assert_near_even(shards, 4)
        self.assert_lineage(shards)
        self.assertIn((0, 2**126 - 2), [key_range(s) for s in shards if is_open(s)])


if __name__ == "__main__":
    unittest.main()
