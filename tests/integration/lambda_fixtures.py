"""lambda_fixtures - function code and helpers shared by the Lambda integration tests.

Owns: the zips the tests upload (a bash bootstrap speaking the Runtime API with curl, as AWS's
custom-runtime tutorial does; Python and Node handlers; hostile zips), LambdaTestCase (a
KinesdTestCase with a boto3 Lambda client, function creation and waiting helpers), and reading a
Kinesis stream used as a destination.
"""

import io
import json
import time
import zipfile

from kinesd_harness import ACCOUNT, REGION, KinesdTestCase

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
