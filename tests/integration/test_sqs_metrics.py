"""test_sqs_metrics - each queue's AWS/SQS metrics, read back with CloudWatch's API as a dashboard
or an alarm on a dead-letter queue reads them.

Counted as AWS counts them: messages sent (and their sizes), received, empty receives, deletions
with a valid handle (a duplicate deletion too), but not a message a redrive policy moves to the
dead-letter queue; the depth gauges (visible, not visible, delayed, age of the oldest) are
sampled every 10 s on the service's control thread.
"""

import time
import unittest

from kinesd_harness import ACCOUNT, REGION, KinesdTestCase
from sqs_helpers import sqs_client

DEADLINE_S = 30


class SqsMetricsTest(KinesdTestCase):
    SERVER_ARGS = {"transition_ms": 0}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = sqs_client(cls.server)
        cls.cw = cls.server.client("cloudwatch")
        cls.t0 = int(time.time()) - 120

    def stat(self, queue, name, statistic="Sum"):
        points = self.cw.get_metric_statistics(
            Namespace="AWS/SQS", MetricName=name, Period=60, StartTime=self.t0,
            EndTime=int(time.time()) + 120, Statistics=[statistic],
            Dimensions=[{"Name": "QueueName", "Value": queue}])["Datapoints"]
        if not points:
            return None
        pick = {"Sum": sum, "Maximum": max, "Minimum": min}[statistic]
        return pick(p[statistic] for p in points)

    def wait_for(self, expected, queue, name, statistic="Sum"):
        deadline = time.monotonic() + DEADLINE_S
        while (got := self.stat(queue, name, statistic)) != expected:
            self.assertLess(time.monotonic(), deadline, "%s %s: %r" % (queue, name, got))
            time.sleep(0.2)

    def test_operations_and_depth_of_a_queue_and_its_dead_letter_queue(self):
        arn = "arn:aws:sqs:%s:%s:metered-dlq" % (REGION, ACCOUNT)
        dlq = self.sqs.create_queue(QueueName="metered-dlq")["QueueUrl"]
        url = self.sqs.create_queue(QueueName="metered", Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % arn})["QueueUrl"]
        empty = self.sqs.create_queue(QueueName="metered-empty")["QueueUrl"]
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "a" * 10}, {"Id": "b", "MessageBody": "b" * 30}])
        self.sqs.send_message(QueueUrl=url, MessageBody="poison")
        got = []
        deadline = time.monotonic() + DEADLINE_S
        while len(got) < 3:
            self.assertLess(time.monotonic(), deadline)
            got += self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", [])
        done = [m for m in got if m["Body"] != "poison"]
        for m in done + done[:1]:  # the duplicate deletion counts too
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=empty))

        # the poison message's second receive moves it to the dead-letter queue: not "sent" there
        time.sleep(1.2)
        while not self.sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0).get("Messages"):
            self.assertLess(time.monotonic(), deadline + DEADLINE_S)
            self.sqs.receive_message(QueueUrl=url)
            time.sleep(0.2)

        self.wait_for(3, "metered", "NumberOfMessagesSent")
        self.assertEqual(self.stat("metered", "SentMessageSize", "Maximum"), 30)
        self.assertEqual(self.stat("metered", "SentMessageSize", "Minimum"), 6)
        self.wait_for(3, "metered", "NumberOfMessagesDeleted")
        self.assertEqual(self.stat("metered", "NumberOfMessagesReceived"), len(got))
        self.wait_for(1, "metered-empty", "NumberOfEmptyReceives")
        self.assertIsNone(self.stat("metered-empty", "NumberOfMessagesReceived"))
        self.assertIsNone(self.stat("metered-dlq", "NumberOfMessagesSent"))
        self.wait_for(1, "metered-dlq", "ApproximateNumberOfMessagesVisible", "Maximum")
        self.wait_for(0, "metered", "ApproximateNumberOfMessagesVisible", "Minimum")
        metrics = self.cw.list_metrics(Namespace="AWS/SQS", Dimensions=[
            {"Name": "QueueName", "Value": "metered"}])["Metrics"]
        names = {m["MetricName"] for m in metrics}
        self.assertLessEqual({"NumberOfMessagesSent", "NumberOfMessagesReceived",
                              "NumberOfMessagesDeleted", "ApproximateAgeOfOldestMessage",
                              "ApproximateNumberOfMessagesNotVisible"}, names)


if __name__ == "__main__":
    unittest.main()
