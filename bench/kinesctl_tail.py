#!/usr/bin/env python3
"""kinesctl_tail.py - latency from a put to its line on `kinesctl tail --follow` stdout.

Starts `kinesctl tail STREAM --follow --format raw` (stdout a pipe, as in a shell pipeline), waits
until a warm-up record comes out (so the tail's LATEST iterators are in place), then puts --records
single records --interval-ms apart with boto3, each carrying its index, and notes when each line
is read from the tail's stdout. Prints one figure line:
  kinesctl-tail records=N lost=N interval_ms=I p50_ms=X p99_ms=Y max_ms=Z
Bounded: at most --max-seconds for the puts and the wait for the last line. The endpoint must be on
loopback; credentials are fixed dummies unless AWS_* are set.

usage: kinesctl_tail.py --kinesctl PATH --endpoint http://127.0.0.1:PORT --stream S [--records N]
"""
import os
import subprocess
import sys
import threading
import time

from boto3_put_records import bench_args, client


class Tail:
    """A running `kinesctl tail --follow`, its lines timed as they arrive."""

    def __init__(self, kinesctl, endpoint, stream):
        env = dict(os.environ)
        env.setdefault("AWS_ACCESS_KEY_ID", "AKIDKINESDBENCH00000")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "kinesd-bench-secret")
        env.setdefault("AWS_REGION", "us-east-1")
        self.proc = subprocess.Popen(
            [kinesctl, "tail", stream, "--follow", "--format", "raw", "--endpoint-url", endpoint],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.arrived = {}
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            with self.cond:
                self.arrived.setdefault(line.strip().decode(errors="replace"), now)
                self.cond.notify_all()

    def wait_for(self, text, deadline):
        with self.cond:
            while text not in self.arrived and time.monotonic() < deadline:
                self.cond.wait(0.05)
            return text in self.arrived

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def warm_up(kinesis, tail, stream, deadline):
    """Puts a warm-up record every 2.5 s (longer than the tail's idle wait, after which it
    flushes its stdout) until one comes out of the tail."""
    for n in range(8):
        text = "warm-up-%d" % n
        kinesis.put_record(StreamName=stream, Data=text.encode(), PartitionKey="k")
        if tail.wait_for(text, min(deadline, time.monotonic() + 2.5)):
            return True
    return False


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def main():
    args = bench_args("kinesctl_tail", 300, {
        "--kinesctl": {"required": True},
        "--interval-ms": {"type": float, "default": 5}})
    kinesis = client(args.endpoint)
    tail = Tail(args.kinesctl, args.endpoint, args.stream)
    deadline = time.monotonic() + args.max_seconds
    try:
        if not warm_up(kinesis, tail, args.stream, deadline):
            print("kinesctl-tail no line came out of the tail")
            sys.exit(1)
        sent = {}
        start = time.monotonic()
        for i in range(args.records):
            time.sleep(max(0.0, start + i * args.interval_ms / 1000 - time.monotonic()))
            if time.monotonic() >= deadline:
                break
            text = "tail-%d" % i
            sent[text] = time.monotonic()
            kinesis.put_record(StreamName=args.stream, Data=text.encode(), PartitionKey="k")
        tail.wait_for("tail-%d" % (len(sent) - 1), deadline)
    finally:
        tail.stop()
    with tail.cond:
        latencies = sorted((tail.arrived[t] - s) * 1000 for t, s in sent.items()
                           if t in tail.arrived)
    lost = len(sent) - len(latencies)
    if not latencies:
        print("kinesctl-tail records=%d lost=%d" % (len(sent), lost))
        sys.exit(1)
    print("kinesctl-tail records=%d lost=%d interval_ms=%g p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" %
          (len(latencies), lost, args.interval_ms, percentile(latencies, 0.50),
           percentile(latencies, 0.99), latencies[-1]))
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
