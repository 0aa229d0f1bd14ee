#!/usr/bin/env python3
"""bench/sqs_bench.py - the SQS figures of `make bench`, against a running kinesd.

  sqs-send-batch      SendMessageBatch of 10 x 100-byte messages over 8 keep-alive connections
                      (closed loop), into one queue: messages/s and request p50/p99.
  sqs-receive-delete  ReceiveMessage (10 at a time) + DeleteMessageBatch over 8 connections,
                      draining what the first run wrote: messages/s.
  sqs-longpoll        a receive waiting in a long poll (WaitTimeSeconds 20) and a send on another
                      connection: send start to receive answer, p50/p99 over the samples.

The generator is Python (http.client, one thread per connection, requests not signed: kinesd's
open mode reads only the credential scope): on 2 cores it takes CPU from kinesd, so the
throughputs are floors. ElasticMQ, the usual reference, cannot be installed here (it is neither a
Debian nor an npm package), so it is not measured beside.

usage: sqs_bench.py --endpoint http://127.0.0.1:PORT [--messages N] [--samples N]
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")
CONNS = 8
BODY = "x" * 100


def call(conn, op, body):
    conn.request("POST", "/", body=json.dumps(body), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op,
        "X-Amz-Date": "20250101T000000Z", "Authorization": AUTH})
    resp = conn.getresponse()
    raw = resp.read()
    if resp.status != 200:
        raise RuntimeError("%s answered %d: %r" % (op, resp.status, raw[:200]))
    return json.loads(raw) if raw else {}  # operations without output answer an empty body


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def run_threads(fn, n):
    threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def send_batches(host, port, url, messages, max_s):
    per_conn = messages // CONNS // 10
    lat, deadline = [], time.time() + max_s

    def work(i):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        entries = [{"Id": str(k), "MessageBody": BODY} for k in range(10)]
        for _ in range(per_conn):
            if time.time() > deadline:
                break
            t = time.perf_counter()
            out = call(conn, "SendMessageBatch", {"QueueUrl": url, "Entries": entries})
            lat.append(time.perf_counter() - t)
            assert len(out["Successful"]) == 10

    took = run_threads(work, CONNS)
    sent = len(lat) * 10
    print("sqs-send-batch conns=%d messages=%d msgs/s=%.0f p50_ms=%.2f p99_ms=%.2f"
          % (CONNS, sent, sent / took, pct(lat, 0.5), pct(lat, 0.99)), flush=True)
    return sent


def receive_delete(host, port, url, expected, max_s):
    done, lock, deadline = [0], threading.Lock(), time.time() + max_s

    def work(i):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.time() < deadline:
            with lock:
                if done[0] >= expected:
                    return
            msgs = call(conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10,
                                                 "VisibilityTimeout": 60}).get("Messages", [])
            if not msgs:
                continue
            call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(msgs)]})
            with lock:
                done[0] += len(msgs)

    took = run_threads(work, CONNS)
    print("sqs-receive-delete conns=%d messages=%d msgs/s=%.0f"
          % (CONNS, done[0], done[0] / took), flush=True)


def longpoll(host, port, url, samples):
    lat = []
    waiter = http.client.HTTPConnection(host, port, timeout=30)
    sender = http.client.HTTPConnection(host, port, timeout=30)
    for _ in range(samples):
        answer = {}

        def poll():
            answer["msgs"] = call(waiter, "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 20})
            answer["at"] = time.perf_counter()

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.01)  # let the receive reach kinesd and wait
        start = time.perf_counter()
        call(sender, "SendMessage", {"QueueUrl": url, "MessageBody": "ping"})
        t.join(30)
        msgs = answer["msgs"].get("Messages", [])
        lat.append(answer["at"] - start)
        if msgs:
            call(sender, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": msgs[0]["ReceiptHandle"]})
    print("sqs-longpoll samples=%d p50_ms=%.2f p99_ms=%.2f" % (len(lat), pct(lat, 0.5), pct(lat, 0.99)),
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=20)
    args = parser.parse_args()
    u = urllib.parse.urlparse(args.endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    url = call(conn, "CreateQueue", {"QueueName": "bench-sqs"})["QueueUrl"]
    poll_url = call(conn, "CreateQueue", {"QueueName": "bench-sqs-poll"})["QueueUrl"]
    sent = send_batches(u.hostname, u.port, url, args.messages, args.max_seconds)
    receive_delete(u.hostname, u.port, url, sent, args.max_seconds)
    longpoll(u.hostname, u.port, poll_url, args.samples)


if __name__ == "__main__":
    main()
