"""Asynchronous Lambda invocations: queued durably (they run after a kill -9 and restart),
retried per MaximumRetryAttempts, and reported to OnSuccess / OnFailure destinations: a Kinesis
stream, and another function (which itself writes to a stream through kinesd, with the endpoint
and credentials kinesd gives it)."""

import json
import sys
import time
import unittest

from lambda_fixtures import BASH_BOOTSTRAP, PYTHON_HANDLER, LambdaTestCase

SERVER_ARGS = {"extra_args": ["--lambda-retry-delay-ms", "100", "--lambda-python", sys.executable]}


class AsyncTest(LambdaTestCase):
    SERVER_ARGS = SERVER_ARGS

    def test_destinations(self):
        self.create_stream("dest-stream")
        self.create_stream("sink-stream")
        self.create_function("sink-fn", "python3.11", "lambda_function.to_stream",
                             {"lambda_function.py": PYTHON_HANDLER},
                             Environment={"Variables": {"STREAM": "sink-stream"}})
        self.create_function("worker-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER})
        self.lam.put_function_event_invoke_config(
            FunctionName="worker-fn", MaximumRetryAttempts=1,
            DestinationConfig={"OnSuccess": {"Destination": self.stream_arn("dest-stream")},
                               "OnFailure": {"Destination": self.function_arn("sink-fn")}})
        ok = self.lam.invoke(FunctionName="worker-fn", InvocationType="Event",
                             Payload=b'{"n": 1}')
        self.assertEqual(ok["StatusCode"], 202)
        bad = self.lam.invoke(FunctionName="worker-fn", InvocationType="Event",
                              Payload=b'{"fail": true}')
        success, = self.stream_records("dest-stream", 1)
        self.assertEqual(success["requestContext"]["condition"], "Success")
        self.assertEqual(success["requestContext"]["requestId"],
                         ok["ResponseMetadata"]["RequestId"])
        self.assertEqual(success["requestContext"]["functionArn"],
                         self.function_arn("worker-fn") + ":$LATEST")
        self.assertEqual(success["requestPayload"], {"n": 1})
        self.assertEqual(success["responsePayload"]["echo"], {"n": 1})
        self.assertEqual(success["version"], "1.0")
        failure, = self.stream_records("sink-stream", 1)
        self.assertEqual(failure["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(failure["requestContext"]["requestId"],
                         bad["ResponseMetadata"]["RequestId"])
        self.assertEqual(failure["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(failure["responsePayload"]["errorType"], "ValueError")

    def test_sqs_destination(self):
        sqs = self.server.client("sqs")
        queue_url = sqs.create_queue(QueueName="fn-dlq")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.create_function("dlq-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER})
        self.lam.put_function_event_invoke_config(
            FunctionName="dlq-fn", MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        sent = self.lam.invoke(FunctionName="dlq-fn", InvocationType="Event",
                               Payload=b'{"fail": "please"}')
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20).get("Messages", [])
        self.assertEqual(len(messages), 1)
        record = json.loads(messages[0]["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["requestId"], sent["ResponseMetadata"]["RequestId"])
        self.assertEqual(record["requestPayload"], {"fail": "please"})

    def test_timed_out_event_is_retried(self):
        self.create_stream("timeout-dest")
        self.create_function("timeout-fn", "provided.al2023", "x", {"bootstrap": BASH_BOOTSTRAP},
                             Timeout=1)
        self.lam.put_function_event_invoke_config(
            FunctionName="timeout-fn", MaximumRetryAttempts=2,
            DestinationConfig={"OnFailure": {"Destination": self.stream_arn("timeout-dest")}})
        self.lam.invoke(FunctionName="timeout-fn", InvocationType="Event",
                        Payload=b'{"sleep": 4}')
        failure, = self.stream_records("timeout-dest", 1, timeout_s=60)
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 3)
        self.assertEqual(failure["responsePayload"]["errorType"], "Sandbox.Timedout")

    def test_event_invoke_config_errors(self):
        self.create_function("cfg-fn", "provided.al2023", "x", {"bootstrap": BASH_BOOTSTRAP})
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function_event_invoke_config(FunctionName="cfg-fn")
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            self.lam.put_function_event_invoke_config(
                FunctionName="cfg-fn",
                DestinationConfig={"OnFailure": {"Destination": self.function_arn("cfg-fn")}})
        with self.assertRaises(self.lam.exceptions.ClientError) as ctx:
            self.lam.put_function_event_invoke_config(FunctionName="cfg-fn",
                                                      MaximumRetryAttempts=3)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(self.lam.exceptions.RequestTooLargeException):
            self.lam.invoke(FunctionName="cfg-fn", InvocationType="Event",
                            Payload=b'"' + b"x" * 262144 + b'"')


class AsyncCrashTest(LambdaTestCase):
    """Events accepted (202) before a kill -9 run after the restart."""
    SERVER_ARGS = SERVER_ARGS

    def test_queued_events_survive_kill9(self):
        self.create_stream("survivors")
        self.create_function("held-fn", "python3.11", "lambda_function.to_stream",
                             {"lambda_function.py": PYTHON_HANDLER},
                             Environment={"Variables": {"STREAM": "survivors"}})
        # no concurrency: the events wait in the queue
        self.lam.put_function_concurrency(FunctionName="held-fn", ReservedConcurrentExecutions=0)
        for i in range(3):
            answer = self.lam.invoke(FunctionName="held-fn", InvocationType="Event",
                                     Payload=b'{"event": %d}' % i)
            self.assertEqual(answer["StatusCode"], 202)
        self.server.kill9()
        self.server.restart()
        self.lam = self.server.client("lambda")
        type(self).kinesis = self.server.client()
        time.sleep(0.2)
        self.lam.delete_function_concurrency(FunctionName="held-fn")
        events = self.stream_records("survivors", 3)
        self.assertEqual(sorted(e["event"] for e in events)[:3], [0, 1, 2])


if __name__ == "__main__":
    unittest.main()
