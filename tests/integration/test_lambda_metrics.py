"""test_lambda_metrics - each function's AWS/Lambda metrics, read back with CloudWatch's API as a
dashboard or an alarm on a function's errors reads them.

Counted as AWS counts them: Invocations for every invocation that ran, answered or failed, but not
a throttled one; Errors for the failed ones; Duration for each that ran; Throttles for each refused
for want of concurrency; ConcurrentExecutions (Maximum) while they run. Each per function
(dimension FunctionName) and for all the account's functions (no dimension).
"""

import sys
import time
import unittest

from lambda_fixtures import PYTHON_HANDLER, LambdaTestCase

DEADLINE_S = 30


class LambdaMetricsTest(LambdaTestCase):
    SERVER_ARGS = {"transition_ms": 0, "extra_args": ["--lambda-python", sys.executable]}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.server.client("cloudwatch")
        cls.t0 = int(time.time()) - 120

    def stat(self, name, statistic="Sum", function=None):
        dims = [{"Name": "FunctionName", "Value": function}] if function else []
        points = self.cw.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName=name, Period=60, StartTime=self.t0,
            EndTime=int(time.time()) + 120, Statistics=[statistic], Dimensions=dims)["Datapoints"]
        if not points:
            return None
        pick = {"Sum": sum, "Maximum": max, "SampleCount": sum}[statistic]
        return pick(p[statistic] for p in points)

    def wait_for(self, expected, name, statistic="Sum", function=None):
        deadline = time.monotonic() + DEADLINE_S
        while (got := self.stat(name, statistic, function)) != expected:
            self.assertLess(time.monotonic(), deadline, "%s %s: %r" % (function, name, got))
            time.sleep(0.2)

    def test_invocations_errors_duration_throttles_and_concurrency(self):
        self.create_function("metered-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER})
        for event in ({}, {"fail": True}, {"a": 1}):
            self.invoke("metered-fn", event)
        self.lam.put_function_concurrency(FunctionName="metered-fn",
                                          ReservedConcurrentExecutions=0)
        with self.assertRaises(self.lam.exceptions.TooManyRequestsException):
            self.invoke("metered-fn", {})

        self.wait_for(3, "Invocations", function="metered-fn")
        self.wait_for(1, "Errors", function="metered-fn")
        self.wait_for(1, "Throttles", function="metered-fn")
        self.wait_for(3, "Duration", "SampleCount", function="metered-fn")
        self.assertGreater(self.stat("Duration", "Maximum", "metered-fn"), 0)
        self.assertEqual(self.stat("ConcurrentExecutions", "Maximum", "metered-fn"), 1)
        # the same, over all of the account's functions
        self.wait_for(3, "Invocations")
        self.assertEqual(self.stat("Errors"), 1)
        self.assertEqual(self.stat("Throttles"), 1)
        listed = self.cw.list_metrics(Namespace="AWS/Lambda", MetricName="Invocations")["Metrics"]
        self.assertIn([{"Name": "FunctionName", "Value": "metered-fn"}],
                      [m["Dimensions"] for m in listed])
        self.assertIn([], [m["Dimensions"] for m in listed])


if __name__ == "__main__":
    unittest.main()
