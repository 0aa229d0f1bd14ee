#!/usr/bin/env python3
"""Canonical event dispatch: events published in one envelope, checked against its draft-04
schema before they are sent, and a consumer that routes them by type to handlers.

    examples/event-dispatch/flow.py            # starts a kinesd from build/ and runs the flow
    examples/event-dispatch/flow.py --endpoint-url http://127.0.0.1:4567
    examples/event-dispatch/flow.py --aws       # on Amazon Kinesis (see README.md)

The steps (each a function the integration test calls too):
  1. a stream `events` (2 shards); on kinesd the envelope schema is also its contract;
  2. `dispatcher` publishes events.jsonl: each envelope checked, then put with its partition key;
  3. `kinesctl dispatch --schema` publishes one more, the way a script would;
  4. a producer that skips the check is refused by the stream's contract (kinesd only);
  5. `router` reads the stream and hands each envelope to the handler its type names.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import flowkit  # noqa: E402

STREAM = "events"
SCHEMA = os.path.join(HERE, "schemas", "envelope.schema.json")
EVENTS = os.path.join(HERE, "events.jsonl")


def setup(target, stream=STREAM):
    flowkit.create_stream(target, stream, shards=2)
    if target.endpoint:  # the contract is kinesd's extension; on AWS the producers check
        rc, out, err = target.kinesctl("stream", "contract", "set", stream, SCHEMA,
                                       "--assert-format")
        if rc != 0:
            raise RuntimeError("contract: " + err)


def dispatch(target, lines, stream=STREAM, producer="shop"):
    """Runs dispatcher on LINES (text); returns (exit code, published envelopes, stderr)."""
    rc, out, err = target.run([target.program("event-dispatch/dispatcher"), stream, SCHEMA,
                               "--producer-id", producer], stdin=lines)
    return rc, [json.loads(line) for line in out.splitlines()], err


def dispatch_with_kinesctl(target, event_type, data, user, stream=STREAM):
    rc, out, err = target.kinesctl("dispatch", stream, event_type, json.dumps(data),
                                   "--source-user-id", user, "--partition-key", user,
                                   "--producer-id", "script", "--schema", SCHEMA,
                                   "--assert-format", "--output", "json")
    return rc, json.loads(out) if rc == 0 else None, err


def put_unchecked(target, data, stream=STREAM):
    """A producer that skips the check: PutRecord of DATA as it is. Returns the error code and
    message kinesd answered, or None when it was stored."""
    from botocore.exceptions import ClientError

    try:
        target.client("kinesis").put_record(StreamName=stream, PartitionKey="u-9", Data=data)
        return None
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]


def route(target, count, stream=STREAM):
    """Runs router until it has handled COUNT events; returns its lines."""
    rc, out, err = target.run([target.program("event-dispatch/router"), stream, SCHEMA,
                               "--count", str(count), "--idle-ms", "5000"])
    if rc != 0:
        raise RuntimeError("router: " + err)
    return [json.loads(line) for line in out.splitlines()]


def flow(target):
    print("1. stream %s with the envelope schema as its contract" % STREAM)
    setup(target)
    with open(EVENTS) as f:
        lines = f.read()
    print("2. dispatcher publishes %s" % os.path.relpath(EVENTS))
    rc, published, err = dispatch(target, lines)
    for envelope in published:
        print("   published %s %s key=%s" % (envelope["type"], envelope["id"],
                                             envelope["source"]["kinesisPartitionKey"]))
    print("   refused before sending (exit %d):\n   %s" % (rc, err.strip().replace("\n", "\n   ")))
    print("3. kinesctl dispatch --schema")
    rc, envelope, err = dispatch_with_kinesctl(target, "user.signed-up", {"plan": "team"}, "u-4")
    print("   published %s" % json.dumps(envelope) if rc == 0 else "   failed: " + err)
    if target.endpoint:
        print("4. a producer without the check, refused by the contract:")
        print("   %s: %s" % put_unchecked(target, b'{"type": "order.placed"}'))
    print("5. router, by type:")
    routed = route(target, len(published) + 1)
    for line in routed:
        print("   %-9s %-18s key=%-4s %s" % (line["handler"], line.get("type", ""),
                                            line.get("key", ""), line.get("result", "")))
    return len(routed) == len(published) + 1


if __name__ == "__main__":
    flowkit.main(__doc__.splitlines()[0], flow)
