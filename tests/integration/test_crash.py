"""test_crash - kill -9 (and SIGTERM) under load lose nothing that was acknowledged.

Concurrent writers (raw HTTP keep-alive, PutRecord and PutRecords) note every acknowledged record;
kinesd is killed with SIGKILL mid-load, restarted on the same directory, and every acknowledged
record must be there, with the acknowledged shard and sequence number, in order, exactly once.
Three rounds on the same stream; records of earlier rounds must survive later crashes too.
A SIGTERM under load must exit 0 and keep every acknowledged record as well.
Each kill comes at a random moment after the writers' first acknowledgement; the random seed is
printed, and KINESD_TEST_SEED=N replays a run's kill times.
"""

import base64
import http.client
import json
import os
import random
import sys
import threading
import time
import unittest

from kinesd_harness import AUTHORIZATION, KinesdTestCase

STREAM = "crashy"
ROUNDS = 3
WRITERS = 4
JOIN_TIMEOUT_S = 30
FIRST_ACK_TIMEOUT_S = 60


def run_seed():
    """KINESD_TEST_SEED when set (to replay a failure), else a fresh one; printed either way."""
    seed = int(os.environ.get("KINESD_TEST_SEED") or time.time_ns() % 2**32)
    sys.stderr.write("test_crash: seed %d (replay with KINESD_TEST_SEED=%d)\n" % (seed, seed))
    return seed


def wait_for_first_ack(writers):
    """Waits until a writer had a record acknowledged (a slow start on a loaded machine)."""
    deadline = time.monotonic() + FIRST_ACK_TIMEOUT_S
    while not any(w.acked for w in writers):
        if time.monotonic() > deadline:
            raise AssertionError("nothing acknowledged within %d s" % FIRST_ACK_TIMEOUT_S)
        time.sleep(0.01)


class RawWriter(threading.Thread):
    """Writes over one keep-alive connection until the server goes away."""

    def __init__(self, port, name, batch, stream=STREAM):
        super().__init__(daemon=True)
        self.port, self.name, self.batch, self.stream = port, name, batch, stream
        self.acked = []     # (key, data bytes, sequence number, shard id) in ack order
        self.failure = None

    def request(self, conn, target, body):
        conn.request("POST", "/", body=json.dumps(body), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Kinesis_20131202." + target,
            "X-Amz-Date": "20250101T000000Z",
            "Authorization": AUTHORIZATION,
        })
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise AssertionError("%s answered %d: %r" % (target, resp.status, payload))
        return json.loads(payload)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        counter = 0
        try:
            while True:
                entries = []
                for _ in range(self.batch):
                    key = "%s-k%d" % (self.name, counter % 7)
                    entries.append((key, ("%s#%d" % (self.name, counter)).encode()))
                    counter += 1
                self.put(conn, entries)
        except (OSError, http.client.HTTPException):
            pass            # the server was killed: the request in flight is unacknowledged
        except Exception as e:
            self.failure = repr(e)
        finally:
            conn.close()

    def put(self, conn, entries):
        if self.batch == 1:
            key, data = entries[0]
            out = self.request(conn, "PutRecord", {"StreamName": self.stream,
                                                   "PartitionKey": key,
                                                   "Data": base64.b64encode(data).decode()})
            self.acked.append((key, data, out["SequenceNumber"], out["ShardId"]))
            return
        out = self.request(conn, "PutRecords", {"StreamName": self.stream, "Records": [
            {"PartitionKey": key, "Data": base64.b64encode(data).decode()}
            for key, data in entries]})
        if out["FailedRecordCount"]:
            raise AssertionError("PutRecords failed records: %r" % out)
        for (key, data), result in zip(entries, out["Records"]):
            self.acked.append((key, data, result["SequenceNumber"], result["ShardId"]))


class Crash(KinesdTestCase):

    SERVER_ARGS = dict(durability="sync")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.random = random.Random(run_seed())

    def read_all(self):
        """Every record of every shard: {shard id: [(key, data, seq), ...]} in read order."""
        found = {}
        for shard in self.shards(STREAM):
            records, _ = self.read_shard(STREAM, shard["ShardId"], limit=1000)
            found[shard["ShardId"]] = [(r["PartitionKey"], r["Data"], r["SequenceNumber"])
                                       for r in records]
        return found

    def crash_round(self, round_no):
        writers = [RawWriter(self.server.port, "r%dw%d" % (round_no, i), 1 if i % 2 else 10)
                   for i in range(WRITERS)]
        for w in writers:
            w.start()
        wait_for_first_ack(writers)
        time.sleep(self.random.uniform(0.5, 1.5))
        self.server.kill9()
        for w in writers:
            w.join(JOIN_TIMEOUT_S)
            self.assertFalse(w.is_alive(), "a writer hung after kill -9")
            self.assertIsNone(w.failure, "writer %s failed before the kill" % w.name)
        self.server.restart()
        self.wait_active(STREAM)
        acked = [a for w in writers for a in w.acked]
        self.assertGreater(len(acked), 0, "nothing was acknowledged in round %d" % round_no)
        return writers

    def check(self, all_writers):
        found = self.read_all()
        where = {}
        for shard_id, records in found.items():
            numbers = [int(seq) for _, _, seq in records]
            self.assertEqual(numbers, sorted(set(numbers)),
                             "sequence numbers in %s not strictly increasing" % shard_id)
            for key, data, seq in records:
                self.assertNotIn(data, where, "record %r stored twice" % data)
                where[data] = (key, seq, shard_id)
        missing = [a for w in all_writers for a in w.acked if a[1] not in where]
        self.assertEqual(missing[:5], [], "%d acknowledged records lost" % len(missing))
        for w in all_writers:
            for key, data, seq, shard_id in w.acked:
                self.assertEqual(where[data], (key, seq, shard_id), data)
            for key in {a[0] for a in w.acked}:
                acked_order = [a[1] for a in w.acked if a[0] == key]
                acked_set = set(acked_order)
                shard_id = where[acked_order[0]][2]
                stored_order = [d for k, d, _ in found[shard_id] if d in acked_set]
                self.assertEqual(stored_order, acked_order, "order of %s not kept" % key)

    def test_kill9_under_load(self):
        self.create_stream(STREAM, shards=3)
        all_writers = []
        for round_no in range(ROUNDS):
            with self.subTest(round=round_no):
                all_writers += self.crash_round(round_no)
                self.check(all_writers)
        # And the server still takes writes after the last recovery.
        out = self.kinesis.put_record(StreamName=STREAM, PartitionKey="after", Data=b"after")
        records, _ = self.read_shard(STREAM, out["ShardId"], "AT_SEQUENCE_NUMBER",
                                     StartingSequenceNumber=out["SequenceNumber"])
        self.assertEqual([r["Data"] for r in records], [b"after"])


    def test_sigterm_under_load(self):
        name = "graceful"
        self.create_stream(name, shards=2)
        writers = [RawWriter(self.server.port, "term%d" % i, 1 if i % 2 else 10, stream=name)
                   for i in range(WRITERS)]
        for w in writers:
            w.start()
        wait_for_first_ack(writers)
        time.sleep(0.5)  # under load: more requests in flight
        self.assertEqual(self.server.stop(), 0, "kinesd did not exit 0 on SIGTERM under load")
        for w in writers:
            w.join(JOIN_TIMEOUT_S)
            self.assertFalse(w.is_alive(), "a writer hung after SIGTERM")
            self.assertIsNone(w.failure, "writer %s failed before SIGTERM" % w.name)
        self.server.restart()
        stored = {}
        for shard in self.shards(name):
            for r in self.read_shard(name, shard["ShardId"], limit=1000)[0]:
                self.assertNotIn(r["Data"], stored, "record stored twice")
                stored[r["Data"]] = (r["PartitionKey"], r["SequenceNumber"], shard["ShardId"])
        acked = [a for w in writers for a in w.acked]
        self.assertGreater(len(acked), 0)
        missing = [a for a in acked if a[1] not in stored]
        self.assertEqual(missing[:5], [], "%d acknowledged records lost" % len(missing))
        for key, data, seq, shard_id in acked:
            self.assertEqual(stored[data], (key, seq, shard_id))


if __name__ == "__main__":
    unittest.main()
