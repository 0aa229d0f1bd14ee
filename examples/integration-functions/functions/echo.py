"""echo - the integration function of the rule engine's examples (<stage>-<service>-integrationEcho),
invoked asynchronously by start. Requires ContactId, OriginalRequest and Payload. Sets RUN, sleeps
Payload.SleepTime seconds, then either records ERROR with IntegrationErrorCause (Payload.ForcedError)
or writes the payload into the state under the key the rule names (CurrentRule_functionOutputKey)
and records DONE with IntegrationEnd. A contact that timed out meanwhile (check_timeout) stays
TIMEOUT. Without a ContactId nothing can be recorded: the error is logged."""

import json
import time

import contact_state

UNFINISHED = (None, "START", "RUN")  # no state yet (invoked directly), or not final


def fail(contact_id, cause):
    print("ERROR echo %s: %s" % (contact_id, cause))
    if not contact_state.record_if(contact_id, UNFINISHED, {
            "IntegrationStatus": "ERROR", "IntegrationErrorCause": cause,
            "IntegrationEnd": contact_state.now_iso()}):
        print("echo %s: not recorded, the contact is %s" % (
            contact_id, contact_state.read(contact_id).get("IntegrationStatus")))
    return {"IntegrationStatus": "ERROR", "IntegrationErrorCause": cause}


def handler(event, context):
    contact_id = event.get("ContactId")
    if not contact_id:
        print("ERROR echo: the event has no ContactId, so nothing is recorded: %s"
              % json.dumps(event))
        return {"IntegrationStatus": "ERROR", "IntegrationErrorCause": "ContactId is required"}
    missing = [k for k in ("OriginalRequest", "Payload") if k not in event]
    if missing:
        return fail(contact_id, "%s %s required" % (" and ".join(missing),
                                                     "is" if len(missing) == 1 else "are"))
    payload = event["Payload"]
    if not isinstance(payload, dict):
        return fail(contact_id, "Payload must be an object")
    contact_state.record_if(contact_id, UNFINISHED[:2], {"IntegrationStatus": "RUN"})
    time.sleep(float(payload.get("SleepTime", 0)))
    if payload.get("ForcedError"):
        return fail(contact_id, str(payload["ForcedError"]))
    key = contact_state.read(contact_id).get("CurrentRule_functionOutputKey", "integrationOutput")
    done = contact_state.record_if(contact_id, ("RUN",), {
        key: payload, "IntegrationStatus": "DONE", "IntegrationEnd": contact_state.now_iso()})
    status = "DONE" if done else contact_state.read(contact_id).get("IntegrationStatus")
    print("echo %s: %s" % (contact_id, status if done else "finished late, the contact is "
                           + status))
    return {"IntegrationStatus": status}
