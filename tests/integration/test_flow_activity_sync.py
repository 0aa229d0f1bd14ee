"""Flow 1, activity sync with a Kinesis trigger (examples/activity-sync): 12 trigger records in
(through an event source mapping to the trigger function) -> exactly the expected events of each
experience out, in order, on one shard per experience, each valid against the event schema
(checked again here with python3-jsonschema) and carrying its trigger's customContext; the two
invalid trigger records among them each end alone in the mapping's dead-letter queue and start
nothing; the simulator alone refuses a batch with an invalid record before putting anything."""

import json

from flow_fixture import FlowTestCase, load_flow

flow = load_flow("activity-sync")
START, QUEUED, SENT = "experience-start", "queued", "sent-to-gateway"
DELIVERED = [START, QUEUED, SENT, "delivered"]
FAILED = "experience-failed"
# triggers.jsonl, line by line: the events each experience must have, in order
EXPECTED = [
    DELIVERED + ["opened", "experience-finish"],
    DELIVERED + ["opened", "inbound-matched-intent", "experience-finish"],
    DELIVERED + ["opened", "inbound-unmatched", "experience-finish"],
    [START, QUEUED, SENT, "bounced", FAILED],
    [START, QUEUED, SENT, "rejected-by-gateway", FAILED],
    [START, QUEUED, "validation-failed", FAILED],
    DELIVERED + ["experience-finish"],
    DELIVERED + ["inbound-matched-intent", "experience-finish"],
    DELIVERED + ["inbound-unmatched", "experience-finish"],
    [START, QUEUED, SENT, "bounced", FAILED],
    [START, QUEUED, SENT, "rejected-by-gateway", FAILED],
    [START, QUEUED, "validation-failed", FAILED],
]


class ActivitySyncFlow(FlowTestCase):
    def test_trigger_records_become_experiences_and_invalid_ones_dead_letters(self):
        made = flow.setup(self.target)
        records = flow.triggers()
        sequences = flow.put_triggers(self.target, records)
        valid = [(seq, json.loads(data)) for seq, (ok, data) in zip(sequences, records) if ok]
        invalid = [seq for seq, (ok, _) in zip(sequences, records) if not ok]
        self.assertEqual(len(valid), len(EXPECTED))
        self.assertEqual([flow.expected_kinds(t) for _, t in valid], EXPECTED)

        found = flow.wait_events(self.target, sum(map(len, EXPECTED)))
        letters = flow.dead_letters(self.target, made["queue_url"], 2)
        found = flow.events_by_experience(self.target)  # nothing more came meanwhile
        self.assertEqual(sorted(found), sorted("exp-" + seq for seq, _ in valid))
        for (seq, trigger), kinds in zip(valid, EXPECTED):
            experience = "exp-" + seq
            events = found[experience]
            self.assertEqual([e["kind"] for _, _, e in events], kinds, experience)
            self.assertEqual({(shard, key) for shard, key, _ in events},
                             {(events[0][0], experience)})
            stamps = [e["timestamp"] for _, _, e in events]
            self.assertEqual(stamps, sorted(set(stamps)))
            for _, _, e in events:
                self.assert_valid(flow.EVENT_SCHEMA, e)
                self.assertEqual(e["customContext"], trigger["customContext"])
                self.assertEqual(e["workflowContext"]["experienceContext"]["experienceId"],
                                 experience)
            self.check_messages(experience, trigger, [e for _, _, e in events])

        self.assertEqual(len(letters), 2, letters)
        self.assertEqual(sorted(letter["KinesisBatchInfo"]["startSequenceNumber"]
                                for letter in letters), sorted(invalid))
        for letter in letters:
            info = letter["KinesisBatchInfo"]
            self.assertEqual((info["batchSize"], info["endSequenceNumber"]),
                             (1, info["startSequenceNumber"]))
            self.assertEqual(letter["requestContext"]["condition"], "RetryAttemptsExhausted")
            self.assertTrue(info["streamArn"].endswith(":stream/" + flow.INBOUND))
        self.assertIn("InvalidTriggerRecord", self.target.kinesctl("logs", flow.FUNCTION)[1])

    def check_messages(self, experience, trigger, events):
        """The message ids, payloads and problem lists of one experience."""
        out, payload = experience + "-out", trigger["payload"]
        for e in events:
            if e["kind"] in ("queued", "validation-failed"):
                self.assertEqual((e["messageId"], e["payload"]), (out, payload))
            elif e["kind"].startswith("inbound-"):
                self.assertEqual((e["messageId"], e["parentMessageId"]),
                                 (experience + "-in", out))
                self.assertEqual(e["payload"]["sender"], payload["recipient"])
                self.assertEqual(e["payload"]["recipient"],
                                 payload.get("replyTo", payload["sender"]))
                self.assertEqual(e.get("matchedIntentKey"),
                                 "confirm" if e["kind"] == "inbound-matched-intent" else None)
            elif e["kind"] in ("experience-finish", FAILED):  # the kind that decided it
                decided = events[-2]["kind"]
                self.assertEqual(e["outcome"], "delivered" if decided == "opened" else decided)
            elif e["kind"] != START:
                self.assertEqual(e["messageId"], out)
        if events[-1]["kind"] == FAILED:
            problems = events[-2].get("errors") or events[-2]["errorDetails"]
            self.assertEqual(events[-1]["errors"], problems)

    def test_the_simulator_checks_every_record_before_it_puts(self):
        good = flow.triggers()[0][1]
        bad = '{"payload": {"kind": "email", "sender": "a@b.example"}, "customContext": {}}'
        rc, out, err = self.target.run([self.target.program("activity-sync/simulator"),
                                        flow.OUTBOUND, flow.EVENT_SCHEMA, flow.TRIGGER_SCHEMA],
                                       stdin="%s\n%s\n" % (good, bad))
        self.assertEqual((rc, out), (8, ""), err)
        self.assertIn("line 2 (experience exp-", err)
        self.assertIn("/payload/recipient: required property missing", err)
        self.assertIn("nothing put", err)


if __name__ == "__main__":
    import unittest

    unittest.main()
