"""sqs_helpers - what the SQS integration tests share: a boto3 SQS client, the stock `aws sqs`
CLI, raw JSON 1.0 requests, and AWS's MD5 of message attributes computed independently of
kinesd (AWS's documented algorithm: per attribute sorted by name, 4-byte big-endian lengths
before name, type and value, and one transport byte, 1 for strings and numbers, 2 for binary).

botocore does not check the MD5s SQS returns (the Java and JavaScript SDKs do), so the tests
check them with this code.
"""

import hashlib
import json
import os
import struct
import subprocess

from kinesd_harness import ACCESS_KEY, REGION, SECRET_KEY

SQS_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=00")


def sqs_client(server, **config):
    import boto3
    from botocore.config import Config

    settings = dict(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=40)
    settings.update(config)
    return boto3.client("sqs", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        config=Config(**settings))


def aws_sqs(server, *args, timeout=60):
    """Runs `aws sqs ARGS`; returns (rc, parsed json or None, stderr)."""
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    cmd = ["aws", "--endpoint-url", server.endpoint, "--output", "json", "sqs"] + list(args)
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout)
    out = done.stdout.decode("utf-8", "replace").strip()
    return done.returncode, (json.loads(out) if out else None), done.stderr.decode()


def sqs_post(server, target, body, timeout=30):
    """Raw JSON 1.0 POST to AmazonSQS.TARGET: (status, lower-case headers, parsed json)."""
    conn = server.connection(timeout=timeout)
    try:
        conn.request("POST", "/", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS." + target,
            "X-Amz-Date": "20250101T000000Z",
            "Authorization": SQS_AUTH,
        })
        resp = conn.getresponse()
        raw = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, headers, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def attributes_md5(attrs):
    """MD5OfMessageAttributes of a boto3-style MessageAttributes map."""
    out = b""
    for name in sorted(attrs):
        value = attrs[name]
        dtype = value["DataType"]
        out += struct.pack(">I", len(name.encode())) + name.encode()
        out += struct.pack(">I", len(dtype.encode())) + dtype.encode()
        if "BinaryValue" in value:
            data = value["BinaryValue"]
            out += b"\x02" + struct.pack(">I", len(data)) + data
        else:
            data = value["StringValue"].encode()
            out += b"\x01" + struct.pack(">I", len(data)) + data
    return hashlib.md5(out).hexdigest()


def body_md5(body):
    return hashlib.md5(body.encode()).hexdigest()
