"""test_powerloss - the power-loss simulator: every acknowledged record survives any power cut.

kinesd runs a workload (puts from several clients, a stream created, one deleted, the written
stream encrypted half-way (so its logs hold plain frames, then sealed runs), a reshard) under
tests/powerloss/plshim.so, which records every change it makes under its data directory; each
client notes what was acknowledged and when (CLOCK_MONOTONIC, the clock of the recording). Then
tests/powerloss/replay.py builds crash states (what was synced before a cut point, plus random
subsets of the rest, writes torn by sector), kinesd starts on each, and every record acknowledged
before the cut must be there exactly once, with its sequence number and shard, in order per key.

POWERLOSS_STATES (default 16) sets how many states are checked; `make powerloss` runs 300. The
seed of the crash-state choices is printed (POWERLOSS_SEED sets it). With --durability none the
same check must find losses: that proves the check can fail.
"""

import os
import random
import shutil
import sys
import tempfile
import threading
import time
import unittest

import boto3
from botocore.config import Config

from kinesd_harness import Kinesd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "powerloss"))
import replay  # noqa: E402

STATES = int(os.environ.get("POWERLOSS_STATES", "16"))
WRITERS = 3
WORKLOAD_S = 1.2
SEGMENT_BYTES = "16384"  # small segments: rolls, seals and their .idx files happen often


def shim_path():
    build = os.environ.get("KINESD_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "build"))
    return os.path.join(build, "plshim.so")


def client(server):
    return boto3.client("kinesis", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}, read_timeout=10,
                                      connect_timeout=5))


class Writer(threading.Thread):
    """Puts until told to stop; acked: (key, data, sequence number, shard, ack time)."""

    def __init__(self, server, name, stop):
        super().__init__(daemon=True)
        self.kin, self.name, self.stop = client(server), name, stop
        self.acked, self.failure = [], None

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                batch = [("%s-k%d" % (self.name, (n + i) % 5),
                          b"%s#%d" % (self.name.encode(), n + i)) for i in range(1 + n % 4)]
                n += len(batch)
                out = self.kin.put_records(StreamName="plA", Records=[
                    {"PartitionKey": k, "Data": d} for k, d in batch])
                now = time.monotonic_ns()
                for (k, d), r in zip(batch, out["Records"]):
                    if "SequenceNumber" in r:
                        self.acked.append((k, d, int(r["SequenceNumber"]), r["ShardId"], now))
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.failure = repr(e)


class Recorded:
    """One recorded workload: the recording and what was acknowledged."""

    def __init__(self, durability):
        self.root = tempfile.mkdtemp(prefix="kinesd-powerloss-")
        self.server = Kinesd(durability=durability)
        os.makedirs(self.server.data_dir)
        log = os.path.join(self.root, "events")
        self.server.env.update({"LD_PRELOAD": shim_path(), "POWERLOSS_DIR": self.server.data_dir,
                                "POWERLOSS_LOG": log, "KINESD_SEGMENT_BYTES": SEGMENT_BYTES})
        self.server.start()
        self.control = {}  # change -> ack time
        self.started = {}  # change -> when its request was sent
        try:
            self.run_workload()
        finally:
            self.server.kill9()
        self.recording = replay.Recording(log)

    def acked_now(self, change):
        self.control[change] = time.monotonic_ns()

    def run_workload(self):
        kin = client(self.server)
        kin.create_stream(StreamName="plA", ShardCount=2)
        self.acked_now("create plA")
        kin.create_stream(StreamName="plC", ShardCount=1)
        self.acked_now("create plC")
        stop = threading.Event()
        self.writers = [Writer(self.server, "w%d" % i, stop) for i in range(WRITERS)]
        for w in self.writers:
            w.start()
        time.sleep(WORKLOAD_S / 3)
        kin.create_stream(StreamName="plB", ShardCount=1)
        self.acked_now("create plB")
        kin.start_stream_encryption(StreamName="plA", EncryptionType="KMS",
                                    KeyId="alias/aws/kinesis")  # from here on sealed runs
        self.acked_now("encrypt plA")
        self.started["delete plC"] = time.monotonic_ns()
        kin.delete_stream(StreamName="plC")
        self.acked_now("delete plC")
        kin.update_shard_count(StreamName="plA", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        self.acked_now("reshard plA")
        time.sleep(WORKLOAD_S * 2 / 3)
        stop.set()
        for w in self.writers:
            w.join(30)
            if w.failure:
                raise AssertionError("writer %s failed: %s" % (w.name, w.failure))

    def acked(self):
        return [a for w in self.writers for a in w.acked]

    def close(self):
        self.server.close()
        shutil.rmtree(self.root, ignore_errors=True)


def read_stream(kin, name, unended=None):
    """{data: (key, sequence number, shard)} and {shard: [data in order]}, reading each shard to
    its end (closed shards) or to the tip; closed shards whose end is never reached are added to
    `unended`."""
    where, order = {}, {}
    try:
        shards = kin.list_shards(StreamName=name)["Shards"]
    except kin.exceptions.ResourceNotFoundException:
        return where, order  # a cut before it was created
    for shard in shards:
        sid = shard["ShardId"]
        it = kin.get_shard_iterator(StreamName=name, ShardId=sid,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        order[sid] = []
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        for _ in range(200):
            out = kin.get_records(ShardIterator=it, Limit=10000)
            for r in out["Records"]:
                if r["Data"] in where:
                    raise AssertionError("record %r stored twice" % r["Data"])
                where[r["Data"]] = (r["PartitionKey"], int(r["SequenceNumber"]), sid)
                order[sid].append(r["Data"])
            it = out.get("NextShardIterator")
            if not it or (not out["Records"] and not closed):
                break
        if closed and it and unended is not None:
            unended.append(sid)
    return where, order


def check_records(kin, acked, cut_ns):
    """Problems with the records acknowledged before cut_ns ([] when none)."""
    must = [a for a in acked if a[4] <= cut_ns]
    where, order = read_stream(kin, "plA")
    problems = ["lost %r (acknowledged %.1f ms before the cut)" % (d, (cut_ns - t) / 1e6)
                for k, d, seq, sid, t in must if d not in where]
    problems += ["%r came back as %r, acknowledged as %r" % (d, where[d], (k, seq, sid))
                 for k, d, seq, sid, t in must if d in where and where[d] != (k, seq, sid)]
    for key in {a[0] for a in must}:
        numbers = [where[a[1]][1] for a in must if a[0] == key and a[1] in where]
        if numbers != sorted(set(numbers)):
            problems.append("order of %s not kept" % key)
    for sid, datas in order.items():
        numbers = [where[d][1] for d in datas]
        if numbers != sorted(set(numbers)):
            problems.append("sequence numbers of %s not increasing" % sid)
    return problems, len(must)


def check_control(kin, control, started, cut_ns):
    problems = []
    unended = []
    read_stream(kin, "plA", unended)
    problems += ["closed shard %s of plA: its end is never reached" % sid for sid in unended]
    names = {s for s in kin.list_streams()["StreamNames"]}
    for change, t in control.items():
        if t > cut_ns:
            continue
        verb, name = change.split()
        deleting = started.get("delete " + name, cut_ns + 1) <= cut_ns  # may have taken effect
        if verb == "create" and name not in names and not deleting:
            problems.append("%s acknowledged, stream missing" % change)
        if verb == "delete" and name in names:
            status = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            if status["StreamStatus"] != "DELETING":
                problems.append("%s acknowledged, stream %s" % (change, status["StreamStatus"]))
        if verb == "encrypt":
            summary = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            if summary["EncryptionType"] != "KMS":
                problems.append("%s acknowledged, stream not encrypted" % change)
        if verb == "reshard":
            open_shards = [s for s in kin.list_shards(StreamName=name)["Shards"]
                           if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
            if len(open_shards) != 4:
                problems.append("%s acknowledged, %d open shards" % (change, len(open_shards)))
    return problems


class PowerLoss(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(shim_path()):
            raise unittest.SkipTest("no plshim.so in the build directory")
        cls.seed = int(os.environ.get("POWERLOSS_SEED", random.randrange(1 << 30)))
        print("\npowerloss: seed %d of the crash-state choices (POWERLOSS_SEED sets it), %d states"
              % (cls.seed, STATES), file=sys.stderr)

    def states(self, recorded, count, rng):
        """Yields (cut index, cut time, kinesd on the state) for `count` crash states."""
        rec = recorded.recording
        points = rec.sync_points or [len(rec.events)]
        for n in range(count):
            k = points[rng.randrange(len(points))] if n % 4 else rng.randrange(1, len(rec.events))
            server = Kinesd()
            try:
                os.makedirs(server.data_dir)
                rec.crash_state(k, rng, server.data_dir)
                server.start()
                yield k, rec.events[k - 1].time_ns, server
            finally:
                server.close()

    def test_sync_keeps_every_acknowledged_record_and_change(self):
        rng = random.Random(self.seed)
        recorded = Recorded("sync")
        self.addCleanup(recorded.close)
        acked = recorded.acked()
        self.assertGreater(len(acked), 0)
        started, checked, failures = time.monotonic(), 0, []
        for k, cut, server in self.states(recorded, STATES, rng):
            kin = client(server)
            problems, count = check_records(kin, acked, cut)
            problems += check_control(kin, recorded.control, recorded.started, cut)
            checked += count
            failures += ["state at event %d: %s" % (k, p) for p in problems[:3]]
        print("powerloss: %d events recorded, %d acknowledged records, %d states replayed, %d "
              "record checks, %.1f s" % (len(recorded.recording.events), len(acked), STATES,
                                         checked, time.monotonic() - started), file=sys.stderr)
        self.assertEqual(failures[:10], [])

    def test_the_check_finds_losses_in_durability_none(self):
        rng = random.Random(self.seed)
        recorded = Recorded("none")
        self.addCleanup(recorded.close)
        acked = recorded.acked()
        lost_states = 0
        for k, cut, server in self.states(recorded, 6, rng):
            problems, _ = check_records(client(server), acked, cut)
            lost_states += bool(problems)
        self.assertGreater(lost_states, 0, "the check found nothing missing with durability none: "
                                           "it cannot tell a lossy server from a safe one")


if __name__ == "__main__":
    unittest.main()
