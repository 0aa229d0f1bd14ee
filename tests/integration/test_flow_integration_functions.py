"""Flow 3, async integration functions with a 2-second wait (examples/integration-functions):
SleepTime 0 is DONE within the wait, its payload under the rule's output key; SleepTime 5 is
START/RUN when the wait ends and DONE later through the check function; a run past the rule's
timeout becomes TIMEOUT and stays so when it finishes late; ForcedError is ERROR with its cause;
the naming rule finds only <stage>-<service>-integration<FunctionName>; a missing ContactId is
logged and nothing is recorded.

The issue's timeout case is SleepTime 30 with a 20 s timeout; here it is SleepTime 6 with a 3 s
timeout, so that the suite stays fast (the flow itself runs the issue's numbers)."""

import re
import shutil
import tempfile
import threading

from flow_fixture import FlowTestCase, flowkit, load_flow

flow = load_flow("integration-functions")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class IntegrationFunctionsFlow(FlowTestCase):
    def setUp(self):
        self.state_dir = tempfile.mkdtemp(prefix="kinesd-contacts-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def state(self, contact):
        return flow.state_of(self.state_dir, contact)

    def test_start_wait_check_and_timeout(self):
        flow.deploy(self.target, self.state_dir)
        # warm environments, so that "within the 2 s" measures the integration, not a cold start
        flow.invoke(self.target, flow.ECHO, {"ContactId": "warm-up", "OriginalRequest": {},
                                             "Payload": {}})

        _, answer = flow.start(self.target, "c-fast", {"SleepTime": 0, "note": "hi"}, 20)
        self.assertEqual(answer["IntegrationStatus"], "DONE", answer)
        self.assertEqual(answer["echoResult"], {"SleepTime": 0, "note": "hi"})
        self.assertRegex(answer["IntegrationStart"], ISO_MS)
        self.assertRegex(answer["IntegrationEnd"], ISO_MS)
        self.assertEqual(self.state("c-fast"), {k: v for k, v in answer.items()
                                                if k != "ContactId"})

        _, answer = flow.start(self.target, "c-error", {"ForcedError": "CRM said 503"}, 20)
        self.assertEqual((answer["IntegrationStatus"], answer["IntegrationErrorCause"]),
                         ("ERROR", "CRM said 503"), answer)

        slow = {}
        late = threading.Thread(target=lambda: slow.update(
            zip(("took", "answer"), flow.start(self.target, "c-slow", {"SleepTime": 5}, 20))))
        late.start()
        _, timed = flow.start(self.target, "c-timeout", {"SleepTime": 6}, 3)
        late.join()
        self.assertIn(slow["answer"]["IntegrationStatus"], ("START", "RUN"), slow)
        self.assertIn(timed["IntegrationStatus"], ("START", "RUN"), timed)
        seen, final = flow.check_until_final(self.target, "c-timeout", 30)
        self.assertEqual(final["IntegrationStatus"], "TIMEOUT", seen)
        seen, final = flow.check_until_final(self.target, "c-slow", 30)
        self.assertEqual(final["IntegrationStatus"], "DONE", seen)
        self.assertEqual(final["echoResult"], {"SleepTime": 5})
        flowkit.wait_until(lambda: "echo c-timeout: finished late, the contact is TIMEOUT"
                           in flow.logs(self.target, flow.ECHO), 30, "the late finish")
        self.assertEqual(self.state("c-timeout")["IntegrationStatus"], "TIMEOUT")
        self.assertNotIn("echoResult", self.state("c-timeout"))

        _, answer = flow.start(self.target, "c-unknown", {}, 20, function="Nope")
        self.assertEqual(answer["IntegrationErrorCause"],
                         "no integration function is named dev-rules-integrationNope")

    def test_missing_fields(self):
        flow.deploy(self.target, self.state_dir)
        _, answer = flow.invoke(self.target, flow.ECHO, {"OriginalRequest": {}, "Payload": {}})
        self.assertEqual(answer, {"IntegrationStatus": "ERROR",
                                  "IntegrationErrorCause": "ContactId is required"})
        _, answer = flow.invoke(self.target, flow.START, {"Payload": {}})
        self.assertEqual(answer["IntegrationStatus"], "ERROR")
        self.assertIn("ERROR echo: the event has no ContactId, so nothing is recorded",
                      flow.logs(self.target, flow.ECHO))
        _, answer = flow.invoke(self.target, flow.ECHO, {"ContactId": "c-bare"})
        self.assertEqual(answer["IntegrationErrorCause"], "OriginalRequest and Payload are "
                                                          "required")
        self.assertEqual(self.state("c-bare")["IntegrationStatus"], "ERROR")
        import contact_state

        self.assertEqual(contact_state.contacts(), ["c-bare"])


if __name__ == "__main__":
    import unittest

    unittest.main()
