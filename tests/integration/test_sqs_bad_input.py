"""test_sqs_bad_input - SQS's answers to bad requests: the error type (__type and the
x-amzn-query-error code botocore reports), the message, HTTP 400, and nothing changed.

Texts confirmed against AWS's published answers: QueueDoesNotExist ("The specified queue does
not exist."), TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct ("Id X repeated."),
ReceiptHandleIsInvalid, PurgeQueueInProgress, QueueDeletedRecently, InvalidParameterValue's
"Message must be shorter than N bytes." and the visibility-change text. Not confirmed (no
recorded AWS answer found): the __type of InvalidParameterValue and MissingParameter over JSON
1.0, and the texts of RedrivePolicy reasons other than maxReceiveCount's.
"""

import time
import unittest

from botocore.exceptions import ClientError

from kinesd_harness import ACCOUNT, KinesdTestCase
from sqs_helpers import sqs_client, sqs_post


class SqsBadInputTest(KinesdTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = sqs_client(cls.server)
        cls.url = cls.sqs.create_queue(QueueName="strict", Attributes={
            "MaximumMessageSize": "262144"})["QueueUrl"]

    def refused(self, call, code, message, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return err

    def assert_empty(self):
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["All"])
        a = attrs["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"],
                          a["ApproximateNumberOfMessagesDelayed"]), ("0", "0", "0"))

    def test_unknown_queue_raw(self):
        status, headers, body = sqs_post(self.server, "SendMessage", {
            "QueueUrl": "%s/%s/nope" % (self.server.endpoint, ACCOUNT), "MessageBody": "x"})
        self.assertEqual(status, 400)
        self.assertEqual(body, {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                                "message": "The specified queue does not exist."})
        self.assertEqual(headers["x-amzn-query-error"],
                         "AWS.SimpleQueueService.NonExistentQueue;Sender")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="nope")

    def test_bad_attribute_names_and_values(self):
        self.refused(self.sqs.get_queue_attributes, "InvalidAttributeName", "Unknown Attribute Bogus.",
                     QueueUrl=self.url, AttributeNames=["Bogus"])
        self.refused(self.sqs.set_queue_attributes, "InvalidAttributeValue",
                     "Invalid value for the parameter VisibilityTimeout.",
                     QueueUrl=self.url, Attributes={"VisibilityTimeout": "43201"})
        self.refused(self.sqs.create_queue, "InvalidAttributeValue",
                     "Invalid value for the parameter MessageRetentionPeriod.",
                     QueueName="retention", Attributes={"MessageRetentionPeriod": "59"})
        policy = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:%s:strict","maxReceiveCount":0}' % ACCOUNT
        self.refused(self.sqs.create_queue, "InvalidParameterValue",
                     "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                     "maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive." % policy,
                     QueueName="redrive", Attributes={"RedrivePolicy": policy})
        self.refused(self.sqs.create_queue, "InvalidParameterValue",
                     "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 "
                     "in length", QueueName="orders.fifo")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="retention")
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["VisibilityTimeout"])
        self.assertEqual(attrs["Attributes"]["VisibilityTimeout"], "30")

    def test_batch_rules(self):
        eleven = [{"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)]
        self.refused(self.sqs.send_message_batch, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                     "Maximum number of entries per request are 10. You have sent 11.",
                     QueueUrl=self.url, Entries=eleven)
        self.refused(self.sqs.send_message_batch, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                     "Id same repeated.", QueueUrl=self.url,
                     Entries=[{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}])
        self.refused(self.sqs.send_message_batch, "AWS.SimpleQueueService.EmptyBatchRequest",
                     "There should be at least one SendMessageBatchRequestEntry in the request.",
                     QueueUrl=self.url, Entries=[])
        self.refused(self.sqs.send_message_batch, "AWS.SimpleQueueService.InvalidBatchEntryId",
                     "A batch entry id can only contain alphanumeric characters, hyphens and "
                     "underscores. It can be at most 80 letters long.",
                     QueueUrl=self.url, Entries=[{"Id": "no spaces", "MessageBody": "a"}])
        self.assert_empty()

    def test_too_long_bodies(self):
        body = "x" * (300 * 1024)
        self.refused(self.sqs.send_message, "InvalidParameterValue",
                     "One or more parameters are invalid. Reason: Message must be shorter than "
                     "262144 bytes.", QueueUrl=self.url, MessageBody=body)
        default = self.sqs.create_queue(QueueName="roomy")["QueueUrl"]
        self.refused(self.sqs.send_message, "InvalidParameterValue",
                     "One or more parameters are invalid. Reason: Message must be shorter than "
                     "1048576 bytes.", QueueUrl=default, MessageBody="y" * (1024 * 1024 + 1))
        out = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "big", "MessageBody": body}])
        self.assertEqual(out["Failed"][0]["Code"], "InvalidParameterValue")
        self.assertTrue(out["Failed"][0]["SenderFault"])
        self.assert_empty()
        self.refused(self.sqs.send_message, "InvalidMessageContents",
                     "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                     "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                     QueueUrl=self.url, MessageBody="bell \x07")
        self.assert_empty()

    def test_forged_receipt_handle(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="keep me")
        deadline, msg = time.time() + 10, None
        while not msg and time.time() < deadline:
            msg = (self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=0)
                   .get("Messages") or [None])[0]
        handle = msg["ReceiptHandle"]
        forged = handle[:10] + ("A" if handle[10] != "A" else "B") + handle[11:]
        self.refused(self.sqs.delete_message, "ReceiptHandleIsInvalid",
                     'The input receipt handle "%s" is not a valid receipt handle.' % forged,
                     QueueUrl=self.url, ReceiptHandle=forged)
        out = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "f", "ReceiptHandle": "garbage"}])
        self.assertEqual(out["Failed"], [{
            "Id": "f", "SenderFault": True, "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "garbage" is not a valid receipt handle.'}])
        self.refused(self.sqs.change_message_visibility, "InvalidParameterValue",
                     "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not "
                     "exist or is not available for visibility timeout change." % handle,
                     QueueUrl=self.url, ReceiptHandle=handle, VisibilityTimeout=10)
        got = None
        deadline = time.time() + 10
        while not got and time.time() < deadline:
            got = self.sqs.receive_message(QueueUrl=self.url).get("Messages")
        self.assertEqual(got[0]["Body"], "keep me")
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=got[0]["ReceiptHandle"])

    def test_receive_parameters_and_missing_ones(self):
        self.refused(self.sqs.receive_message, "InvalidParameterValue",
                     "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                     "between 1 and 10, if provided.", QueueUrl=self.url, MaxNumberOfMessages=11)
        self.refused(self.sqs.receive_message, "InvalidParameterValue",
                     "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                     "and <= 20, if provided.", QueueUrl=self.url, WaitTimeSeconds=21)
        status, headers, body = sqs_post(self.server, "SendMessage", {"QueueUrl": self.url})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "The request must contain the parameter MessageBody.")
        self.assertEqual(headers["x-amzn-query-error"], "MissingParameter;Sender")


if __name__ == "__main__":
    unittest.main()
