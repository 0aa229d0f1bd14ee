"""processor - the conversation processor: EventBridge events of a contact centre's conversations
in, one stitched record per customer start / end out, on the Kinesis stream STREAM_NAME.

Handles the topics v2.detail.events.conversation.{id}.customer.start and .customer.end and
ignores every other topic. The record:

    {conversationId, customerId, direction, duration, mediaType, provider, sessionId, timeStamp,
     topicName, version, queueName, wrapupCodeName}

partitioned by conversationId. queueName and wrapupCodeName are stitched from static-data.json
(beside this file, or STATIC_DATA): "" when the event names no queue / wrap-up code or one the
file does not know (logged). duration is the customer's interacting time in milliseconds (0 at
the start). An event this cannot make a record of raises: invoked asynchronously, as EventBridge
invokes it, the failed event goes to the function's OnFailure destination (the dead-letter queue).
"""

import json
import os
import re

import boto3

TOPIC = re.compile(r"^v2\.detail\.events\.conversation\.([0-9A-Za-z-]+)\.customer\.(start|end)$")
ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "resources",
            "detail")
BODY = ("eventTime", "conversationId", "participantId", "sessionId", "mediaType", "provider",
        "direction")
HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.environ.get("STATIC_DATA") or os.path.join(HERE, "static-data.json")) as f:
    STATIC = json.load(f)
kinesis = boto3.client("kinesis")


class MalformedEvent(ValueError):
    """The event is one of ours but no record can be made of it."""


def stitched_name(table, key):
    """The name the static data gives KEY in TABLE ("queues", "wrapupCodes"); "" without one."""
    if not key:
        return ""
    name = STATIC[table].get(key)
    if name is None:
        print("WARN processor: %s has no %s; its name is left empty" % (key, table))
    return name or ""


def record_of(event, topic, conversation, phase):
    """The stitched record of a customer start/end event; MalformedEvent when it is not one."""
    missing = [k for k in ENVELOPE if k not in event]
    if missing:
        raise MalformedEvent("not an EventBridge event: %s missing" % ", ".join(missing))
    detail = event["detail"]
    body = detail.get("eventBody") if isinstance(detail, dict) else None
    if not isinstance(body, dict):
        raise MalformedEvent("detail.eventBody is missing")
    missing = [k for k in BODY if not isinstance(body.get(k), str) or not body[k]]
    if missing:
        raise MalformedEvent("detail.eventBody: %s missing" % ", ".join(missing))
    if body["conversationId"] != conversation:
        raise MalformedEvent("topic %s is about conversation %s, its body about %s" %
                             (topic, conversation, body["conversationId"]))
    duration = body.get("interactingDurationMs", 0) if phase == "end" else 0
    if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
        raise MalformedEvent("detail.eventBody.interactingDurationMs is not a duration")
    return {"conversationId": conversation, "customerId": body["participantId"],
            "direction": body["direction"], "duration": duration,
            "mediaType": body["mediaType"], "provider": body["provider"],
            "sessionId": body["sessionId"], "timeStamp": body["eventTime"], "topicName": topic,
            "version": str(detail.get("version", "")),
            "queueName": stitched_name("queues", body.get("queueId")),
            "wrapupCodeName": stitched_name("wrapupCodes", body.get("wrapupCode"))}


def handler(event, context):
    detail = event.get("detail") if isinstance(event, dict) else None
    topic = (detail.get("topicName") if isinstance(detail, dict) else None) or \
        (event.get("detail-type") if isinstance(event, dict) else None)
    match = TOPIC.match(topic or "")
    if not match:
        if topic:
            return {"ignored": topic}
        raise MalformedEvent("the event names no topic (detail.topicName, detail-type)")
    record = record_of(event, topic, match.group(1), match.group(2))
    put = kinesis.put_record(StreamName=os.environ["STREAM_NAME"],
                             PartitionKey=record["conversationId"],
                             Data=json.dumps(record).encode())
    return {"record": record, "shardId": put["ShardId"], "sequenceNumber": put["SequenceNumber"]}
