"""Functions in verify mode: an execution environment gets a session of its account's root
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as GetSessionToken issues them),
so its SDK calls to kinesd are authenticated; and a stream triggers it through an event source
mapping there too."""

import json
import sys
import time
import unittest

from iam_fixture import ROOT, VerifyTestCase
from lambda_fixtures import PYTHON_HANDLER, ROLE, make_zip


class FunctionCredentialsTest(VerifyTestCase):
    SERVER_ARGS = dict(VerifyTestCase.SERVER_ARGS,
                       extra_args=VerifyTestCase.SERVER_ARGS["extra_args"]
                       + ["--lambda-python", sys.executable])

    def test_function_calls_kinesd_with_a_session(self):
        lam = self.as_(ROOT, "lambda", read_timeout=60)
        self.create_stream("verify-sink")
        self.create_stream("verify-source")
        lam.create_function(FunctionName="verify-fn", Runtime="python3.12",
                            Handler="lambda_function.to_stream", Role=ROLE,
                            Code={"ZipFile": make_zip({"lambda_function.py": PYTHON_HANDLER})},
                            Environment={"Variables": {"STREAM": "verify-sink"}})
        lam.get_waiter("function_active_v2").wait(FunctionName="verify-fn",
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        answer = lam.invoke(FunctionName="verify-fn", Payload=b'{"direct": 1}')
        self.assertNotIn("FunctionError", answer, answer["Payload"].read())
        lam.create_event_source_mapping(
            FunctionName="verify-fn", StartingPosition="TRIM_HORIZON",
            EventSourceArn="arn:aws:kinesis:us-east-1:000000000000:stream/verify-source")
        self.kinesis.put_record(StreamName="verify-source", PartitionKey="k", Data=b"via-esm")

        def sink():
            records, _ = self.read_shard("verify-sink", "shardId-000000000000")
            return [json.loads(r["Data"]) for r in records]
        deadline = time.monotonic() + 30
        while len(sink()) < 2:
            self.assertLess(time.monotonic(), deadline, "the function wrote %r"
                            % sink())
            time.sleep(0.1)
        direct, triggered = sink()
        self.assertEqual(direct, {"direct": 1})
        self.assertEqual(triggered["Records"][0]["kinesis"]["partitionKey"], "k")


if __name__ == "__main__":
    unittest.main()
