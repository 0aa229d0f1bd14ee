"""contact_state - the per-contact state the integration functions share.

Locally a SQLite file, contacts.sqlite, in the folder $INTEGRATION_STATE_DIR (every function's
environment names the same folder). On AWS a DynamoDB table keyed by ContactId takes its place:
read is GetItem, record is UpdateItem, and record_if is UpdateItem with a ConditionExpression on
IntegrationStatus (examples/integration-functions/README.md).

A contact's state is a flat map of attributes: IntegrationStatus (START, RUN, DONE, ERROR,
TIMEOUT), IntegrationStart / IntegrationEnd (ISO-8601 UTC with milliseconds),
IntegrationErrorCause, the rule being run (CurrentRule_functionName,
CurrentRule_functionOutputKey, CurrentRule_functionTimeout) and the outputs the functions wrote.
"""

import datetime
import json
import os
import sqlite3


def now_iso():
    """2026-12-05T10:00:00.123Z"""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _db():
    path = os.path.join(os.environ["INTEGRATION_STATE_DIR"], "contacts.sqlite")
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS contacts (contact_id TEXT PRIMARY KEY,"
               " state TEXT NOT NULL)")
    return db


def read(contact_id):
    """The contact's attributes ({} when it has none)."""
    db = _db()
    try:
        row = db.execute("SELECT state FROM contacts WHERE contact_id = ?",
                         (contact_id,)).fetchone()
        return json.loads(row[0]) if row else {}
    finally:
        db.close()


def record_if(contact_id, statuses, attributes):
    """Sets ATTRIBUTES when the contact's IntegrationStatus is one of STATUSES (None: whatever
    it is); returns whether it did. One transaction: concurrent functions see one or the other."""
    db = _db()
    try:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute("SELECT state FROM contacts WHERE contact_id = ?",
                         (contact_id,)).fetchone()
        state = json.loads(row[0]) if row else {}
        if statuses is not None and state.get("IntegrationStatus") not in statuses:
            db.execute("ROLLBACK")
            return False
        state.update(attributes)
        db.execute("INSERT OR REPLACE INTO contacts VALUES (?, ?)",
                   (contact_id, json.dumps(state)))
        db.execute("COMMIT")
        return True
    finally:
        db.close()


def record(contact_id, attributes):
    record_if(contact_id, None, attributes)


def contacts():
    """Every contact id that has state."""
    db = _db()
    try:
        return [row[0] for row in db.execute("SELECT contact_id FROM contacts")]
    finally:
        db.close()
