"""test_sqs_crash - kill -9 under load loses no acknowledged message, and what was received but
not deleted is visible again after the restart.

Eight senders (raw HTTP keep-alive, SendMessage and SendMessageBatch) note every acknowledged
message; kinesd is killed with SIGKILL mid-load and restarted on the same directory; receiving
everything must give every acknowledged body (unacknowledged ones may be there too: at least
once). A message received with a 900 s visibility timeout before the crash, and deleted
messages, are checked as well.
"""

import http.client
import json
import threading
import time
import unittest

from kinesd_harness import KinesdTestCase
from sqs_helpers import SQS_AUTH, sqs_client

SENDERS = 8
LOAD_S = 1.5
JOIN_TIMEOUT_S = 30


class Sender(threading.Thread):
    def __init__(self, port, url, index):
        super().__init__(daemon=True)
        self.port, self.url, self.index = port, url, index
        self.acked = []

    def call(self, conn, target, body):
        conn.request("POST", "/", body=json.dumps(body), headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + target,
            "X-Amz-Date": "20250101T000000Z", "Authorization": SQS_AUTH})
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise ConnectionError("answered %d" % resp.status)
        return json.loads(payload)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        n = 0
        try:
            while True:
                if n % 2:
                    bodies = ["s%d-%d" % (self.index, n + i) for i in range(5)]
                    out = self.call(conn, "SendMessageBatch", {"QueueUrl": self.url, "Entries": [
                        {"Id": "e%d" % i, "MessageBody": b} for i, b in enumerate(bodies)]})
                    ok = {e["Id"] for e in out["Successful"]}
                    self.acked += [b for i, b in enumerate(bodies) if "e%d" % i in ok]
                    n += 5
                else:
                    body = "s%d-%d" % (self.index, n)
                    self.call(conn, "SendMessage", {"QueueUrl": self.url, "MessageBody": body})
                    self.acked.append(body)
                    n += 1
        except (OSError, http.client.HTTPException):
            return  # the server went away


class SqsCrashTest(KinesdTestCase):
    def drain(self, sqs, url, expected):
        bodies, deadline = [], time.time() + 60
        while time.time() < deadline:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                      VisibilityTimeout=600).get("Messages", [])
            bodies += [m["Body"] for m in got]
            if not got and len(set(bodies)) >= expected:
                break
        return bodies

    def test_kill9_with_eight_senders(self):
        sqs = sqs_client(self.server)
        url = sqs.create_queue(QueueName="crashq",
                               Attributes={"VisibilityTimeout": "900"})["QueueUrl"]
        for body in ("held", "deleted"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        held = []
        deadline = time.time() + 10
        while len(held) < 2 and time.time() < deadline:
            held += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2).get("Messages", [])
        gone = [m for m in held if m["Body"] == "deleted"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=gone["ReceiptHandle"])

        senders = [Sender(self.server.port, url, i) for i in range(SENDERS)]
        for s in senders:
            s.start()
        time.sleep(LOAD_S)
        self.server.kill9()
        for s in senders:
            s.join(JOIN_TIMEOUT_S)
        acked = [b for s in senders for b in s.acked]
        self.assertGreater(len(acked), 0)
        self.server.start()
        sqs = sqs_client(self.server)
        bodies = self.drain(sqs, url, len(acked) + 1)
        missing = set(acked) - set(bodies)
        self.assertEqual(missing, set(), "%d acknowledged messages lost" % len(missing))
        self.assertIn("held", bodies)  # received, not deleted: visible again after the restart
        self.assertNotIn("deleted", bodies)


if __name__ == "__main__":
    unittest.main()
