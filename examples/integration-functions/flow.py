#!/usr/bin/env python3
"""Async integration functions with a 2-second wait: a rule engine's start function runs an
integration function asynchronously and waits at most 2 s for it; a check function times it out.

    examples/integration-functions/flow.py     # starts a kinesd from build/ and runs the flow

The steps (each a function the integration test calls too):
  1. three functions on kinesd's Python runtime, sharing the per-contact state folder:
     dev-rules-start, dev-rules-integrationEcho (found by the naming rule
     <stage>-<service>-integration<FunctionName>) and dev-rules-checkTimeout;
  2. contacts started at once, one per case: SleepTime 0 (DONE within the wait), SleepTime 5
     (still running at 2 s, DONE later), SleepTime 30 with a 20 s rule timeout (TIMEOUT), a
     ForcedError (ERROR with its cause), a function the naming rule does not find;
  3. each contact's state polled with the check function until it is final;
  4. an integration invoked without a ContactId: the error is logged, nothing recorded.
"""

import json
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTIONS = os.path.join(HERE, "functions")
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, FUNCTIONS)

import flowkit  # noqa: E402

STAGE, SERVICE = "dev", "rules"
START = "%s-%s-start" % (STAGE, SERVICE)
ECHO = "%s-%s-integrationEcho" % (STAGE, SERVICE)
CHECK = "%s-%s-checkTimeout" % (STAGE, SERVICE)
FINAL = ("DONE", "ERROR", "TIMEOUT")

# (contact, payload, rule timeout in seconds): the cases with its numbers
CASES = [
    ("contact-fast", {"SleepTime": 0, "message": "hello"}, 20),
    ("contact-slow", {"SleepTime": 5, "message": "later"}, 20),
    ("contact-timeout", {"SleepTime": 30}, 20),
    ("contact-error", {"ForcedError": "the CRM answered 503"}, 20),
]


def deploy(target, state_dir):
    """The three functions, each with the state folder in its environment."""
    variables = {"STAGE": STAGE, "SERVICE": SERVICE, "INTEGRATION_STATE_DIR": state_dir,
                 "WAIT_SECONDS": "2"}
    for name, handler, timeout in ((START, "start.handler", 10), (ECHO, "echo.handler", 60),
                                   (CHECK, "check_timeout.handler", 10)):
        flowkit.create_function(target, name, FUNCTIONS, handler, timeout=timeout,
                                variables=variables)


def invoke(target, name, event):
    """A synchronous invocation; returns (seconds it took, the function's answer)."""
    began = time.monotonic()
    answer = target.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return time.monotonic() - began, json.loads(answer["Payload"].read())


def start(target, contact, payload, timeout_s, function="Echo"):
    return invoke(target, START, {
        "ContactId": contact, "OriginalRequest": {"intent": "lookup", "contact": contact},
        "Payload": payload,
        "Rule": {"FunctionName": function, "OutputKey": "echoResult",
                 "TimeoutSeconds": timeout_s}})


def check_until_final(target, contact, timeout_s):
    """Calls the check function every 0.25 s until the contact's status is final; returns
    [(seconds since the call, status)] for each change seen, the final state last."""
    began, seen = time.monotonic(), []

    def final():
        answer = invoke(target, CHECK, {"ContactId": contact})[1]
        if not seen or seen[-1][1] != answer["IntegrationStatus"]:
            seen.append((time.monotonic() - began, answer["IntegrationStatus"]))
        return answer if answer["IntegrationStatus"] in FINAL else None

    return seen, flowkit.wait_until(final, timeout_s, "contact %s final" % contact, 0.25)


def run_cases(target, cases):
    """Starts every case at once and follows each to its end; returns {contact: (start's
    seconds, start's answer, statuses seen by check, final state)}."""
    results = {}

    def one(contact, payload, timeout_s):
        took, answer = start(target, contact, payload, timeout_s)
        seen, final = check_until_final(target, contact, timeout_s + 30)
        results[contact] = (took, answer, seen, final)

    threads = [threading.Thread(target=one, args=case) for case in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def state_of(state_dir, contact):
    """A contact's state as the functions recorded it (the test reads the folder directly)."""
    import contact_state

    os.environ["INTEGRATION_STATE_DIR"] = state_dir
    return contact_state.read(contact)


def logs(target, name):
    return target.kinesctl("logs", name)[1]


def flow(target, cases=CASES):
    with tempfile.TemporaryDirectory(prefix="integration-state-") as state_dir:
        print("1. functions %s, %s, %s (state in %s)" % (START, ECHO, CHECK, state_dir))
        deploy(target, state_dir)
        print("2-3. starting %d contacts at once" % len(cases))
        results = run_cases(target, cases)
        for contact, (took, answer, seen, final) in sorted(results.items()):
            print("   %-16s start answered %-5s after %.2f s; then %s" % (
                contact, answer["IntegrationStatus"], took,
                ", ".join("%s at %.1f s" % (status, t) for t, status in seen)))
            print("   %16s final state %s" % ("", json.dumps(final)))
        took, answer = start(target, "contact-unknown", {}, 20, function="Nope")
        print("   contact-unknown: %s" % json.dumps(answer))
        print("4. an integration invoked without a ContactId:")
        print("   %s" % json.dumps(invoke(target, ECHO, {"Payload": {}})[1]))
        print("   its log: %s" % [line for line in logs(target, ECHO).splitlines()
                                  if "no ContactId" in line])
        return all(r[3]["IntegrationStatus"] in FINAL for r in results.values())


if __name__ == "__main__":
    flowkit.main(__doc__.splitlines()[0], flow)
