"""test_subscribe - SubscribeToShard (enhanced fan-out) through boto3, which speaks the event
stream over HTTP/1.1, and over HTTP/2 with curl, against a real kinesd.

Records put before and after subscribing arrive in order; LATEST, TRIM_HORIZON,
AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER (also before any record) and AT_TIMESTAMP start where
they should; an unknown consumer or shard and a consumer not yet ACTIVE are refused; a closed
shard's subscription ends with ChildShards; a subscription ends after its lifetime (set here with
KINESD_SUBSCRIPTION_MS: 30 s, so that an end seen well before it has another cause, and 4 s for the
tests that read a subscription to its end) and when the server stops, its consumer is deregistered
or a later call takes it over; a second call within 5 seconds is refused.
Every subscription is bounded in time by that lifetime.
"""

import json
import struct
import subprocess
import time
import unittest
import zlib

from botocore.exceptions import ClientError, EventStreamError

from kinesd_harness import ACCOUNT, AUTHORIZATION, KinesdTestCase, cbor_decode, cbor_map

LIFETIME_MS = 30000  # long: a test that sees a subscription end knows what ended it
SHORT_LIFETIME_MS = 4000  # for the tests that read a whole subscription
SHARD0 = "shardId-000000000000"


def stream_arn(name):
    return "arn:aws:kinesis:us-east-1:%s:stream/%s" % (ACCOUNT, name)


def read_frames(raw):
    """Decodes event stream messages, checking both CRCs: [(headers dict, payload bytes)]."""
    frames = []
    while raw:
        total, headers_len, prelude_crc = struct.unpack(">III", raw[:12])
        assert prelude_crc == zlib.crc32(raw[:8]), "prelude CRC"
        assert struct.unpack(">I", raw[total - 4:total])[0] == zlib.crc32(raw[:total - 4]), "CRC"
        headers, h = {}, raw[12:12 + headers_len]
        while h:
            name_len = h[0]
            name = h[1:1 + name_len].decode()
            assert h[1 + name_len] == 7, "string header"
            (value_len,) = struct.unpack(">H", h[2 + name_len:4 + name_len])
            headers[name] = h[4 + name_len:4 + name_len + value_len].decode()
            h = h[4 + name_len + value_len:]
        frames.append((headers, raw[12 + headers_len:total - 4]))
        raw = raw[total:]
    return frames


class SubscribeHelpers:
    def setup_stream(self, name, shards=1):
        self.create_stream(name, shards=shards)
        return self.register(name, "reader")

    def register(self, name, consumer):
        return self.kinesis.register_stream_consumer(
            StreamARN=stream_arn(name), ConsumerName=consumer)["Consumer"]["ConsumerARN"]

    def put(self, name, *datas):
        return [self.kinesis.put_record(StreamName=name, Data=d, PartitionKey="pk")
                ["SequenceNumber"] for d in datas]

    def subscribe(self, consumer_arn, shard_id=SHARD0, **position):
        return self.kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=shard_id,
                                               StartingPosition=position)["EventStream"]

    def collect(self, events, count, on_event=None):
        """Data of the first COUNT records (fewer if the subscription ends first), then closes."""
        got = []
        for event in events:
            body = event["SubscribeToShardEvent"]
            got += [r["Data"] for r in body["Records"]]
            if on_event:
                on_event(body)
            if len(got) >= count:
                break
        events.close()
        return got

    def assert_refused(self, error_type, message, consumer_arn, shard_id=SHARD0,
                       **position):
        with self.assertRaises(ClientError) as caught:
            self.subscribe(consumer_arn, shard_id, **(position or {"Type": "LATEST"}))
        self.assertEqual(caught.exception.response["Error"]["Code"], error_type)
        self.assertEqual(caught.exception.response["Error"]["Message"], message)


class Subscribe(SubscribeHelpers, KinesdTestCase):
    SERVER_ARGS = dict(env={"KINESD_SUBSCRIPTION_MS": str(LIFETIME_MS)})

    def test_records_before_and_after_subscribing(self):
        arn = self.setup_stream("both")
        self.put("both", b"a", b"b")
        events = self.subscribe(arn, Type="TRIM_HORIZON")
        sent_more = []

        def put_more(body):
            if not sent_more:
                sent_more.append(self.put("both", b"c", b"d"))

        self.assertEqual(self.collect(events, 4, put_more), [b"a", b"b", b"c", b"d"])

    def test_latest_skips_what_was_there(self):
        arn = self.setup_stream("latest")
        self.put("latest", b"old")
        events = self.subscribe(arn, Type="LATEST")
        first = next(iter(events))["SubscribeToShardEvent"]
        self.assertEqual(first["Records"], [])
        self.assertEqual(first["MillisBehindLatest"], 0)
        self.put("latest", b"new")
        self.assertEqual(self.collect(events, 1), [b"new"])

    def test_sequence_number_positions(self):
        arn = self.setup_stream("seq")
        seqs = self.put("seq", b"1", b"2", b"3")
        at = self.subscribe(arn, Type="AT_SEQUENCE_NUMBER", SequenceNumber=seqs[1])
        self.assertEqual(self.collect(at, 2), [b"2", b"3"])
        other = self.register("seq", "other")  # one call per consumer and shard every 5 s
        after = self.subscribe(other, Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[1])
        self.assertEqual(self.collect(after, 1), [b"3"])

    def test_resume_before_first_record(self):
        """Before any record the continuation is the shard's StartingSequenceNumber, which sorts
        before every record's number; AFTER it (resubscribing, or GetShardIterator) reads the
        first record."""
        arn = self.setup_stream("fresh")
        events = self.subscribe(arn, Type="LATEST")
        continuation = next(iter(events))["SubscribeToShardEvent"]["ContinuationSequenceNumber"]
        events.close()
        shard = self.kinesis.describe_stream(StreamName="fresh")["StreamDescription"]["Shards"][0]
        self.assertEqual(continuation, shard["SequenceNumberRange"]["StartingSequenceNumber"])
        seqs = self.put("fresh", b"first", b"second")
        self.assertLess(continuation, seqs[0])
        other = self.register("fresh", "other")  # one call per consumer and shard every 5 s
        after = self.subscribe(other, Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=continuation)
        self.assertEqual(self.collect(after, 2), [b"first", b"second"])
        for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            iterator = self.kinesis.get_shard_iterator(
                StreamName="fresh", ShardId=SHARD0, ShardIteratorType=kind,
                StartingSequenceNumber=continuation)["ShardIterator"]
            records = self.kinesis.get_records(ShardIterator=iterator)["Records"]
            self.assertEqual([r["Data"] for r in records], [b"first", b"second"], kind)

    def test_at_timestamp(self):
        arn = self.setup_stream("ts")
        self.put("ts", b"before")
        cut = int(time.time()) + 1  # botocore sends whole seconds
        time.sleep(cut - time.time() + 0.02)
        self.put("ts", b"after")
        events = self.subscribe(arn, Type="AT_TIMESTAMP", Timestamp=cut)
        self.assertEqual(self.collect(events, 1), [b"after"])

    def test_event_fields(self):
        arn = self.setup_stream("fields")
        seqs = self.put("fields", b"x", b"y")
        events = self.subscribe(arn, Type="TRIM_HORIZON")
        body = next(iter(events))["SubscribeToShardEvent"]
        events.close()
        self.assertEqual([r["SequenceNumber"] for r in body["Records"]], seqs)
        self.assertEqual(body["Records"][0]["PartitionKey"], "pk")
        self.assertEqual(body["ContinuationSequenceNumber"], seqs[-1])
        self.assertEqual(body["MillisBehindLatest"], 0)
        self.assertNotIn("ChildShards", body)

    def test_closed_shard_ends_with_children(self):
        arn = self.setup_stream("split")
        self.put("split", b"parent")
        self.kinesis.split_shard(StreamName="split", ShardToSplit=SHARD0,
                                 NewStartingHashKey=str(2 ** 127))
        self.wait_active("split")
        started = time.monotonic()
        bodies = [e["SubscribeToShardEvent"] for e in self.subscribe(arn, Type="TRIM_HORIZON")]
        self.assertLess(time.monotonic() - started, LIFETIME_MS / 2000)  # ended by the shard
        self.assertEqual([r["Data"] for b in bodies for r in b["Records"]], [b"parent"])
        children = bodies[-1]["ChildShards"]
        self.assertEqual([c["ShardId"] for c in children],
                         ["shardId-000000000001", "shardId-000000000002"])
        self.assertEqual(children[0]["ParentShards"], [SHARD0])
        self.assertTrue(all("ChildShards" not in b for b in bodies[:-1]))

    def test_resubscribe_within_five_seconds(self):
        arn = self.setup_stream("again")
        self.collect(self.subscribe(arn, Type="LATEST"), 0)
        self.assert_refused(
            "ResourceInUseException",
            "Another active subscription exists for this consumer: %s:again:%s:reader"
            % (ACCOUNT, SHARD0), arn)
        other_shard = self.setup_stream("again2")  # another consumer is not concerned
        self.collect(self.subscribe(other_shard, Type="LATEST"), 0)

    def test_deregistered_consumer_ends_subscription(self):
        arn = self.setup_stream("dereg")
        events = iter(self.subscribe(arn, Type="LATEST"))
        next(events)
        started = time.monotonic()
        self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        self.assertEqual(list(events), [])
        self.assertLess(time.monotonic() - started, LIFETIME_MS / 2000)

    def test_deleted_stream_sends_exception(self):
        arn = self.setup_stream("gone")
        events = iter(self.subscribe(arn, Type="LATEST"))
        next(events)
        self.kinesis.delete_stream(StreamName="gone", EnforceConsumerDeletion=True)
        with self.assertRaises(EventStreamError) as caught:
            list(events)
        self.assertEqual(caught.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_unknown_consumer(self):
        self.create_stream("nocons")
        arn = stream_arn("nocons") + "/consumer/ghost:1700000000"
        self.assert_refused("ResourceNotFoundException", "Consumer %s not found." % arn, arn)

    def test_unknown_shard(self):
        arn = self.setup_stream("noshard")
        self.assert_refused(
            "ResourceNotFoundException",
            "Shard shardId-000000000009 in stream noshard under account %s does not exist"
            % ACCOUNT, arn, "shardId-000000000009")

    def test_sequence_number_required(self):
        arn = self.setup_stream("noseq")
        with self.assertRaises(ClientError) as caught:
            self.subscribe(arn, Type="AT_SEQUENCE_NUMBER")
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidArgumentException")


class SubscribeToTheEnd(SubscribeHelpers, KinesdTestCase):
    """Short subscriptions: read whole, as curl and a patient client see them."""

    SERVER_ARGS = dict(env={"KINESD_SUBSCRIPTION_MS": str(SHORT_LIFETIME_MS)})

    def test_ends_after_lifetime(self):
        arn = self.setup_stream("life")
        started = time.monotonic()
        events = self.subscribe(arn, Type="LATEST")
        count = sum(1 for _ in events)  # the server ends the stream
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(count, 1)
        self.assertGreater(elapsed, SHORT_LIFETIME_MS / 1000 - 0.5)
        self.assertLess(elapsed, LIFETIME_MS / 1000)  # ended by its lifetime, not something else

    def post_raw(self, content_type, body, http2):
        """SubscribeToShard by curl; returns the decoded frames of the whole event stream."""
        done = subprocess.run(
            ["curl", "-s", "--http2-prior-knowledge" if http2 else "--http1.1",
             "--max-time", "20", "-X", "POST", "-H", "Content-Type: " + content_type,
             "-H", "X-Amz-Target: Kinesis_20131202.SubscribeToShard",
             "-H", "X-Amz-Date: 20250101T000000Z", "-H", "Authorization: " + AUTHORIZATION,
             "--data-binary", "@-", self.server.endpoint + "/"],
            input=body, capture_output=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        return read_frames(done.stdout)

    def test_cbor(self):
        arn = self.setup_stream("cbor")
        self.put("cbor", b"in cbor")
        frames = self.post_raw("application/x-amz-cbor-1.1", cbor_map([
            ("ConsumerARN", arn), ("ShardId", SHARD0),
            ("StartingPosition", [("Type", "TRIM_HORIZON")])]), http2=False)
        self.assertEqual(frames[0][0][":content-type"], "application/x-amz-cbor-1.1")
        self.assertEqual(cbor_decode(frames[0][1]), {})
        first = cbor_decode(frames[1][1])
        self.assertEqual(first["Records"][0]["Data"], b"in cbor")
        self.assertEqual(first["MillisBehindLatest"], 0)
        self.assertAlmostEqual(first["Records"][0]["ApproximateArrivalTimestamp"] / 1000,
                               time.time(), delta=30)  # epoch milliseconds

    def test_http2(self):
        arn = self.setup_stream("h2")
        self.put("h2", b"over h2")
        body = json.dumps({"ConsumerARN": arn, "ShardId": SHARD0,
                           "StartingPosition": {"Type": "TRIM_HORIZON"}})
        frames = self.post_raw("application/x-amz-json-1.1", body.encode(), http2=True)
        self.assertEqual(frames[0][0][":event-type"], "initial-response")
        self.assertEqual(frames[0][1], b"{}")
        events = [json.loads(p) for h, p in frames[1:]]
        self.assertTrue(all(h[":event-type"] == "SubscribeToShardEvent" for h, _ in frames[1:]))
        self.assertEqual(events[0]["Records"][0]["Data"], "b3ZlciBoMg==")


class SubscribeWhileCreating(SubscribeHelpers, KinesdTestCase):
    """Consumers take a while to become ACTIVE here."""

    SERVER_ARGS = dict(transition_ms=1000, env={"KINESD_SUBSCRIPTION_MS": str(LIFETIME_MS)})

    def test_consumer_not_active(self):
        consumer = self.setup_consumer_creating()
        self.assert_refused(
            "ResourceInUseException",
            "Consumer reader with creation timestamp %d under stream: creating , account %s is "
            "not in ACTIVE status." % (int(consumer["ConsumerCreationTimestamp"].timestamp()),
                                       ACCOUNT), consumer["ConsumerARN"])

    def setup_consumer_creating(self):
        self.create_stream("creating")
        return self.kinesis.register_stream_consumer(
            StreamARN=stream_arn("creating"), ConsumerName="reader")["Consumer"]


class SubscribeAtStop(SubscribeHelpers, KinesdTestCase):
    """A server that stops ends its subscriptions cleanly instead of waiting out their lifetime."""

    SERVER_ARGS = dict(env={"KINESD_SUBSCRIPTION_MS": "60000"})

    def test_stop_ends_subscription(self):
        arn = self.setup_stream("stop")
        events = iter(self.subscribe(arn, Type="LATEST"))
        next(events)
        started = time.monotonic()
        self.assertEqual(self.server.stop(), 0)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(list(events), [])  # the stream ended cleanly

    def test_later_call_takes_over(self):
        arn = self.setup_stream("takeover")
        first = iter(self.subscribe(arn, Type="LATEST"))
        next(first)
        time.sleep(5.2)  # AWS's interval between calls for one consumer and shard
        second = iter(self.subscribe(arn, Type="LATEST"))
        next(second)
        rest = list(first)  # ends at the takeover, long before its lifetime
        self.assertTrue(all(e["SubscribeToShardEvent"]["Records"] == [] for e in rest))  # heartbeats
        self.put("takeover", b"to the second")
        self.assertEqual(self.collect(second, 1), [b"to the second"])


if __name__ == "__main__":
    unittest.main()
