"""trigger - the activity trigger: a function mapped to the inbound Kinesis stream (an event
source mapping) that starts one experience per trigger record {payload, customContext}.

Each batch goes to the simulator (the C program, SIMULATOR; on AWS shipped in this zip) as one
line per record: {"experienceId": "exp-" + the record's sequence number, "data": the record's
data}. The experience id comes from the sequence number, so a batch retried makes the same events
again (for the same ids). The simulator checks every record before it puts anything: when one is
not a valid trigger record the whole batch fails with its errors, and the mapping, which bisects
failed batches, narrows it to that record alone, retries it and gives it up to its dead-letter
queue; the others run exactly once.
"""

import base64
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.environ.get("SCHEMA_DIR") or os.path.join(HERE, "schemas")


class InvalidTriggerRecord(ValueError):
    """A record of the batch is not {payload, customContext}."""


def line_of(record):
    data = base64.b64decode(record["kinesis"]["data"]).decode("utf-8", "replace")
    return json.dumps({"experienceId": "exp-" + record["kinesis"]["sequenceNumber"],
                       "data": data})


def handler(event, context):
    lines = "".join(line_of(r) + "\n" for r in event["Records"])
    done = subprocess.run(
        [os.environ.get("SIMULATOR") or os.path.join(HERE, "simulator"),
         os.environ["OUTBOUND_STREAM"], os.path.join(SCHEMAS, "activity-event.schema.json"),
         os.path.join(SCHEMAS, "trigger-record.schema.json")],
        input=lines, capture_output=True, text=True, timeout=60)
    print(done.stderr.strip())
    if done.returncode == 8:
        raise InvalidTriggerRecord(done.stderr.strip().splitlines()[0])
    if done.returncode != 0:
        raise RuntimeError("the simulator failed (exit %d)" % done.returncode)
    return {"experiences": [json.loads(line) for line in done.stdout.splitlines()]}
