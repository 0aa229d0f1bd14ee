"""Flow 2, the audience activation connector (examples/audience-connector), in verify mode: each
missing setting refused by name; the scripted changes become exactly the expected messages (one
per partner id, callType NEW / MODIFIED / REMOVED, every field present, optional ones empty,
timestamps in epoch ms), valid against the schema (checked again here), in order per profile;
an 11th profile variable and an unknown change refused; the connector's key puts and nothing
else."""

import json
import shutil
import tempfile

from flow_fixture import FlowTestCase, load_flow
from iam_fixture import ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn

flow = load_flow("audience-connector")
SETTINGS = ["name", "partnerNumber", "accessKey", "secretKey", "region", "streamName"]


def message(profile, call_type, partner, timestamp, vars=None, site="", name="", number="",
            data=None):
    return {"profileId": profile, "sourceId": "aud-vip", "partnerNumber": flow.PARTNER_NUMBER,
            "callType": call_type, "partnerIds": [partner], "profileVars": vars or {},
            "timestamp": timestamp, "siteNumber": site, "sourceName": name,
            "sourceNumber": number, "data": data or {}}


GOLD = {"tier": "gold", "points": 1200}
EXPECTED = {
    "p-100": [message("p-100", "NEW", p, 1796000000000, GOLD, "S-1", "VIP customers", "17",
                      {"lastPurchase": "2026-11-30"}) for p in ("acme-1", "acme-2", "acme-3")]
    + [message("p-100", "MODIFIED", "acme-1", 1796000001000, {"tier": "platinum"}, "S-1")],
    "p-200": [message("p-200", "NEW", "acme-9", 1796000000500),
              message("p-200", "REMOVED", "acme-9", 1796000002000)],
}


class AudienceConnectorFlow(FlowTestCase):
    SERVER_ARGS = VerifyTestCase.SERVER_ARGS
    CREDENTIALS = ROOT

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kinesd-audience-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_changes_become_messages_put_with_a_put_only_key(self):
        arn, key = flow.setup(self.target)
        for setting in SETTINGS:
            with self.subTest(missing=setting):
                config = flow.write_config(self.tmp, key, self.target, **{setting: None})
                rc, delivered, err = flow.connect(self.target, config, "")
                self.assertEqual((rc, delivered), (3, []), err)
                self.assertEqual(err, 'connector: %s: "%s" is missing (every setting is '
                                      'required)\n' % (config, setting))
        config = flow.write_config(self.tmp, key, self.target, region="", name=None)
        rc, _, err = flow.connect(self.target, config, "")
        self.assertEqual(rc, 3)
        self.assertEqual(err.count("is missing"), 2, err)

        with open(flow.CHANGES) as f:
            rc, delivered, err = flow.connect(self.target, flow.write_config(
                self.tmp, key, self.target), f.read())
        self.assertEqual(rc, 8, err)
        self.assertEqual(err.splitlines(), [
            "line 4: refused: profile p-300 has 11 profile variables; at most 10 are sent",
            'line 6: refused: "change" must be joined, updated or left',
            "acme-audiences: 6 messages delivered to audience-activation, 0 not delivered, "
            "2 lines refused"])
        self.assertEqual(sorted((d["line"], d["partnerId"], d["callType"]) for d in delivered),
                         [(1, "acme-1", "NEW"), (1, "acme-2", "NEW"), (1, "acme-3", "NEW"),
                          (2, "acme-9", "NEW"), (3, "acme-1", "MODIFIED"),
                          (5, "acme-9", "REMOVED")])

        stored = flow.messages(self.target)
        for profile, expected in EXPECTED.items():
            got = [m for m in stored if m["profileId"] == profile]
            self.assertEqual([m["_key"] for m in got], [profile] * len(expected))
            self.assertEqual([{k: v for k, v in m.items() if not k.startswith("_")}
                              for m in got], expected)
        for m in stored:
            self.assert_valid(flow.SCHEMA, {k: v for k, v in m.items() if not k.startswith("_")})
        self.assertEqual(len(stored), 6)

        user = "arn:aws:iam::000000000000:user/" + flow.USER
        rc, err = flow.connector_may_read(self.target, key)
        self.assertNotEqual(rc, 0)
        self.assertIn(denied(user, "kinesis:GetShardIterator", arn), err)
        self.target.client("kinesis").create_stream(StreamName="other", ShardCount=1)
        rc, _, err = self.target.aws("kinesis", "put-record", "--stream-name", "other",
                                     "--partition-key", "k", "--data", "aGk=", credentials=key)
        self.assertNotEqual(rc, 0)
        self.assertIn(denied(user, "kinesis:PutRecord", stream_arn("other")), err)


if __name__ == "__main__":
    import unittest

    unittest.main()
