"""check_timeout - tells a rule engine what became of a contact's integration: once the rule's
timeout (CurrentRule_functionTimeout seconds after IntegrationStart) has passed and the
integration is still START or RUN, records TIMEOUT. Answers the contact's state.

Event: {"ContactId"}."""

import datetime

import contact_state


def handler(event, context):
    contact_id = event.get("ContactId")
    if not contact_id:
        print("ERROR check_timeout: the event has no ContactId")
        return {"IntegrationStatus": "ERROR", "IntegrationErrorCause": "ContactId is required"}
    state = contact_state.read(contact_id)
    if state.get("IntegrationStatus") in ("START", "RUN"):
        started = contact_state.parse_iso(state["IntegrationStart"])
        limit = datetime.timedelta(seconds=float(state.get("CurrentRule_functionTimeout", 20)))
        if datetime.datetime.now(datetime.timezone.utc) - started > limit:
            contact_state.record_if(contact_id, ("START", "RUN"), {
                "IntegrationStatus": "TIMEOUT", "IntegrationEnd": contact_state.now_iso()})
            print("check_timeout %s: TIMEOUT" % contact_id)
    return dict(contact_state.read(contact_id), ContactId=contact_id)
