"""Flow 5, conversation streaming (examples/conversation-streaming), in verify mode: start and
end events of 100 conversations in (invoked asynchronously, as EventBridge does) -> 200 records
out, each exactly the event's fields with the queue and wrap-up code names stitched in, valid
against the record schema (checked again here), partitioned by conversation, start before end;
other topics ignored; a malformed event in the dead-letter queue (visibility 900 s, retention
14 days) through the OnFailure destination; the reader's read-only key runs the troubleshooting
flow with the stock aws CLI (TRIM_HORIZON, AT_TIMESTAMP, base64) and may not write."""

import json
import time

from flow_fixture import FlowTestCase, load_flow
from iam_fixture import ROOT, VerifyTestCase, denied

flow = load_flow("conversation-streaming")


def expected_record(e):
    """What the processor must make of event E, computed here from the event itself."""
    body, topic = e["detail"]["eventBody"], e["detail"]["topicName"]
    end = topic.endswith(".end")
    return {"conversationId": body["conversationId"], "customerId": body["participantId"],
            "direction": body["direction"],
            "duration": body["interactingDurationMs"] if end else 0,
            "mediaType": body["mediaType"], "provider": body["provider"],
            "sessionId": body["sessionId"], "timeStamp": body["eventTime"], "topicName": topic,
            "version": "2", "queueName": flow.STATIC["queues"][body["queueId"]],
            "wrapupCodeName": flow.STATIC["wrapupCodes"][body["wrapupCode"]] if end else ""}


class ConversationStreamingFlow(FlowTestCase):
    SERVER_ARGS = VerifyTestCase.SERVER_ARGS
    CREDENTIALS = ROOT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.made = flow.setup(cls.target)

    def test_events_to_stitched_records_dead_letters_and_a_read_only_reader(self):
        made = self.made
        attributes = self.target.client("sqs").get_queue_attributes(
            QueueUrl=made["queue_url"], AttributeNames=["All"])["Attributes"]
        self.assertEqual((attributes["VisibilityTimeout"], attributes["MessageRetentionPeriod"]),
                         ("900", "1209600"))

        began = time.time()
        starts, ends = flow.phases(began)
        flow.send(self.target, starts)
        flow.wait_records(self.target, flow.CONVERSATIONS)
        time.sleep(1)
        middle = time.time()
        flow.send(self.target, ends)
        flow.wait_records(self.target, 2 * flow.CONVERSATIONS)
        time.sleep(1)  # nothing more comes: the other topics were ignored
        records = flow.stream_records(self.target)
        self.assertEqual(len(records), 200)

        mine = [e for e in starts + ends if e["detail"]["topicName"].endswith(
            (".customer.start", ".customer.end")) and "conversationId" in e["detail"]["eventBody"]]
        self.assertEqual(len(mine), 200)
        by_conversation = {}
        for r in records:
            self.assertEqual(r["_key"], r["conversationId"])
            by_conversation.setdefault(r["conversationId"], []).append(r)
        self.assertEqual(len(by_conversation), 100)
        for e in mine:
            want = expected_record(e)
            got = by_conversation[want["conversationId"]]
            self.assertIn(want, [{k: v for k, v in r.items() if not k.startswith("_")}
                                 for r in got])
        for cid, got in by_conversation.items():
            self.assertEqual([r["topicName"].rsplit(".", 1)[1] for r in got], ["start", "end"])
            self.assertEqual(got[0]["_shard"], got[1]["_shard"])
            for r in got:
                self.assert_valid(flow.RECORD_SCHEMA,
                                  {k: v for k, v in r.items() if not k.startswith("_")})
        for e in starts + ends[:-1]:
            self.assert_valid(flow.EVENT_SCHEMA, e)

        letters = flow.dead_letters(self.target, made["queue_url"])
        self.assertEqual(len(letters), 1, letters)
        letter = letters[0]
        self.assertEqual(letter["requestPayload"], ends[-1])
        self.assertEqual(letter["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(letter["responseContext"]["functionError"], "Unhandled")
        self.assertEqual((letter["responsePayload"]["errorType"],
                          letter["responsePayload"]["errorMessage"]),
                         ("MalformedEvent", "detail.eventBody: conversationId, participantId "
                                            "missing"))

        read = flow.troubleshoot(self.target, made["reader"], middle)
        self.assertEqual(read["shards"], ["shardId-000000000000", "shardId-000000000001"])
        plain = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
        self.assertEqual(sorted(map(json.dumps, read["trim_horizon"])),
                         sorted(map(json.dumps, plain)))
        self.assertEqual(sorted(map(json.dumps, read["at_timestamp"])),
                         sorted(json.dumps(r) for r in plain if r["topicName"].endswith(".end")))
        rc, err = flow.reader_may_write(self.target, made["reader"])
        self.assertNotEqual(rc, 0, err)
        self.assertIn(denied("arn:aws:iam::000000000000:user/%s" % flow.READER,
                             "kinesis:PutRecord", made["stream_arn"]), err)

    def test_what_the_processor_refuses_or_ignores(self):
        lam = self.target.client("lambda")

        def invoke(event):
            answer = lam.invoke(FunctionName=flow.FUNCTION, Payload=json.dumps(event).encode())
            return answer.get("FunctionError"), json.loads(answer["Payload"].read())

        began = time.time()
        self.assertEqual(invoke(flow.other_topics(began)[1]),
                         (None, {"ignored": flow.other_topics(began)[1]["detail-type"]}))
        error, answer = invoke({"hello": "world"})
        self.assertEqual((error, answer["errorMessage"]), (
            "Unhandled", "the event names no topic (detail.topicName, detail-type)"))
        start, _ = flow.conversation(500, began)
        start["detail"]["eventBody"]["conversationId"] = "someone-else"
        error, answer = invoke(start)
        self.assertEqual(answer["errorType"], "MalformedEvent")
        self.assertIn("its body about someone-else", answer["errorMessage"])
        del start["detail-type"], start["source"]
        start["detail"]["eventBody"]["conversationId"] = start["detail"]["topicName"].split(".")[4]
        error, answer = invoke(start)
        self.assertEqual(answer["errorMessage"],
                         "not an EventBridge event: detail-type, source missing")


if __name__ == "__main__":
    import unittest

    unittest.main()
