"""lambda_fixtures - function code and helpers shared by the Lambda integration tests.

Owns: the zips the tests upload (a bash bootstrap speaking the Runtime API with curl, as AWS's
custom-runtime tutorial does; Python and Node handlers; hostile zips), LambdaTestCase (a
KinesdTestCase with a boto3 Lambda client, function creation and waiting helpers), reading a
Kinesis stream used as a destination, and for event source mappings: handlers that save every
invocation they get, and EsmTestCase (waiting for records, queues, kinesd's trigger status).
"""

import base64
import io
import json
import os
import shutil
import tempfile
import time
import zipfile

from kinesd_harness import ACCOUNT, AUTHORIZATION, REGION, KinesdTestCase

ROLE = "arn:aws:iam::%s:role/lambda-test" % ACCOUNT

# AWS's custom runtime tutorial, plus: an event {"crash": true} makes the runtime exit, one with
# "sleep" sleeps that many seconds first.
BASH_BOOTSTRAP = r"""#!/bin/bash
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  echo "bash runtime got: $EVENT_DATA"
  case "$EVENT_DATA" in *crash*) echo "crashing"; exit 3;; esac
  SLEEP=$(echo "$EVENT_DATA" | sed -n 's/.*"sleep": *\([0-9.]*\).*/\1/p')
  [ -n "$SLEEP" ] && sleep "$SLEEP"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" \
    -d "{\"echo\": $EVENT_DATA, \"handler\": \"$_HANDLER\"}" > /dev/null
done
"""

PYTHON_HANDLER = r"""
import json, os, time

def lambda_handler(event, context):
    print("python handler got", json.dumps(event))
    if event.get("fail"):
        raise ValueError("python says no")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"echo": event, "request_id": context.aws_request_id,
            "function": context.function_name, "memory": context.memory_limit_in_mb,
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000,
            "region": os.environ["AWS_REGION"], "greeting": os.environ.get("GREETING")}

def hog(event, context):
    # holds 300 MB for a second: over a 128 MB MemorySize
    held = b"x" * (300 << 20)
    time.sleep(1)
    return len(held)

def to_stream(event, context):
    # a destination or worker: writes what it got to a Kinesis stream through kinesd
    import boto3
    kinesis = boto3.client("kinesis")
    kinesis.put_record(StreamName=os.environ["STREAM"], PartitionKey="k",
                       Data=json.dumps(event).encode())
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return "ok"
"""

NODE_HANDLER = r"""
exports.handler = async (event, context) => {
  console.log('node handler got', JSON.stringify(event));
  if (event.fail) throw new TypeError('node says no');
  return { echo: event, requestId: context.awsRequestId, functionName: context.functionName,
           remainingOk: context.getRemainingTimeInMillis() > 0 };
};
exports.withCallback = (event, context, callback) => {
  setTimeout(() => callback(null, { callback: event }), 5);
};
"""


def make_zip(files, symlinks=None):
    """A zip of {name: text} (bootstrap executable) and {name: link target} symbolic links."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name == "bootstrap" else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, target)
    return out.getvalue()


def zip_bomb(unzipped_bytes):
    """A zip of a few KB that unzips to unzipped_bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zeros.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(unzipped_bytes >> 20):
                f.write(chunk)
    return out.getvalue()


class LambdaTestCase(KinesdTestCase):
    """A KinesdTestCase with a boto3 Lambda client and function helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.server.client("lambda", read_timeout=60)

    def create_function(self, name, runtime, handler, files, wait=True, **kwargs):
        conf = self.lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler,
                                        Role=ROLE, Code={"ZipFile": make_zip(files)}, **kwargs)
        if wait:
            self.lam.get_waiter("function_active_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return conf

    def invoke(self, name, event, **kwargs):
        """Invokes synchronously: (response, decoded payload)."""
        response = self.lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(),
                                   **kwargs)
        return response, json.loads(response["Payload"].read() or b"null")

    def stream_records(self, name, count, timeout_s=30.0):
        """Waits until the one-shard stream holds at least count records; their decoded data."""
        shard = self.kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
        deadline = time.monotonic() + timeout_s
        while True:
            it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = self.kinesis.get_records(ShardIterator=it, Limit=1000)["Records"]
            if len(records) >= count:
                return [json.loads(r["Data"]) for r in records]
            if time.monotonic() > deadline:
                self.fail("stream %s has %d records, expected %d" % (name, len(records), count))
            time.sleep(0.1)

    def stream_arn(self, name):
        return "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name)

    def function_arn(self, name):
        return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


# Handlers for event source mappings: each invocation is saved as one JSON file in $OUT
# ({"start", "end", "id", "event"}, named by its start so that a directory listing sorts them).
ESM_HANDLER = r"""
import base64, json, os, time

def _save(event, context, start):
    out = os.environ["OUT"]
    doc = {"start": start, "end": time.time_ns(), "id": context.aws_request_id, "event": event}
    name = "%d-%s.json" % (start, context.aws_request_id)
    with open(os.path.join(out, "." + name), "w") as f:
        json.dump(doc, f)
    os.rename(os.path.join(out, "." + name), os.path.join(out, name))

def record(event, context):
    start = time.time_ns()
    if os.environ.get("SLEEP"):
        time.sleep(float(os.environ["SLEEP"]))
    _save(event, context, start)
    return {}

def poison(event, context):
    # reports the records whose data is "poison" as failed (ReportBatchItemFailures)
    start = time.time_ns()
    failed = [{"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in event["Records"]
              if base64.b64decode(r["kinesis"]["data"]) == b"poison"]
    _save(event, context, start)
    return {"batchItemFailures": failed}

def slow_first(event, context):
    # the first invocation ever sleeps past any short Timeout
    marker = os.path.join(os.environ["OUT"], "slept")
    if not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(10)
    return record(event, context)

def tumbling(event, context):
    # counts the records of each tumbling window in its state
    start = time.time_ns()
    state = dict(event.get("state") or {})
    state["count"] = state.get("count", 0) + len(event["Records"])
    _save(event, context, start)
    return {"state": state}
"""

def invocations(out_dir):
    """The invocations an ESM_HANDLER saved in OUT_DIR, in the order they started."""
    found = []
    for name in sorted(os.listdir(out_dir)):
        if name.endswith(".json") and not name.startswith("."):
            with open(os.path.join(out_dir, name)) as f:
                found.append(json.load(f))
    return found


def record_data(record):
    return base64.b64decode(record["kinesis"]["data"])


class EsmTestCase(LambdaTestCase):
    """A LambdaTestCase with event source mapping helpers: a handler function writing into its
    own temporary directory, waiting for records to be seen."""

    def esm_function(self, name, handler="record", env=None, **kwargs):
        """Creates a Python function running ESM_HANDLER's HANDLER (ENV: more variables, KWARGS:
        more settings); its output directory."""
        out = tempfile.mkdtemp(prefix="kinesd-esm-")
        self.addCleanup(shutil.rmtree, out, True)
        variables = dict(OUT=out, **{k: str(v) for k, v in (env or {}).items()})
        self.create_function(name, "python3.12", "esm_handler." + handler,
                             {"esm_handler.py": ESM_HANDLER},
                             Environment={"Variables": variables}, **kwargs)
        return out

    def wait_for(self, what, check, timeout_s=60.0):
        """Waits until check() returns something true; returns it."""
        deadline = time.monotonic() + timeout_s
        while True:
            got = check()
            if got:
                return got
            if time.monotonic() > deadline:
                self.fail("timed out waiting for %s" % what)
            time.sleep(0.1)

    def seen_records(self, out_dir):
        """Every record the handler got, in invocation order."""
        return [r for inv in invocations(out_dir) for r in inv["event"]["Records"]]

    def wait_records(self, out_dir, count, timeout_s=60.0):
        """Waits until the handler got at least COUNT distinct records; all it got."""
        def enough():
            seen = self.seen_records(out_dir)
            distinct = {r["kinesis"]["sequenceNumber"] for r in seen}
            return seen if len(distinct) >= count else None
        return self.wait_for("%d records" % count, enough, timeout_s)

    def put_many(self, stream, datas, key=lambda i: "pk-%d" % i):
        """Puts the records (500 per PutRecords); their sequence numbers by data."""
        seqs = {}
        for at in range(0, len(datas), 500):
            chunk = datas[at:at + 500]
            answer = self.kinesis.put_records(StreamName=stream, Records=[
                {"Data": d, "PartitionKey": key(at + i)} for i, d in enumerate(chunk)])
            self.assertEqual(answer["FailedRecordCount"], 0)
            for d, r in zip(chunk, answer["Records"]):
                seqs[d] = (r["ShardId"], r["SequenceNumber"])
        return seqs

    def sqs_queue(self, name):
        """A new SQS queue: (client, url, arn)."""
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return sqs, url, arn

    def triggers_route(self, account=ACCOUNT, authorization=AUTHORIZATION):
        """GET /_kinesd/lambda/triggers/ACCOUNT/REGION (open mode believes a well-formed
        signature): (status, body)."""
        conn = self.server.connection()
        headers = {"X-Amz-Date": "20250101T000000Z"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            conn.request("GET", "/_kinesd/lambda/triggers/%s/%s" % (account, REGION),
                         headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def triggers(self):
        """kinesd's status of the mappings (kinesctl triggers)."""
        status, body = self.triggers_route()
        self.assertEqual(status, 200)
        return json.loads(body)["EventSourceMappings"]
