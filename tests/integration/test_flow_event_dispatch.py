"""Flow 4, canonical event dispatch (examples/event-dispatch): every event published is a valid
envelope (checked again here by another validator) carrying the caller's type, data, user and
partition key; the one that does not match is refused before it is sent, naming its line and
path; kinesctl dispatch --schema publishes too; the stream's contract refuses a producer that
skips the check; the router hands every envelope to the handler of its type, in order per
partition key."""

import json
import re

from flow_fixture import FlowTestCase, flowkit, load_flow

flow = load_flow("event-dispatch")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class EventDispatchFlow(FlowTestCase):
    def test_dispatch_and_route(self):
        flow.setup(self.target)
        with open(flow.EVENTS) as f:
            events = [json.loads(line) for line in f if line.strip()]
        rc, published, err = flow.dispatch(self.target, "".join(json.dumps(e) + "\n"
                                                                for e in events))
        self.assertEqual(rc, 8, err)  # one event refused, the others published
        self.assertEqual(err.strip(), "line 8: event envelope does not match the schema: /data: "
                                      "expected object, got array (schema "
                                      "#/properties/data/type)")
        sent = [e for e in events if isinstance(e["data"], dict)]
        self.assertEqual(len(published), len(sent))
        for event, envelope in zip(sent, published):
            self.assert_valid(flow.SCHEMA, envelope)
            self.assertRegex(envelope["id"], UUID4)
            self.assertEqual((envelope["type"], envelope["data"], envelope["source"]),
                             (event["type"], event["data"],
                              {"userId": event.get("sourceUserId"), "producerId": "shop",
                               "kinesisPartitionKey": event["partitionKey"]}))
        self.assertEqual(len({e["id"] for e in published}), len(published))

        rc, extra, err = flow.dispatch_with_kinesctl(self.target, "user.signed-up",
                                                     {"plan": "team"}, "u-4")
        self.assertEqual(rc, 0, err)
        self.assert_valid(flow.SCHEMA, extra)
        published.append(extra)
        rc, _, err = flow.dispatch_with_kinesctl(self.target, "User Signed Up", {}, "u-4")
        self.assertEqual(rc, 8, err)
        self.assertIn("/type: does not match the pattern", err)

        refused = flow.put_unchecked(self.target, b'{"type": "order.placed"}')
        self.assertEqual(refused[0], "InvalidArgumentException")
        self.assertIn("/id: required property missing (schema #/required)", refused[1])

        stored = flowkit.read_stream(self.target, flow.STREAM)
        self.assertEqual(sorted(json.loads(r["data"])["id"] for r in stored),
                         sorted(e["id"] for e in published))
        for record in stored:
            self.assertEqual(record["key"],
                             json.loads(record["data"])["source"]["kinesisPartitionKey"])

        # without the contract (as on AWS) a bad record reaches the stream: the router rejects it
        self.assertEqual(self.target.kinesctl("stream", "contract", "remove", flow.STREAM)[0], 0)
        self.assertIsNone(flow.put_unchecked(self.target, b'{"type": "order.placed"}'))
        routed = flow.route(self.target, len(published) + 1)
        rejected = [line for line in routed if line["handler"] == "rejected"]
        self.assertEqual(len(rejected), 1)
        self.assertIn("/source: required property missing", rejected[0]["errors"])
        routed.remove(rejected[0])
        by_id = {line["id"]: line for line in routed}
        self.assertEqual(sorted(by_id), sorted(e["id"] for e in published))
        handlers = {"user": "users", "order": "orders", "newsletter": "fallback"}
        for envelope in published:
            line = by_id[envelope["id"]]
            self.assertEqual((line["handler"], line["type"], line["key"]),
                             (handlers[envelope["type"].split(".")[0]], envelope["type"],
                              envelope["source"]["kinesisPartitionKey"]))
        for key in ("u-1", "u-2", "u-3", "u-4"):
            self.assertEqual([line["id"] for line in routed if line["key"] == key],
                             [e["id"] for e in published
                              if e["source"]["kinesisPartitionKey"] == key])
        self.assertEqual([line["result"] for line in routed if line["handler"] == "orders"
                          and line["key"] == "u-1"],
                         ["order.placed o-100: 1 open", "order.placed o-102: 2 open",
                          "order.cancelled o-100: 1 open"])


if __name__ == "__main__":
    import unittest

    unittest.main()
