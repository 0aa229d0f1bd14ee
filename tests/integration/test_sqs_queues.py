"""test_sqs_queues - the SQS service driven by the stock `aws sqs` and boto3.

The contact-centre blueprint's dead-letter queue (VisibilityTimeout 900, 14-day retention),
send / receive / visibility expiry and redelivery with ApproximateReceiveCount, delete, purge,
redrive after maxReceiveCount, a long poll woken by another client's send, MD5s of bodies and of
attributes of every type, queue attributes, tags, listing and the internal DeadLetterQueue
attributes. Visibility timeouts are 1 s so the suite stays fast.
"""

import os
import subprocess
import threading
import time
import unittest

from kinesd_harness import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, KinesdTestCase
from sqs_helpers import attributes_md5, aws_sqs, body_md5, sqs_client

DEADLINE_S = 15


class SqsQueuesTest(KinesdTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = sqs_client(cls.server)

    def url(self, name):
        return "%s/%s/%s" % (self.server.endpoint, ACCOUNT, name)

    def arn(self, name):
        return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)

    def receive_until(self, url, count=1, **kwargs):
        """Receives until a message comes (or the deadline)."""
        deadline = time.time() + DEADLINE_S
        while time.time() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **kwargs)
            if got.get("Messages"):
                return got["Messages"]
            time.sleep(0.2)
        self.fail("no message on %s" % url)

    def test_blueprint_dlq_with_the_stock_cli(self):
        rc, out, err = aws_sqs(self.server, "create-queue", "--queue-name", "contact-dlq",
                               "--attributes", "VisibilityTimeout=900,MessageRetentionPeriod=1209600")
        self.assertEqual(rc, 0, err)
        url = out["QueueUrl"]
        self.assertEqual(url, self.url("contact-dlq"))
        rc, out, err = aws_sqs(self.server, "get-queue-attributes", "--queue-url", url,
                               "--attribute-names", "All")
        attrs = out["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "900")
        self.assertEqual(attrs["MessageRetentionPeriod"], "1209600")
        self.assertEqual(attrs["QueueArn"], self.arn("contact-dlq"))
        rc, out, err = aws_sqs(self.server, "send-message", "--queue-url", url,
                               "--message-body", '{"failed":"record"}')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["MD5OfMessageBody"], body_md5('{"failed":"record"}'))
        rc, out, err = aws_sqs(self.server, "receive-message", "--queue-url", url,
                               "--attribute-names", "All")
        self.assertEqual(rc, 0, err)
        msg = out["Messages"][0]
        self.assertEqual(msg["Body"], '{"failed":"record"}')
        self.assertEqual(msg["Attributes"]["ApproximateReceiveCount"], "1")
        rc, out, err = aws_sqs(self.server, "delete-message", "--queue-url", url,
                               "--receipt-handle", msg["ReceiptHandle"])
        self.assertEqual(rc, 0, err)
        rc, out, err = aws_sqs(self.server, "list-queues", "--queue-name-prefix", "contact-")
        self.assertEqual(out["QueueUrls"], [url])

    def test_visibility_expiry_redelivery_and_delete(self):
        url = self.sqs.create_queue(QueueName="visible",
                                    Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="again")
        first = self.receive_until(url, AttributeNames=["All"])[0]
        self.assertEqual(first["MessageId"], sent["MessageId"])
        self.assertEqual(first["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages"), None)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
        second = self.receive_until(url, AttributeNames=["All"])[0]
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(second["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         first["Attributes"]["ApproximateFirstReceiveTimestamp"])
        self.assertNotEqual(second["ReceiptHandle"], first["ReceiptHandle"])
        # a stale handle deletes nothing and succeeds, as AWS documents
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"],
                                           VisibilityTimeout=0)
        third = self.receive_until(url)[0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"])
        time.sleep(1.5)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages"), None)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"],
                          attrs["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_zero_visibility_hands_each_message_out_once_per_call(self):
        """VisibilityTimeout 0 (a peek) leaves the message visible, but one call returns it once:
        repeating it within the call would push it toward its dead-letter queue."""
        url = self.sqs.create_queue(QueueName="peeked")["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="only")
        for count in ("1", "2"):
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           VisibilityTimeout=0,
                                           AttributeNames=["ApproximateReceiveCount"])
            self.assertEqual([m["Body"] for m in got["Messages"]], ["only"])
            self.assertEqual(got["Messages"][0]["Attributes"]["ApproximateReceiveCount"], count)

    def test_batches(self):
        url = self.sqs.create_queue(QueueName="batches")["QueueUrl"]
        entries = [{"Id": "m%d" % i, "MessageBody": "body %d" % i} for i in range(10)]
        sent = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(len(sent["Successful"]), 10)
        self.assertEqual(sent.get("Failed", []), [])
        got = []
        deadline = time.time() + DEADLINE_S
        while len(got) < 10 and time.time() < deadline:
            got += self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        self.assertEqual(sorted(m["Body"] for m in got), sorted(e["MessageBody"] for e in entries))
        deleted = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
        self.assertEqual(len(deleted["Successful"]), 10)

    def test_purge_and_its_60_second_rule(self):
        url = self.sqs.create_queue(QueueName="purged")["QueueUrl"]
        for i in range(5):
            self.sqs.send_message(QueueUrl=url, MessageBody="x%d" % i)
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages"), None)
        with self.assertRaises(self.sqs.exceptions.PurgeQueueInProgress) as ctx:
            self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Only one PurgeQueue operation on purged is allowed every 60 seconds.")
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        self.assertEqual(self.receive_until(url)[0]["Body"], "after")

    def test_redrive_after_max_receive_count(self):
        dlq = self.sqs.create_queue(QueueName="redrive-dlq")["QueueUrl"]
        policy = '{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}' % self.arn("redrive-dlq")
        src = self.sqs.create_queue(QueueName="redrive-src", Attributes={
            "VisibilityTimeout": "1", "RedrivePolicy": policy})["QueueUrl"]
        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        for _ in range(2):
            self.receive_until(src)
        # the receive that would be the third moves it instead (after the visibility timeout)
        time.sleep(1.2)
        self.assertEqual(self.sqs.receive_message(QueueUrl=src).get("Messages"), None)
        moved = self.receive_until(dlq, AttributeNames=["All"])[0]
        self.assertEqual(moved["MessageId"], sent["MessageId"])
        self.assertEqual(moved["Body"], "poison")
        self.assertEqual(moved["Attributes"]["DeadLetterQueueSourceArn"], self.arn("redrive-src"))
        self.assertEqual(moved["Attributes"]["ApproximateReceiveCount"], "3")
        self.assertEqual(self.sqs.receive_message(QueueUrl=src).get("Messages"), None)
        sources = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
        self.assertEqual(sources, [src])

    def test_long_poll_woken_by_another_clients_send(self):
        url = self.sqs.create_queue(QueueName="longpoll")["QueueUrl"]
        result = {}

        def poll():
            start = time.time()
            result["got"] = sqs_client(self.server).receive_message(
                QueueUrl=url, WaitTimeSeconds=20).get("Messages")
            result["took"] = time.time() - start

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(1.0)  # the receive is waiting by now (no assertion depends on it)
        sqs_client(self.server).send_message(QueueUrl=url, MessageBody="wake up")
        poller.join(30)
        self.assertEqual([m["Body"] for m in result["got"]], ["wake up"])
        self.assertLess(result["took"], 20)
        empty = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        self.assertEqual(empty.get("Messages"), None)

    def test_md5_of_attributes_of_every_type(self):
        url = self.sqs.create_queue(QueueName="md5s")["QueueUrl"]
        attrs = {
            "text": {"DataType": "String", "StringValue": "héllo"},
            "count": {"DataType": "Number", "StringValue": "42.5"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"},
            "custom": {"DataType": "String.custom", "StringValue": "x"},
        }
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="md5 body", MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageBody"], body_md5("md5 body"))
        self.assertEqual(sent["MD5OfMessageAttributes"], attributes_md5(attrs))
        msg = self.receive_until(url, MessageAttributeNames=["All"])[0]
        self.assertEqual(msg["MD5OfBody"], body_md5("md5 body"))
        self.assertEqual(msg["MessageAttributes"], attrs)
        self.assertEqual(msg["MD5OfMessageAttributes"], attributes_md5(attrs))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"],
                                           VisibilityTimeout=0)
        some = self.receive_until(url, MessageAttributeNames=["text", "cou.*", "count"])[0]
        chosen = {k: attrs[k] for k in ("text", "count")}
        self.assertEqual(some["MessageAttributes"], chosen)
        self.assertEqual(some["MD5OfMessageAttributes"], attributes_md5(chosen))

    def test_attributes_tags_and_listing(self):
        url = self.sqs.create_queue(QueueName="settings", tags={"team": "cc"})["QueueUrl"]
        self.assertEqual(self.sqs.create_queue(QueueName="settings")["QueueUrl"], url)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5",
                                                                "Policy": '{"Version":"2012-10-17"}'})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds",
                                                                           "Policy"])["Attributes"]
        self.assertEqual(attrs, {"DelaySeconds": "5", "Policy": '{"Version":"2012-10-17"}'})
        with self.assertRaises(self.sqs.exceptions.QueueNameExists):
            self.sqs.create_queue(QueueName="settings", Attributes={"DelaySeconds": "0"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})
        self.assertEqual(self.sqs.get_queue_url(QueueName="settings")["QueueUrl"], url)
        for i in range(3):
            self.sqs.create_queue(QueueName="page-%d" % i)
        page = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=2)
        self.assertEqual(len(page["QueueUrls"]), 2)
        rest = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=2,
                                    NextToken=page["NextToken"])
        self.assertEqual(rest["QueueUrls"], [self.url("page-2")])
        self.assertNotIn("NextToken", rest)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="later")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url,
                                              AttributeNames=["ApproximateNumberOfMessagesDelayed"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1")
        self.assertTrue(sent["MessageId"])

    def test_delete_queue_and_deleted_recently(self):
        url = self.sqs.create_queue(QueueName="shortlived")["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="gone")
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="shortlived")
        with self.assertRaises(self.sqs.exceptions.QueueDeletedRecently) as ctx:
            self.sqs.create_queue(QueueName="shortlived")
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "You must wait 60 seconds after deleting a queue before you can create "
                         "another with the same name.")

    def test_kinesctl_queue_commands(self):
        build = os.environ.get("KINESD_BUILD_DIR") or os.path.dirname(self.server.binary)
        env = dict(os.environ, AWS_ENDPOINT_URL=self.server.endpoint, AWS_REGION=REGION,
                   AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)

        def ctl(*args, stdin=None):
            done = subprocess.run([os.path.join(build, "kinesctl"), "queue"] + list(args),
                                  input=stdin, capture_output=True, env=env, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            return done.stdout.decode()

        ctl("create", "ctl-dlq")
        ctl("create", "ctl-main")
        ctl("send", "ctl-dlq", stdin=b"one\ntwo\n")
        ctl("send", "ctl-dlq", "three")
        self.assertIn("moved 3 messages", ctl("redrive", "ctl-dlq", "--to", "ctl-main"))
        got = ctl("receive", "ctl-main", "--count", "3", "--wait", "2", "--delete").split()
        while len(got) < 3:
            got += ctl("receive", "ctl-main", "--count", "3", "--wait", "2", "--delete").split()
        self.assertEqual(sorted(got), ["one", "three", "two"])
        self.assertIn(self.url("ctl-main"), ctl("list", "ctl-"))
        ctl("purge", "ctl-dlq")
        ctl("delete", "ctl-dlq")


if __name__ == "__main__":
    unittest.main()
