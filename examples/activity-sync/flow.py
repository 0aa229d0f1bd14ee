#!/usr/bin/env python3
"""Activity sync with a Kinesis trigger: trigger records on an inbound stream start experiences,
whose activity events (twelve kinds, each checked against its schema) go to an outbound stream,
in order per experience; an invalid trigger record goes to the mapping's dead-letter queue.

    examples/activity-sync/flow.py        # starts a kinesd from build/ and runs the flow

The steps (each a function the integration test calls too):
  1. the inbound stream `activity-triggers` (1 shard), the outbound stream `activity-events`
     (2 shards; on kinesd the event schema as its contract), the dead-letter queue
     `activity-trigger-dlq`, and the trigger function `activity-trigger` (functions/trigger.py
     running the C simulator);
  2. the event source mapping: `kinesctl trigger create` (TRIM_HORIZON, batches of 10, failed
     batches bisected, 2 retries, the queue as OnFailure destination);
  3. the trigger records of triggers.jsonl put to the inbound stream, with two invalid ones among
     them (a record without a body and with a customContext that is no object; a line that is
     not JSON);
  4. the events read from the outbound stream, by experience; the dead-letter queue's records.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import flowkit  # noqa: E402

INBOUND, OUTBOUND = "activity-triggers", "activity-events"
FUNCTION, QUEUE = "activity-trigger", "activity-trigger-dlq"
SCHEMAS = os.path.join(HERE, "schemas")
EVENT_SCHEMA = os.path.join(SCHEMAS, "activity-event.schema.json")
TRIGGER_SCHEMA = os.path.join(SCHEMAS, "trigger-record.schema.json")
TRIGGERS = os.path.join(HERE, "triggers.jsonl")
# (position in the input, data): the invalid trigger records slipped in among the valid ones
INVALID = [(3, json.dumps({"payload": {"kind": "sms", "sender": "+15550000000",
                                       "recipient": "+15551230003"}, "customContext": "vip"})),
           (9, "this is not JSON")]


def triggers():
    """The records to put: triggers.jsonl's lines with INVALID inserted; [(valid?, data)]."""
    with open(TRIGGERS) as f:
        records = [(True, line.strip()) for line in f if line.strip()]
    for at, data in INVALID:
        records.insert(at, (False, data))
    return records


def setup(target):
    """Steps 1-2; returns {"queue_url", "mapping" (kinesctl's output)}."""
    flowkit.create_stream(target, INBOUND, shards=1)
    flowkit.create_stream(target, OUTBOUND, shards=2)
    if target.endpoint:  # a kinesd extension: AWS has no stream contracts
        rc, _, err = target.kinesctl("stream", "contract", "set", OUTBOUND, EVENT_SCHEMA)
        assert rc == 0, err
    sqs = target.client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    schemas = {}
    for name in os.listdir(SCHEMAS):
        with open(os.path.join(SCHEMAS, name)) as f:
            schemas["schemas/" + name] = f.read()
    variables = {"OUTBOUND_STREAM": OUTBOUND}
    if target.endpoint:  # on AWS the simulator is in the zip (README.md)
        variables["SIMULATOR"] = target.program("activity-sync/simulator")
    flowkit.create_function(target, FUNCTION, os.path.join(HERE, "functions"), "trigger.handler",
                            timeout=60, variables=variables, extra_files=schemas)
    rc, out, err = target.kinesctl("trigger", "create", FUNCTION, INBOUND, "--starting-position",
                                   "trim-horizon", "--batch-size", "10", "--bisect", "--retries",
                                   "2", "--on-failure", queue_arn)
    assert rc == 0, err
    return {"queue_url": queue_url, "mapping": out.strip()}


def put_triggers(target, records):
    """Step 3: the records in one PutRecords, in order; returns each one's sequence number."""
    answer = target.client("kinesis").put_records(StreamName=INBOUND, Records=[
        {"Data": data.encode(), "PartitionKey": "trigger-%d" % i}
        for i, (_, data) in enumerate(records)])
    assert answer["FailedRecordCount"] == 0, answer
    return [r["SequenceNumber"] for r in answer["Records"]]


def expected_kinds(record):
    """The kinds the simulator's gateway makes of a trigger record (README.md's table)."""
    payload = record["payload"]
    to, email = payload["recipient"], payload["kind"] == "email"
    if email:
        valid = "@" in to
        fate = next((f for f in ("reject", "bounce", "reply", "unmatched") if to.startswith(f)),
                    "")
    else:
        valid = to.startswith("+") and to[1:].isdigit()
        fate = {"1": "reject", "2": "bounce", "4": "reply", "5": "unmatched"}.get(to[-1], "")
    head = ["experience-start", "queued"]
    if not valid:
        return head + ["validation-failed", "experience-failed"]
    head.append("sent-to-gateway")
    if fate in ("reject", "bounce"):
        return head + ["rejected-by-gateway" if fate == "reject" else "bounced",
                       "experience-failed"]
    head += ["delivered"] + (["opened"] if email else [])
    reply = {"reply": ["inbound-matched-intent"], "unmatched": ["inbound-unmatched"]}
    return head + reply.get(fate, []) + ["experience-finish"]


def events_by_experience(target):
    """The outbound events, by experience id, in stream order: {id: [(shard, key, event)]}."""
    found = {}
    for r in flowkit.read_stream(target, OUTBOUND):
        event = json.loads(r["data"])
        found.setdefault(event["experienceId"], []).append((r["shard"], r["key"], event))
    return found


def wait_events(target, count, timeout_s=120):
    def enough():
        found = events_by_experience(target)
        return found if sum(map(len, found.values())) >= count else None

    return flowkit.wait_until(enough, timeout_s, "%d events on %s" % (count, OUTBOUND), 0.5)


def dead_letters(target, queue_url, count, timeout_s=120):
    """The mapping's failure records in the queue (received and deleted)."""
    sqs, got = target.client("sqs"), []

    def enough():
        for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return got if len(got) >= count else None

    return flowkit.wait_until(enough, timeout_s, "%d dead letters" % count, 0)


def flow(target):
    print("1-2. streams %s -> %s, function %s, queue %s" % (INBOUND, OUTBOUND, FUNCTION, QUEUE))
    made = setup(target)
    print("     mapping: %s" % made["mapping"])
    records = triggers()
    sequences = put_triggers(target, records)
    print("3. %d trigger records put to %s (%d invalid)" % (len(records), INBOUND, len(INVALID)))
    expected = sum(len(expected_kinds(json.loads(d))) for ok, d in records if ok)
    found = wait_events(target, expected)
    print("4. %d experiences, %d events on %s:" % (len(found), expected, OUTBOUND))
    for seq, (ok, data) in zip(sequences, records):
        if ok:
            kinds = [e["kind"] for _, _, e in found.get("exp-" + seq, [])]
            print("   %-28s %s" % (json.loads(data)["payload"]["recipient"], " > ".join(kinds)))
    for letter in dead_letters(target, made["queue_url"], len(INVALID)):
        info = letter["KinesisBatchInfo"]
        print("   dead letter: %s, record %s (batch of %d)" % (
            letter["requestContext"]["condition"], info["startSequenceNumber"],
            info["batchSize"]))
    return sum(map(len, found.values())) == expected


if __name__ == "__main__":
    flowkit.main(__doc__.splitlines()[0], flow)
