"""test_boto3_records - writing and reading records with boto3, and the paging of the listings.

Routing (partition key MD5 and ExplicitHashKey against hash ranges), per-shard order, PutRecords
results, every iterator type, GetRecords Limit / NextShardIterator / MillisBehindLatest, records of
1 MiB, DescribeStream / ListStreams / ListShards paging and filters, ON_DEMAND streams.
"""

import math
import time
import unittest

from kinesd_harness import MAX_HASH_KEY, KinesdTestCase, hash_key_of

MIB = 1024 * 1024


def expected_ranges(count):
    """AWS's even split of the hash key space into COUNT shards."""
    width = 2**128 // count
    return [(width * i, (width * (i + 1) if i < count - 1 else 2**128) - 1) for i in range(count)]


def shard_of(shards, hash_key):
    for shard in shards:
        rng = shard["HashKeyRange"]
        if int(rng["StartingHashKey"]) <= hash_key <= int(rng["EndingHashKey"]):
            return shard["ShardId"]
    raise AssertionError("no shard covers hash key %d" % hash_key)


class Records(KinesdTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name, count in (("four", 4), ("three", 3), ("one", 1)):
            cls.kinesis.create_stream(StreamName=name, ShardCount=count)
        for name in ("four", "three", "one"):
            cls.kinesis.get_waiter("stream_exists").wait(
                StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})

    def fresh_stream(self, name, shards=1):
        self.create_stream(name, shards=shards)
        self.addCleanup(self.kinesis.delete_stream, StreamName=name)
        return name

    def test_hash_ranges(self):
        for name, count in (("four", 4), ("three", 3), ("one", 1)):
            shards = self.shards(name)
            got = [(int(s["HashKeyRange"]["StartingHashKey"]),
                    int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]
            self.assertEqual(got, expected_ranges(count), name)
            self.assertEqual([s["ShardId"] for s in shards],
                             ["shardId-%012d" % i for i in range(count)])
            for shard in shards:
                self.assertRegex(shard["SequenceNumberRange"]["StartingSequenceNumber"],
                                 r"^\d{56}$")
                self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])

    def test_partition_key_routing_and_per_shard_order(self):
        name = self.fresh_stream("ordered", shards=4)
        shards = self.shards(name)
        sent = []
        for i in range(120):
            key = "key-%d" % (i % 13)
            data = ("%s/%d" % (key, i)).encode()
            out = self.kinesis.put_record(StreamName=name, PartitionKey=key, Data=data)
            self.assertEqual(out["ShardId"], shard_of(shards, hash_key_of(key)), key)
            sent.append((out["ShardId"], out["SequenceNumber"], key, data))
        for shard in shards:
            records, _ = self.read_shard(name, shard["ShardId"])
            expected = [(seq, key, data) for sid, seq, key, data in sent
                        if sid == shard["ShardId"]]
            self.assertEqual([(r["SequenceNumber"], r["PartitionKey"], r["Data"])
                              for r in records], expected)
            numbers = [int(r["SequenceNumber"]) for r in records]
            self.assertEqual(numbers, sorted(set(numbers)), "not strictly increasing")

    def test_unicode_partition_keys(self):
        # Routing hashes the key's UTF-8 bytes; the 256 limit counts characters, not bytes.
        shards = self.shards("four")
        for key in ("ключ", "日本語のキー", "é" * 256, "\U0001f600 emoji"):
            out = self.kinesis.put_record(StreamName="four", PartitionKey=key, Data=b"u")
            self.assertEqual(out["ShardId"], shard_of(shards, hash_key_of(key)), key)
            records, _ = self.read_shard("four", out["ShardId"], "AT_SEQUENCE_NUMBER",
                                         StartingSequenceNumber=out["SequenceNumber"])
            self.assertEqual(records[0]["PartitionKey"], key)

    def test_explicit_hash_key_routing(self):
        shards = self.shards("four")
        for shard in shards:
            low = int(shard["HashKeyRange"]["StartingHashKey"])
            high = int(shard["HashKeyRange"]["EndingHashKey"])
            for hash_key in (low, (low + high) // 2, high):
                out = self.kinesis.put_record(StreamName="four", PartitionKey="ignored",
                                              Data=b"x", ExplicitHashKey=str(hash_key))
                self.assertEqual(out["ShardId"], shard["ShardId"], hash_key)
        out = self.kinesis.put_record(StreamName="four", PartitionKey="k", Data=b"x",
                                      ExplicitHashKey=str(MAX_HASH_KEY))
        self.assertEqual(out["ShardId"], "shardId-000000000003")

    def test_put_records_results(self):
        name = self.fresh_stream("batch", shards=3)
        shards = self.shards(name)
        entries = [{"PartitionKey": "pk-%d" % i, "Data": b"batch-%d" % i} for i in range(50)]
        entries.append({"PartitionKey": "x", "Data": b"explicit", "ExplicitHashKey": "0"})
        out = self.kinesis.put_records(StreamName=name, Records=entries)
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), len(entries))
        by_seq = {}
        for entry, result in zip(entries, out["Records"]):
            self.assertNotIn("ErrorCode", result)
            hash_key = int(entry.get("ExplicitHashKey", hash_key_of(entry["PartitionKey"])))
            self.assertEqual(result["ShardId"], shard_of(shards, hash_key))
            by_seq[result["SequenceNumber"]] = (result["ShardId"], entry["PartitionKey"],
                                                entry["Data"])
        read = {}
        for shard in shards:
            records, _ = self.read_shard(name, shard["ShardId"])
            for r in records:
                read[r["SequenceNumber"]] = (shard["ShardId"], r["PartitionKey"], r["Data"])
        self.assertEqual(read, by_seq)

    def put_many(self, name, count, prefix="r"):
        seqs = []
        for i in range(count):
            out = self.kinesis.put_record(StreamName=name, PartitionKey="p",
                                          Data=("%s%d" % (prefix, i)).encode())
            seqs.append(out["SequenceNumber"])
        return seqs

    def test_sequence_number_iterators(self):
        name = self.fresh_stream("seqit")
        seqs = self.put_many(name, 6)
        at, _ = self.read_shard(name, "shardId-000000000000", "AT_SEQUENCE_NUMBER",
                                StartingSequenceNumber=seqs[2])
        self.assertEqual([r["SequenceNumber"] for r in at], seqs[2:])
        after, _ = self.read_shard(name, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                                   StartingSequenceNumber=seqs[2])
        self.assertEqual([r["SequenceNumber"] for r in after], seqs[3:])
        last, _ = self.read_shard(name, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=seqs[-1])
        self.assertEqual(last, [])

    def test_latest_iterator(self):
        name = self.fresh_stream("latest")
        self.put_many(name, 3, prefix="old")
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                             ShardIteratorType="LATEST")["ShardIterator"]
        page = self.kinesis.get_records(ShardIterator=it)
        self.assertEqual(page["Records"], [])
        self.assertEqual(page["MillisBehindLatest"], 0)
        new = self.put_many(name, 2, prefix="new")
        page = self.kinesis.get_records(ShardIterator=page["NextShardIterator"])
        self.assertEqual([r["SequenceNumber"] for r in page["Records"]], new)
        self.assertEqual([r["Data"] for r in page["Records"]], [b"new0", b"new1"])

    def test_timestamp_iterator(self):
        # botocore sends AT_TIMESTAMP as whole seconds: split the batches on a second boundary.
        name = self.fresh_stream("stamped")
        before = math.floor(time.time()) - 1
        self.put_many(name, 3, prefix="a")
        boundary = math.ceil(time.time())
        time.sleep(boundary - time.time() + 0.05)
        later = self.put_many(name, 3, prefix="b")
        shard = "shardId-000000000000"
        everything, _ = self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=before)
        self.assertEqual(len(everything), 6)
        tail, _ = self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=boundary)
        self.assertEqual([r["SequenceNumber"] for r in tail], later)
        for r in tail:
            self.assertGreaterEqual(r["ApproximateArrivalTimestamp"].timestamp(), boundary)

    def test_timestamp_iterator_in_milliseconds(self):
        # Raw JSON keeps the milliseconds: start exactly at one record's arrival time.
        name = self.fresh_stream("stamped-ms")
        for i in range(8):
            self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"%d" % i)
            time.sleep(0.003)
        shard = "shardId-000000000000"
        it = self.server.post("GetShardIterator", {"StreamName": name, "ShardId": shard,
                                                   "ShardIteratorType": "TRIM_HORIZON"})[2]
        records = self.server.post("GetRecords", it)[2]["Records"]
        self.assertEqual(len(records), 8)
        arrivals = [r["ApproximateArrivalTimestamp"] for r in records]
        for r in records:
            self.assertIsInstance(r["ApproximateArrivalTimestamp"], (int, float))
        start = arrivals[4]
        it = self.server.post("GetShardIterator", {
            "StreamName": name, "ShardId": shard, "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": start})[2]
        got = self.server.post("GetRecords", it)[2]["Records"]
        self.assertEqual(got, [r for r, t in zip(records, arrivals) if t >= start])

    def test_timestamp_in_the_future(self):
        name = self.fresh_stream("stamped-future")
        status, headers, body = self.server.post("GetShardIterator", {
            "StreamName": name, "ShardId": "shardId-000000000000",
            "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": time.time() + 60})
        self.assert_aws_error(
            (status, headers, body), 400, "InvalidArgumentException",
            message_regex=r"^The timestampInMillis parameter cannot be greater than the "
                          r"currentTimestampInMillis\. timestampInMillis: \d{13}, "
                          r"currentTimestampInMillis: \d{13}$")

    def test_get_records_limit_and_next_iterator(self):
        name = self.fresh_stream("limited")
        seqs = self.put_many(name, 10)
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        sizes, got = [], []
        for _ in range(6):
            page = self.kinesis.get_records(ShardIterator=it, Limit=3)
            self.assertIn("NextShardIterator", page)
            self.assertIsInstance(page["MillisBehindLatest"], int)
            self.assertGreaterEqual(page["MillisBehindLatest"], 0)
            sizes.append(len(page["Records"]))
            got += [r["SequenceNumber"] for r in page["Records"]]
            it = page["NextShardIterator"]
        self.assertEqual(sizes, [3, 3, 3, 1, 0, 0])
        self.assertEqual(got, seqs)
        self.assertEqual(page["MillisBehindLatest"], 0)
        for r in self.kinesis.get_records(ShardIterator=self.kinesis.get_shard_iterator(
                StreamName=name, ShardId="shardId-000000000000",
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"]:
            self.assertEqual(set(r), {"SequenceNumber", "ApproximateArrivalTimestamp", "Data",
                                      "PartitionKey"})

    def test_millis_behind_latest(self):
        name = self.fresh_stream("behind")
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"old")
        time.sleep(0.5)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"new")
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        first = self.kinesis.get_records(ShardIterator=it, Limit=1)
        self.assertEqual([r["Data"] for r in first["Records"]], [b"old"])
        self.assertGreaterEqual(first["MillisBehindLatest"], 400)
        second = self.kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=1)
        self.assertEqual([r["Data"] for r in second["Records"]], [b"new"])
        self.assertEqual(second["MillisBehindLatest"], 0)

    def test_big_records(self):
        name = self.fresh_stream("big")
        key = "big-key"
        data = bytes(range(256)) * ((MIB - len(key)) // 256) + b"z" * ((MIB - len(key)) % 256)
        self.assertEqual(len(data) + len(key), MIB)
        one = self.kinesis.put_record(StreamName=name, PartitionKey=key, Data=data)
        batch = self.kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": key, "Data": data}, {"PartitionKey": "small", "Data": b"s"}])
        self.assertEqual(batch["FailedRecordCount"], 0)
        records, _ = self.read_shard(name, "shardId-000000000000")
        self.assertEqual([r["SequenceNumber"] for r in records],
                         [one["SequenceNumber"]] + [r["SequenceNumber"]
                                                    for r in batch["Records"]])
        self.assertEqual(records[0]["Data"], data)
        self.assertEqual(records[1]["Data"], data)
        self.assertEqual(records[2]["Data"], b"s")

    def test_empty_data(self):
        name = self.fresh_stream("empty")
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"")
        records, _ = self.read_shard(name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in records], [b""])

    def test_describe_stream_paging(self):
        name = self.fresh_stream("paged", shards=5)
        pages, start = [], None
        for _ in range(5):
            args = dict(StreamName=name, Limit=2)
            if start:
                args["ExclusiveStartShardId"] = start
            desc = self.kinesis.describe_stream(**args)["StreamDescription"]
            pages.append(([s["ShardId"] for s in desc["Shards"]], desc["HasMoreShards"]))
            if not desc["HasMoreShards"]:
                break
            start = desc["Shards"][-1]["ShardId"]
        ids = ["shardId-%012d" % i for i in range(5)]
        self.assertEqual(pages, [(ids[0:2], True), (ids[2:4], True), (ids[4:], False)])
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in desc["Shards"]], ids)
        self.assertFalse(desc["HasMoreShards"])

    def test_list_streams_paging(self):
        names = ["lister-%d" % i for i in range(5)]
        for n in names:
            self.fresh_stream(n)
        everything = sorted(self.kinesis.list_streams()["StreamNames"])
        self.assertEqual(self.kinesis.list_streams()["StreamNames"], everything)
        for n in names:
            self.assertIn(n, everything)

        by_name, start = [], None
        for _ in range(len(everything) + 1):
            args = dict(Limit=2)
            if start:
                args["ExclusiveStartStreamName"] = start
            page = self.kinesis.list_streams(**args)
            self.assertLessEqual(len(page["StreamNames"]), 2)
            by_name += page["StreamNames"]
            if not page["HasMoreStreams"]:
                break
            start = page["StreamNames"][-1]
        self.assertEqual(by_name, everything)

        by_token, token = [], None
        for _ in range(len(everything) + 1):
            page = (self.kinesis.list_streams(NextToken=token, Limit=2) if token
                    else self.kinesis.list_streams(Limit=2))
            by_token += page["StreamNames"]
            self.assertEqual([s["StreamName"] for s in page["StreamSummaries"]],
                             page["StreamNames"])
            for summary in page["StreamSummaries"]:
                self.assertIn(summary["StreamStatus"], ("ACTIVE", "CREATING", "DELETING",
                                                        "UPDATING"))
                self.assertTrue(summary["StreamARN"].endswith(":stream/" +
                                                              summary["StreamName"]))
            if not page["HasMoreStreams"]:
                self.assertNotIn("NextToken", page)
                break
            token = page["NextToken"]
        self.assertEqual(by_token, everything)

    def test_list_shards_paging(self):
        ids = ["shardId-%012d" % i for i in range(4)]
        page = self.kinesis.list_shards(StreamName="four", MaxResults=3)
        self.assertEqual([s["ShardId"] for s in page["Shards"]], ids[:3])
        rest = self.kinesis.list_shards(NextToken=page["NextToken"], MaxResults=3)
        self.assertEqual([s["ShardId"] for s in rest["Shards"]], ids[3:])
        self.assertNotIn("NextToken", rest)
        after = self.kinesis.list_shards(StreamName="four", ExclusiveStartShardId=ids[1])
        self.assertEqual([s["ShardId"] for s in after["Shards"]], ids[2:])

    def test_list_shards_filters(self):
        name = self.fresh_stream("filtered", shards=2)
        time.sleep(0.05)
        before_split = time.time()      # raw JSON below: botocore would drop the milliseconds
        time.sleep(0.05)
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**125))
        self.wait_active(name)
        time.sleep(0.05)
        after_split = time.time()

        def ids(**shard_filter):
            status, _, body = self.server.post("ListShards", {"StreamName": name,
                                                              "ShardFilter": shard_filter})
            self.assertEqual(status, 200, body)
            return [s["ShardId"] for s in body["Shards"]]

        everything = ["shardId-%012d" % i for i in range(4)]
        self.assertEqual(sorted(s["ShardId"] for s in self.shards(name)), everything)
        cases = [
            (dict(Type="AT_LATEST"), everything[1:]),
            (dict(Type="FROM_TRIM_HORIZON"), everything),
            (dict(Type="AT_TRIM_HORIZON"), everything[:2]),
            (dict(Type="AFTER_SHARD_ID", ShardId="shardId-000000000001"), everything[2:]),
            (dict(Type="AT_TIMESTAMP", Timestamp=before_split), everything[:2]),
            (dict(Type="AT_TIMESTAMP", Timestamp=after_split), everything[1:]),
            (dict(Type="FROM_TIMESTAMP", Timestamp=before_split), everything),
            (dict(Type="FROM_TIMESTAMP", Timestamp=after_split), everything[1:]),
        ]
        for shard_filter, expected in cases:
            with self.subTest(filter=shard_filter):
                self.assertEqual(ids(**shard_filter), expected)

    def test_stream_arn_addressing(self):
        name = self.fresh_stream("by-arn", shards=2)
        arn = self.kinesis.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(arn, "arn:aws:kinesis:us-east-1:000000000000:stream/" + name)
        self.assertEqual(self.kinesis.describe_stream_summary(
            StreamARN=arn)["StreamDescriptionSummary"]["StreamName"], name)
        out = self.kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=b"arn")
        batch = self.kinesis.put_records(StreamARN=arn, Records=[
            {"PartitionKey": "k", "Data": b"arn2"}])
        self.assertEqual(batch["FailedRecordCount"], 0)
        shard_ids = [s["ShardId"] for s in self.kinesis.list_shards(StreamARN=arn)["Shards"]]
        self.assertEqual(shard_ids, ["shardId-000000000000", "shardId-000000000001"])
        it = self.kinesis.get_shard_iterator(StreamARN=arn, ShardId=out["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page = self.kinesis.get_records(ShardIterator=it, StreamARN=arn)
        self.assertEqual([r["Data"] for r in page["Records"]], [b"arn", b"arn2"])

    def test_on_demand_stream(self):
        name = "on-demand"
        self.create_on_demand(name)
        self.addCleanup(self.kinesis.delete_stream, StreamName=name)
        summary = self.kinesis.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        shards = self.shards(name)
        self.assertEqual(summary["OpenShardCount"], len(shards))
        self.assertEqual(len(shards), 4, "AWS opens 4 shards for a new on-demand stream")
        out = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"od")
        self.assertEqual(out["ShardId"], shard_of(shards, hash_key_of("k")))
        records, _ = self.read_shard(name, out["ShardId"])
        self.assertEqual([r["Data"] for r in records], [b"od"])


if __name__ == "__main__":
    unittest.main()
