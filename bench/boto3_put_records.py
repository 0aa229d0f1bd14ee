#!/usr/bin/env python3
"""boto3_put_records.py - producer throughput of the stock boto3 client against kinesd.

A plain loop of put_records calls (500 records of 100 bytes each, distinct partition keys) on one
boto3 client, until --records are written or --max-seconds have passed. Prints one figure line:
  boto3-putrecords records=N failed=N seconds=S records/s=R MB/s=M
The endpoint must be on loopback; credentials are fixed dummies unless AWS_* are set.

usage: boto3_put_records.py --endpoint http://127.0.0.1:PORT --stream S [--records N]
"""
import argparse
import os
import sys
import time

import boto3
from botocore.config import Config


def client(endpoint):
    return boto3.client(
        "kinesis", endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "AKIDKINESDBENCH00000"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "kinesd-bench-secret"),
        config=Config(retries={"max_attempts": 1}))


def bench_args(name, records, extra):
    """Parses --endpoint, --stream, --records (default `records`), --max-seconds and the `extra`
    flags (flag -> add_argument keywords); exits unless the endpoint is on loopback."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--records", type=int, default=records)
    parser.add_argument("--max-seconds", type=float, default=20)
    for flag, keywords in extra.items():
        parser.add_argument(flag, **keywords)
    args = parser.parse_args()
    if not args.endpoint.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        sys.exit("%s: --endpoint must be on loopback" % name)
    return args


def main():
    args = bench_args("boto3_put_records", 20000, {
        "--record-bytes": {"type": int, "default": 100},
        "--batch": {"type": int, "default": 500}})
    kinesis = client(args.endpoint)
    data = os.urandom(args.record_bytes)
    written = failed = 0
    start = time.monotonic()
    while written + failed < args.records and time.monotonic() - start < args.max_seconds:
        count = min(args.batch, args.records - written - failed)
        first = written + failed
        answer = kinesis.put_records(StreamName=args.stream, Records=[
            {"Data": data, "PartitionKey": "pk-%d" % (first + i)} for i in range(count)])
        failed += answer["FailedRecordCount"]
        written += count - answer["FailedRecordCount"]
    seconds = time.monotonic() - start
    print("boto3-putrecords batch=%d record_bytes=%d records=%d failed=%d seconds=%.2f "
          "records/s=%.0f MB/s=%.1f" % (args.batch, args.record_bytes, written, failed, seconds,
                                        written / seconds, written * args.record_bytes / seconds / 1e6))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
