"""start - the synchronous entry of a rule's integration: records IntegrationStatus=START and
IntegrationStart, finds the integration function by the naming rule
<stage>-<service>-integration<FunctionName> (ListFunctions), invokes it asynchronously, and waits
at most $WAIT_SECONDS (2) for it to be DONE or ERROR. Answers the contact's state as it is then:
DONE or ERROR when the integration finished in time, else START or RUN (check_timeout tells
later).

Event: {"ContactId", "OriginalRequest", "Payload", "Rule": {"FunctionName": "Echo",
"OutputKey": "echoResult", "TimeoutSeconds": 20}}."""

import json
import os
import time

import boto3

import contact_state

FINISHED = ("DONE", "ERROR")


def integration_function(name):
    """The ARN of the function the naming rule gives NAME, found with ListFunctions; None."""
    wanted = "%s-%s-integration%s" % (os.environ["STAGE"], os.environ["SERVICE"], name)
    for page in boto3.client("lambda").get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            if fn["FunctionName"] == wanted:
                return fn["FunctionArn"]
    return None


def wait_finished(contact_id, seconds):
    deadline = time.monotonic() + seconds
    while True:
        state = contact_state.read(contact_id)
        if state.get("IntegrationStatus") in FINISHED or time.monotonic() >= deadline:
            return state
        time.sleep(0.05)


def handler(event, context):
    contact_id = event.get("ContactId")
    if not contact_id:
        print("ERROR start: the event has no ContactId: nothing recorded")
        return {"IntegrationStatus": "ERROR", "IntegrationErrorCause": "ContactId is required"}
    rule = event.get("Rule") or {}
    contact_state.record(contact_id, {
        "IntegrationStatus": "START", "IntegrationStart": contact_state.now_iso(),
        "CurrentRule_functionName": rule.get("FunctionName", ""),
        "CurrentRule_functionOutputKey": rule.get("OutputKey", "integrationOutput"),
        "CurrentRule_functionTimeout": rule.get("TimeoutSeconds", 20)})
    arn = integration_function(rule.get("FunctionName", ""))
    if not arn:
        cause = "no integration function is named %s-%s-integration%s" % (
            os.environ["STAGE"], os.environ["SERVICE"], rule.get("FunctionName", ""))
        contact_state.record(contact_id, {"IntegrationStatus": "ERROR",
                                          "IntegrationErrorCause": cause,
                                          "IntegrationEnd": contact_state.now_iso()})
        return dict(contact_state.read(contact_id), ContactId=contact_id)
    boto3.client("lambda").invoke(
        FunctionName=arn, InvocationType="Event",
        Payload=json.dumps({k: event[k] for k in ("ContactId", "OriginalRequest", "Payload")
                            if k in event}).encode())
    state = wait_finished(contact_id, float(os.environ.get("WAIT_SECONDS", "2")))
    print("start %s: %s after the wait" % (contact_id, state.get("IntegrationStatus")))
    return dict(state, ContactId=contact_id)
