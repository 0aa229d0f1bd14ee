#!/usr/bin/env python3
"""stub_server.py - a tiny in-memory stand-in for kinesd, to try kinesd-bench without a server.

It answers the calls the benchmarks make (ListStreams, CreateStream, DescribeStreamSummary,
ListShards, PutRecord(s), GetShardIterator, GetRecords) over keep-alive HTTP/1.1 on loopback.
Every stream keeps all its records in shard 0; signatures are not checked. Not a benchmark
target: it only shows that the generator's requests, parsing and figures work.

usage: python3 bench/stub_server.py PORT
"""
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

streams = {}  # name -> {"shards": n, "records": [(seq, data, key)]}
lock = threading.Lock()


def shard_ids(n):
    return ["shardId-%012d" % i for i in range(n)]


def iterator(stream, shard, position):
    return base64.b64encode(json.dumps([stream, shard, position]).encode()).decode()


def put(stream, data, key):
    records = streams[stream]["records"]
    seq = "%056d" % (len(records) + 1)
    records.append((seq, data, key))
    return {"SequenceNumber": seq, "ShardId": shard_ids(1)[0]}


def get_records(req):
    stream, shard, position = json.loads(base64.b64decode(req["ShardIterator"]))
    records = streams[stream]["records"] if shard == shard_ids(1)[0] else []
    chunk = records[position:position + req.get("Limit", 10000)]
    return {
        "Records": [{"SequenceNumber": s, "Data": d, "PartitionKey": k} for s, d, k in chunk],
        "NextShardIterator": iterator(stream, shard, position + len(chunk)),
        "MillisBehindLatest": 0,
    }


def get_shard_iterator(req):
    records = streams[req["StreamName"]]["records"]
    start = len(records) if req["ShardIteratorType"] == "LATEST" else 0
    return {"ShardIterator": iterator(req["StreamName"], req["ShardId"], start)}


def create_stream(req):
    if req["StreamName"] in streams:
        return 400, {"__type": "ResourceInUseException", "message": "exists"}
    streams[req["StreamName"]] = {"shards": req.get("ShardCount", 1), "records": []}
    return 200, {}


OPERATIONS = {
    "ListStreams": lambda r: (200, {"StreamNames": sorted(streams), "HasMoreStreams": False}),
    "CreateStream": create_stream,
    "DescribeStreamSummary": lambda r: (200, {"StreamDescriptionSummary": {
        "StreamName": r["StreamName"], "StreamStatus": "ACTIVE"}}),
    "ListShards": lambda r: (200, {"Shards": [
        {"ShardId": s} for s in shard_ids(streams[r["StreamName"]]["shards"])]}),
    "PutRecord": lambda r: (200, put(r["StreamName"], r["Data"], r["PartitionKey"])),
    "PutRecords": lambda r: (200, {"FailedRecordCount": 0, "Records": [
        put(r["StreamName"], x["Data"], x["PartitionKey"]) for x in r["Records"]]}),
    "GetShardIterator": lambda r: (200, get_shard_iterator(r)),
    "GetRecords": lambda r: (200, get_records(r)),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        with lock:
            status, answer = OPERATIONS[operation](json.loads(body))
        out = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
