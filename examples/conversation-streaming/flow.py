#!/usr/bin/env python3
"""Conversation streaming with a dead-letter queue and a least-privilege reader: a contact
centre's conversation events (EventBridge-shaped) become stitched records on a Kinesis stream,
read by an outside team with a read-only key and the stock aws CLI.

    examples/conversation-streaming/flow.py        # starts a kinesd (--auth verify) from build/
    examples/conversation-streaming/flow.py --aws  # on AWS (see README.md)

The steps (each a function the integration test calls too):
  1. the stream `conversation-events` (2 shards; on kinesd the record schema as its contract),
     the dead-letter queue (visibility 900 s, retention 14 days), the processor function with the
     queue as its OnFailure destination, and the reader: an IAM user with the read-only policy;
  2. the start events of CONVERSATIONS conversations and events of other topics, then their end
     events and one malformed event, each invoked asynchronously as EventBridge invokes its
     targets;
  3. the stitched records on the stream; the malformed event in the dead-letter queue;
  4. the reader's troubleshooting: describe-stream, get-shard-iterator TRIM_HORIZON and
     AT_TIMESTAMP, get-records, the data base64-decoded; its put-record is refused.
"""

import base64
import json
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import flowkit  # noqa: E402

STREAM = "conversation-events"
QUEUE = "conversation-processor-dlq"
FUNCTION = "conversation-processor"
READER = "conversation-reader"
CONVERSATIONS = 100
RECORD_SCHEMA = os.path.join(HERE, "schemas", "conversation-record.schema.json")
EVENT_SCHEMA = os.path.join(HERE, "schemas", "eventbridge-event.schema.json")
with open(os.path.join(HERE, "functions", "static-data.json")) as f:
    STATIC = json.load(f)
NAMESPACE = uuid.UUID("6f1c2a3e-9b7d-4e52-8a0c-3d4e5f607182")
SOURCE = "aws.partner/genesys.com/cloud/acme-org/conversations"
DLQ_ATTRIBUTES = {"VisibilityTimeout": "900", "MessageRetentionPeriod": str(14 * 24 * 3600)}


def read_only_policy(stream_arn):
    """The blueprint's policy of the outside reader: describe and read that stream, nothing
    else (ListStreams cannot be narrowed to a stream)."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTheConversationStream", "Effect": "Allow",
         "Action": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
         "Resource": stream_arn},
        {"Sid": "FindIt", "Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}]}


def setup(target, contract=True):
    """Step 1; returns {"stream_arn", "queue_url", "reader" (key id, secret)}."""
    arn = flowkit.create_stream(target, STREAM, shards=2)["StreamARN"]
    if contract and target.endpoint:  # a kinesd extension: AWS has no stream contracts
        rc, _, err = target.kinesctl("stream", "contract", "set", STREAM, RECORD_SCHEMA)
        assert rc == 0, err
    sqs = target.client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE, Attributes=DLQ_ATTRIBUTES)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    flowkit.execution_role(target, [
        {"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": arn},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}])
    flowkit.create_function(target, FUNCTION, os.path.join(HERE, "functions"),
                            "processor.handler", timeout=30, variables={"STREAM_NAME": STREAM})
    # a malformed event fails the same way every time: no retries, straight to the queue
    target.client("lambda").put_function_event_invoke_config(
        FunctionName=FUNCTION, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    iam = target.client("iam")
    iam.create_user(UserName=READER)
    iam.put_user_policy(UserName=READER, PolicyName="read-only",
                        PolicyDocument=json.dumps(read_only_policy(arn)))
    key = iam.create_access_key(UserName=READER)["AccessKey"]
    return {"stream_arn": arn, "queue_url": queue_url,
            "reader": (key["AccessKeyId"], key["SecretAccessKey"])}


def iso(epoch_s):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_s)) + \
        ".%03dZ" % int(epoch_s * 1000 % 1000)


def event(topic, body, at):
    """An EventBridge event of the partner event source, as a rule delivers it to a target."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": topic, "source": SOURCE,
            "account": "000000000000", "time": iso(at), "region": "us-east-1", "resources": [],
            "detail": {"topicName": topic, "version": "2", "eventBody": body,
                       "metadata": {"CorrelationId": str(uuid.uuid4())}}}


def conversation(i, began):
    """Conversation number I: its start and end events (customer, voice or message, a queue, a
    wrap-up code at the end)."""
    cid = str(uuid.uuid5(NAMESPACE, "conversation-%d" % i))
    queues, codes = sorted(STATIC["queues"]), sorted(STATIC["wrapupCodes"])
    body = {"conversationId": cid, "participantId": str(uuid.uuid5(NAMESPACE, "customer-%d" % i)),
            "sessionId": str(uuid.uuid5(NAMESPACE, "session-%d" % i)),
            "mediaType": "VOICE" if i % 3 else "MESSAGE", "provider": "Edge",
            "direction": "INBOUND" if i % 4 else "OUTBOUND", "queueId": queues[i % len(queues)],
            "ani": "tel:+1555%07d" % i, "dnis": "tel:+18005550100"}
    topic = "v2.detail.events.conversation.%s.customer." % cid
    start = event(topic + "start", dict(body, eventTime=iso(began + i)), began + i)
    end = event(topic + "end", dict(body, eventTime=iso(began + i + 60 + i % 7),
                                    interactingDurationMs=(60 + i % 7) * 1000,
                                    disconnectType="client", wrapupCode=codes[i % len(codes)]),
                began + i + 60)
    return start, end


def other_topics(began):
    """Events the processor ignores: other topics of the same source."""
    cid = str(uuid.uuid5(NAMESPACE, "conversation-0"))
    return [event("v2.detail.events.conversation.%s.acw" % cid, {"conversationId": cid}, began),
            event("v2.users.%s.activity" % uuid.uuid5(NAMESPACE, "agent"), {}, began)]


def malformed(began):
    """A customer end event whose body lost its conversation and participant."""
    _, end = conversation(CONVERSATIONS + 1, began)
    for key in ("conversationId", "participantId"):
        del end["detail"]["eventBody"][key]
    return end


def send(target, events):
    """Invokes the processor with each event asynchronously, as an EventBridge rule does."""
    lam = target.client("lambda")
    for e in events:
        lam.invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=json.dumps(e).encode())


def phases(began, conversations=CONVERSATIONS):
    """The events in two rounds: (the start events and the other topics, the end events and the
    malformed one)."""
    pairs = [conversation(i, began) for i in range(conversations)]
    return ([s for s, _ in pairs] + other_topics(began),
            [e for _, e in pairs] + [malformed(began)])


def stream_records(target):
    return [dict(json.loads(r["data"]), _key=r["key"], _shard=r["shard"])
            for r in flowkit.read_stream(target, STREAM)]


def wait_records(target, count, timeout_s=180):
    return flowkit.wait_until(lambda: (lambda got: got if len(got) >= count else None)(
        stream_records(target)), timeout_s, "%d records on %s" % (count, STREAM), 1)


def dead_letters(target, queue_url, count=1, timeout_s=120):
    """The failure records in the dead-letter queue (received, left there: visibility 900 s)."""
    sqs, got = target.client("sqs"), []

    def enough():
        got.extend(json.loads(m["Body"]) for m in sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []))
        return got if len(got) >= count else None

    return flowkit.wait_until(enough, timeout_s, "%d dead letters" % count, 0)


def troubleshoot(target, reader, since):
    """The reader's troubleshooting with the stock aws CLI; returns {"shards", "trim_horizon",
    "at_timestamp"}: the shards describe-stream lists, and the records (data decoded) each kind
    of iterator reads, shard by shard."""
    def aws(*args):
        rc, out, err = target.aws("kinesis", *args, credentials=reader)
        assert rc == 0, err
        return out

    shards = [s["ShardId"] for s in aws("describe-stream", "--stream-name", STREAM)[
        "StreamDescription"]["Shards"]]
    read = {}
    for kind, extra in (("trim_horizon", ["--shard-iterator-type", "TRIM_HORIZON"]),
                        ("at_timestamp", ["--shard-iterator-type", "AT_TIMESTAMP",
                                          "--timestamp", "%.3f" % since])):
        read[kind] = []
        for shard in shards:
            it = aws("get-shard-iterator", "--stream-name", STREAM, "--shard-id", shard,
                     *extra)["ShardIterator"]
            while it:
                page = aws("get-records", "--shard-iterator", it, "--limit", "1000")
                read[kind] += [json.loads(base64.b64decode(r["Data"])) for r in page["Records"]]
                it = page.get("NextShardIterator") if page["Records"] else None
    read["shards"] = shards
    return read


def reader_may_write(target, reader):
    """What the reader gets when it tries to put: the aws CLI's exit code and error."""
    rc, _, err = target.aws("kinesis", "put-record", "--stream-name", STREAM, "--partition-key",
                            "x", "--data", base64.b64encode(b"{}").decode(), credentials=reader)
    return rc, err.strip()


def flow(target):
    print("1. stream %s, dead-letter queue %s, function %s, reader %s" % (
        STREAM, QUEUE, FUNCTION, READER))
    made = setup(target)
    print("   reader's policy: %s" % json.dumps(read_only_policy(made["stream_arn"])))
    began = time.time()
    starts, ends = phases(began)
    print("2. %d events in: the start of %d conversations, 2 of other topics" % (
        len(starts), CONVERSATIONS))
    send(target, starts)
    wait_records(target, CONVERSATIONS)
    time.sleep(1)
    middle = time.time()
    print("   then %d: their ends and 1 malformed event" % len(ends))
    send(target, ends)
    records = wait_records(target, 2 * CONVERSATIONS)
    print("3. %d records on %s, e.g.\n   %s" % (len(records), STREAM, json.dumps(
        {k: v for k, v in records[-1].items() if not k.startswith("_")})))
    letter = dead_letters(target, made["queue_url"])[0]
    print("   dead-letter queue: %s, %s" % (letter["requestContext"]["condition"],
                                          letter["responsePayload"]["errorMessage"]))
    read = troubleshoot(target, made["reader"], middle)
    print("4. the reader: shards %s; %d records from TRIM_HORIZON, %d from AT_TIMESTAMP %s (the"
          " ends)" % (read["shards"], len(read["trim_horizon"]), len(read["at_timestamp"]),
                      iso(middle)))
    rc, err = reader_may_write(target, made["reader"])
    print("   its put-record: exit %d %s" % (rc, err))
    return len(records) == 2 * CONVERSATIONS and rc != 0


if __name__ == "__main__":
    flowkit.main(__doc__.splitlines()[0], flow, verify=True)
