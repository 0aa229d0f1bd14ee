"""test_cloudwatch_math - metric math in GetMetricData (Expression queries) against a real kinesd,
with boto3 and once the stock aws CLI.

Two metrics go in with PutMetricData at fixed minutes in the past (Hits: 2, 4, 6 at minutes 0, 1,
2; Misses: 1 and 0 at minutes 0 and 2), so every expression's answer is known exactly:
arithmetic between series (matching timestamps only, a division by zero gives no point) and with
scalars, SUM/AVG across METRICS() and of one series, FILL with a value, REPEAT and LINEAR, RATE,
DIFF, ABS, comparisons and IF, hidden (ReturnData false) metrics, labels and the ScanBy order. Bad expressions
(unknown Id, syntax, a cycle, an unsupported function, MetricStat and Expression both) are
ValidationError 400; their texts are kinesd's (AWS's are not on record).
"""

import time
import unittest

from test_cloudwatch import CloudWatchCase, iso


def metric(name):
    return {"Metric": {"Namespace": "MathTest", "MetricName": name}, "Period": 60, "Stat": "Sum"}


class MetricMath(CloudWatchCase):
    """Expressions over two metrics put at known minutes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.m0 = (int(time.time()) // 60 - 30) * 60  # minute 0, half an hour ago
        data = [("Hits", 0, 2), ("Hits", 1, 4), ("Hits", 2, 6), ("Misses", 0, 1),
                ("Misses", 2, 0)]
        cls.cw.put_metric_data(Namespace="MathTest", MetricData=[
            {"MetricName": name, "Timestamp": cls.m0 + 60 * minute, "Value": value}
            for name, minute, value in data])

    def query(self, *expressions, scan="TimestampAscending", hidden=True, **extra):
        """The results of EXPRESSIONS ((id, text) or (id, text, label)) over hits and misses
        (hidden unless HIDDEN is False), by Id; each as [(minute, value)]."""
        queries = [{"Id": "hits", "MetricStat": metric("Hits"), "ReturnData": not hidden},
                   {"Id": "misses", "MetricStat": metric("Misses"), "ReturnData": not hidden}]
        for e in expressions:
            q = {"Id": e[0], "Expression": e[1]}
            if len(e) > 2:
                q["Label"] = e[2]
            queries.append(q)
        out = self.cw.get_metric_data(MetricDataQueries=queries, StartTime=self.m0,
                                      EndTime=self.m0 + 180, ScanBy=scan, **extra)
        return out["MetricDataResults"]

    def points(self, result):
        return [((int(t.timestamp()) - self.m0) // 60, v)
                for t, v in zip(result["Timestamps"], result["Values"])]

    def values(self, *expressions):
        return {r["Id"]: self.points(r) for r in self.query(*expressions)}

    def wait_stored(self):
        self.wait_for([(0, 1.0), (2, 0.0)], lambda: self.values(("e", "misses"))["e"],
                      "the misses")
        self.wait_for(3, lambda: len(self.values(("e", "hits"))["e"]), "the hits")

    def test_arithmetic(self):
        self.wait_stored()
        self.assertEqual(self.values(
            ("ratio", "hits / misses * 100"),  # minute 1: no miss; minute 2: division by 0
            ("both", "hits + misses"),
            ("scaled", "2 * hits - 1"),
            ("centred", "hits - AVG(hits)"),
            ("neg", "-(hits) + 10 / 4"),
            ("constant", "MAX(hits) * 2"),  # a scalar: at every timestamp of the metrics
        ), {"ratio": [(0, 200.0)], "both": [(0, 3.0), (2, 6.0)],
            "scaled": [(0, 3.0), (1, 7.0), (2, 11.0)],
            "centred": [(0, -2.0), (1, 0.0), (2, 2.0)],
            "neg": [(0, 0.5), (1, -1.5), (2, -3.5)],
            "constant": [(0, 12.0), (1, 12.0), (2, 12.0)]})

    def test_functions(self):
        self.wait_stored()
        self.assertEqual(self.values(
            ("total", "SUM(METRICS())"), ("mean", "AVG(METRICS())"),
            ("lowest", "MIN(METRICS())"), ("zeros", "FILL(misses, 7)"),
            ("repeat", "FILL(misses, REPEAT)"), ("linear", "FILL(misses, LINEAR)"),
            ("rate", "RATE(hits)"), ("diff", "DIFF(hits)"), ("abs", "ABS(0 - hits)"),
            ("nested", "SUM(METRICS(\"hit\")) + e2"), ("e2", "ABS(DIFF(misses))"),
            ("choice", "IF(hits > 3 AND NOT misses == 5, hits, misses)"),
        ), {"total": [(0, 3.0), (1, 4.0), (2, 6.0)], "mean": [(0, 1.5), (1, 4.0), (2, 3.0)],
            "lowest": [(0, 1.0), (1, 4.0), (2, 0.0)],
            "zeros": [(0, 1.0), (1, 7.0), (2, 0.0)], "repeat": [(0, 1.0), (1, 1.0), (2, 0.0)],
            "linear": [(0, 1.0), (1, 0.5), (2, 0.0)],
            "rate": [(1, 2 / 60), (2, 2 / 60)], "diff": [(1, 2.0), (2, 2.0)],
            "abs": [(0, 2.0), (1, 4.0), (2, 6.0)], "nested": [(2, 7.0)], "e2": [(2, 1.0)],
            "choice": [(0, 1.0), (2, 6.0)]})

    def test_labels_order_and_hidden_metrics(self):
        self.wait_stored()
        results = self.query(("e1", "hits * 2", "Doubled"), ("e2", "METRICS()", "All"),
                             ("e3", "misses"), scan="TimestampDescending")
        self.assertEqual([(r["Id"], r["Label"], r["StatusCode"]) for r in results],
                         [("e1", "Doubled", "Complete"), ("e2", "All Hits", "Complete"),
                          ("e2", "All Misses", "Complete"), ("e3", "e3", "Complete")])
        self.assertEqual(self.points(results[0]), [(2, 12.0), (1, 8.0), (0, 4.0)])
        shown = self.query(("e1", "hits"), hidden=False)
        self.assertEqual([r["Id"] for r in shown], ["hits", "misses", "e1"])
        partial = self.query(("e1", "hits"), MaxDatapoints=4)  # spent on the metrics first
        self.assertEqual((partial[0]["Values"], partial[0]["StatusCode"]), ([], "PartialData"))

    def test_with_the_aws_cli(self):
        self.wait_stored()
        queries = ('[{"Id":"hits","ReturnData":false,"MetricStat":{"Metric":{"Namespace":'
                   '"MathTest","MetricName":"Hits"},"Period":60,"Stat":"Sum"}},'
                   '{"Id":"e1","Expression":"SUM(METRICS()) / 2","Label":"half"}]')
        rc, out, err = self.server.aws(
            "get-metric-data", "--metric-data-queries", queries, "--start-time", iso(self.m0),
            "--end-time", iso(self.m0 + 180), "--scan-by", "TimestampAscending",
            service="cloudwatch")
        self.assertEqual(rc, 0, err)
        (result,) = out["MetricDataResults"]
        self.assertEqual((result["Id"], result["Label"], result["Values"]),
                         ("e1", "half", [1.0, 2.0, 3.0]))

    def test_bad_expressions(self):
        def refused(expression, member, why, queries=None):
            body = {"StartTime": self.m0, "EndTime": self.m0 + 180,
                    "MetricDataQueries": queries or [{"Id": "hits", "MetricStat": metric("Hits")},
                                                     {"Id": "e1", "Expression": expression}]}
            with self.subTest(expression=expression):
                self.assert_cw_error(
                    self.cw_post("GetMetricData", body), 400, "ValidationError", "ValidationError",
                    "The value %s for parameter MetricDataQueries.member.%d.Expression is not a "
                    "valid expression: %s." % (expression, member, why))
        refused("hits + nope", 2, "no query has the Id nope")
        refused("hits +", 2, "the expression ends where a value is expected")
        refused("(hits * 2", 2, "a ')' is missing")
        refused("hits $ 2", 2, "'$' is not expected here")
        refused("STDDEV(hits)", 2, "the function STDDEV is not supported")
        refused("FILL(hits)", 2, "FILL takes 2 arguments")
        refused("Hits", 2, "Hits is neither a query Id nor a function")
        refused("RATE(5)", 2, "RATE needs a time series, not a number")
        refused("RATE(7)", 2, "RATE needs a time series, not a number", [  # hidden, named by none
            {"Id": "hits", "MetricStat": metric("Hits")},
            {"Id": "e1", "Expression": "RATE(7)", "ReturnData": False}])
        refused("METRICS() * METRICS()", 2,
                "'*' between two arrays of time series is not supported")
        refused("(" * 70 + "1" + ")" * 70, 2, "the expression is nested more than 64 deep")
        refused("e2 + 1", 2, "the expression of e1 depends on itself", [
            {"Id": "hits", "MetricStat": metric("Hits")},
            {"Id": "e1", "Expression": "e2 + 1"}, {"Id": "e2", "Expression": "e1 * 2"}])
        both = {"Id": "e1", "Expression": "1", "MetricStat": metric("Hits")}
        self.assert_cw_error(
            self.cw_post("GetMetricData", {"StartTime": self.m0, "EndTime": self.m0 + 180,
                                           "MetricDataQueries": [both]}),
            400, "ValidationError", "ValidationError",
            "MetricDataQueries.member.1 must have either a MetricStat or an Expression, not both.")


if __name__ == "__main__":
    unittest.main()
