"""test_cloudwatch - kinesd's metrics through the CloudWatch API and GET /metrics, against a real
kinesd, with the stock aws CLI (Smithy RPC v2 CBOR), boto3 (the same) and raw JSON 1.0.

A scripted load (PutRecords, PutRecord, GetRecords, a SubscribeToShard) goes into a stream with
shard-level metrics enabled; the AWS/Kinesis metrics must then say exactly what was done:
IncomingRecords' Sum is the records put, GetRecords.Success's Sum the GetRecords calls (the
blueprint's `aws cloudwatch get-metric-statistics ...` check, as written), per-shard sums add up
to the stream's, and GET /metrics (checked by `promtool check metrics` when installed) shows the
same totals. Custom metrics go in with PutMetricData (values, value lists with counts, statistic
sets, a request large enough for botocore to gzip) and come back with their statistics and
percentiles, also after a restart. Bad requests get CloudWatch's error types, query codes (the
x-amzn-query-error header the SDKs report) and texts, and store nothing. Metrics are sampled by
a collector once a second, so the checks poll until the numbers arrive (generous deadlines, no
timing asserted).

Where AWS's text is on record (the datapoint limit, StartTime equal to EndTime, the statistic
set's members, mutually exclusive parameters, an invalid Stat) it is checked exactly; the other
texts are kinesd's, in CloudWatch's style.
"""

import datetime
import json
import os
import shutil
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from kinesd_harness import ACCOUNT, KinesdTestCase, b64

TARGET = "GraniteServiceVersion20100801"
CW_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/monitoring/aws4_request, "
           "SignedHeaders=host;x-amz-date, Signature=00")
DEADLINE_S = 30.0
STATISTIC_SET = "[ Minimum, Maximum, Average, SampleCount, Sum ]"


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CloudWatchCase(KinesdTestCase):
    """Helpers: the CloudWatch client, raw JSON 1.0 calls, waiting for numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.server.client("cloudwatch")
        cls.t0 = int(time.time()) - 120

    def cw_post(self, op, body, headers=None):
        sent = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + "." + op,
                "Authorization": CW_AUTH}
        sent.update(headers or {})
        return self.server.post(op, body, headers=sent)

    def stat(self, name, dims, statistic="Sum", namespace="AWS/Kinesis", period=60, **extra):
        """The statistic over the whole test window (summed over its periods); None when no
        datapoint."""
        points = self.cw.get_metric_statistics(
            Namespace=namespace, MetricName=name, Period=period,
            Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
            StartTime=self.t0, EndTime=int(time.time()) + 120, Statistics=[statistic],
            **extra)["Datapoints"]
        return sum(p[statistic] for p in points) if points else None

    def wait_for(self, expected, fn, what):
        """Polls fn() until it returns expected; fails with the last value after the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            got = fn()
            if got == expected or time.monotonic() > deadline:
                self.assertEqual(got, expected, what)
                return
            time.sleep(0.25)

    def prometheus(self):
        with urllib.request.urlopen(self.server.endpoint + "/metrics", timeout=10) as resp:
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
            return resp.read().decode()

    def assert_cw_error(self, response, status, error_type, query_code, message=None):
        got_status, headers, body = response
        self.assertEqual((got_status, body.get("__type")), (status, error_type), body)
        self.assertEqual(headers.get("x-amzn-query-error"),
                         "%s;%s" % (query_code, "Sender" if status < 500 else "Receiver"))
        if message is not None:
            self.assertEqual(body.get("message"), message)


class KinesisMetrics(CloudWatchCase):
    """What a scripted load makes AWS/Kinesis say."""

    STREAM = "cw-load"
    BATCHES, BATCH = 7, 50
    SINGLES = 13

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        k = cls.kinesis
        k.create_stream(StreamName=cls.STREAM, ShardCount=2)
        cls.wait_stream(cls.STREAM)
        k.enable_enhanced_monitoring(StreamName=cls.STREAM,
                                     ShardLevelMetrics=["IncomingRecords", "OutgoingRecords"])
        cls.bytes = 0
        for b in range(cls.BATCHES):
            records = [{"Data": b"r%03d-%d" % (i, b), "PartitionKey": "k%d" % i}
                       for i in range(cls.BATCH)]
            cls.bytes += sum(len(r["Data"]) + len(r["PartitionKey"]) for r in records)
            assert k.put_records(StreamName=cls.STREAM, Records=records)["FailedRecordCount"] == 0
        for i in range(cls.SINGLES):
            k.put_record(StreamName=cls.STREAM, Data=b"single", PartitionKey="s%d" % i)
            cls.bytes += len(b"single") + len("s%d" % i)
        cls.records = cls.BATCHES * cls.BATCH + cls.SINGLES
        cls.get_calls, cls.read = 0, 0
        for shard in k.list_shards(StreamName=cls.STREAM)["Shards"]:
            it = k.get_shard_iterator(StreamName=cls.STREAM, ShardId=shard["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for _ in range(3):
                page = k.get_records(ShardIterator=it, Limit=100)
                cls.get_calls += 1
                cls.read += len(page["Records"])
                it = page["NextShardIterator"]

    @classmethod
    def wait_stream(cls, name):
        deadline = time.monotonic() + 10
        while cls.kinesis.describe_stream_summary(StreamName=name)[
                "StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.05)

    def test_incoming_records_sum_is_what_was_put(self):
        self.wait_for(self.records, lambda: self.stat("IncomingRecords",
                                                      {"StreamName": self.STREAM}),
                      "IncomingRecords Sum")
        rc, out, err = self.server.aws(
            "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name",
            "IncomingRecords", "--dimensions", "Name=StreamName,Value=%s" % self.STREAM,
            "--statistics", "Sum", "SampleCount", "--period", "3600", "--start-time",
            iso(self.t0), "--end-time", iso(time.time() + 60), service="cloudwatch")
        self.assertEqual(rc, 0, err)
        self.assertEqual(sum(p["Sum"] for p in out["Datapoints"]), self.records)
        self.assertEqual(sum(p["SampleCount"] for p in out["Datapoints"]),
                         self.BATCHES + self.SINGLES)
        self.assertEqual(self.stat("IncomingBytes", {"StreamName": self.STREAM}), self.bytes)
        self.assertEqual(self.stat("PutRecords.TotalRecords", {"StreamName": self.STREAM}),
                         self.BATCHES * self.BATCH)
        self.assertEqual(self.stat("PutRecords.TotalRecords", {"StreamName": self.STREAM},
                                   "SampleCount"), self.BATCHES)
        self.assertEqual(self.stat("PutRecords.FailedRecords", {"StreamName": self.STREAM}), 0)
        self.assertEqual(self.stat("PutRecord.Success", {"StreamName": self.STREAM}),
                         self.SINGLES)
        self.assertEqual(self.stat("WriteProvisionedThroughputExceeded",
                                   {"StreamName": self.STREAM}), 0)

    def test_the_blueprints_check_with_the_aws_cli(self):
        """`aws cloudwatch get-metric-statistics` exactly as the contact-centre blueprint runs
        it: GetRecords.Success's Sum counts the GetRecords calls."""
        def blueprint():
            rc, out, err = self.server.aws(
                "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name",
                "GetRecords.Success", "--dimensions", "Name=StreamName,Value=%s" % self.STREAM,
                "--statistics", "Sum", "--period", "60", "--start-time", iso(self.t0),
                "--end-time", iso(time.time() + 120), service="cloudwatch")
            self.assertEqual(rc, 0, err)
            self.assertEqual(out["Label"], "GetRecords.Success")
            return sum(p["Sum"] for p in out["Datapoints"])
        self.wait_for(self.get_calls, blueprint, "GetRecords.Success Sum")
        self.assertEqual(self.stat("GetRecords.Records", {"StreamName": self.STREAM}), self.read)
        self.assertEqual(self.stat("ReadProvisionedThroughputExceeded",
                                   {"StreamName": self.STREAM}), 0)

    def test_latency_percentiles(self):
        self.wait_for(self.BATCHES, lambda: self.stat("PutRecords.Latency",
                                                      {"StreamName": self.STREAM},
                                                      "SampleCount"), "PutRecords.Latency")
        points = self.cw.get_metric_statistics(
            Namespace="AWS/Kinesis", MetricName="PutRecords.Latency", Period=3600,
            Dimensions=[{"Name": "StreamName", "Value": self.STREAM}], StartTime=self.t0,
            EndTime=int(time.time()) + 60, ExtendedStatistics=["p50", "p90", "p99"])["Datapoints"]
        pct = {}
        for p in points:
            self.assertEqual(p["Unit"], "Milliseconds")
            pct.update(p["ExtendedStatistics"])
        self.assertEqual(sorted(pct), ["p50", "p90", "p99"])
        self.assertTrue(0 < pct["p50"] <= pct["p90"] <= pct["p99"], pct)

    def test_shard_level_metrics_after_enhanced_monitoring(self):
        shards = [s["ShardId"] for s in self.kinesis.list_shards(StreamName=self.STREAM)["Shards"]]

        def per_shard(name):
            return sum(self.stat(name, {"StreamName": self.STREAM, "ShardId": s}) or 0
                       for s in shards)
        self.wait_for(self.records, lambda: per_shard("IncomingRecords"), "per-shard records")
        self.wait_for(self.read, lambda: per_shard("OutgoingRecords"), "per-shard reads")
        self.assertIsNone(self.stat("IncomingBytes", {"StreamName": self.STREAM,
                                                      "ShardId": shards[0]}))  # not enabled

    def wait_recorded(self):
        """Until the setup's puts and gets are all in (reads publish on their own threads)."""
        self.wait_for(self.records, lambda: self.stat("IncomingRecords",
                                                      {"StreamName": self.STREAM}), "records")
        self.wait_for(self.get_calls, lambda: self.stat("GetRecords.Success",
                                                        {"StreamName": self.STREAM}), "gets")

    def test_get_metric_data(self):
        self.wait_recorded()
        dims = [{"Name": "StreamName", "Value": self.STREAM}]
        out = self.cw.get_metric_data(
            MetricDataQueries=[
                {"Id": "incoming", "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis",
                                                             "MetricName": "IncomingRecords",
                                                             "Dimensions": dims},
                                                  "Period": 60, "Stat": "Sum"}},
                {"Id": "gets", "Label": "reads", "MetricStat": {
                    "Metric": {"Namespace": "AWS/Kinesis", "MetricName": "GetRecords.Success",
                               "Dimensions": dims}, "Period": 1, "Stat": "SampleCount"}},
                {"Id": "hidden", "ReturnData": False, "MetricStat": {
                    "Metric": {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
                               "Dimensions": dims}, "Period": 60, "Stat": "p99"}},
            ],
            StartTime=self.t0, EndTime=int(time.time()) + 60, ScanBy="TimestampAscending")
        results = {r["Id"]: r for r in out["MetricDataResults"]}
        self.assertEqual(sorted(results), ["gets", "incoming"])
        self.assertEqual(sum(results["incoming"]["Values"]), self.records)
        self.assertEqual(results["incoming"]["Label"], "IncomingRecords")
        self.assertEqual(results["gets"]["Label"], "reads")
        self.assertEqual(sum(results["gets"]["Values"]), self.get_calls)
        times = results["gets"]["Timestamps"]
        self.assertEqual(times, sorted(times))
        self.assertEqual(results["gets"]["StatusCode"], "Complete")

    def test_list_metrics(self):
        self.wait_recorded()
        metrics = self.cw.list_metrics(
            Namespace="AWS/Kinesis",
            Dimensions=[{"Name": "StreamName", "Value": self.STREAM}])["Metrics"]
        names = {(m["MetricName"], len(m["Dimensions"])) for m in metrics}
        for expected in [("IncomingRecords", 1), ("GetRecords.Success", 1),
                         ("PutRecords.Latency", 1), ("IncomingRecords", 2),
                         ("OutgoingRecords", 2)]:
            self.assertIn(expected, names)
        self.assertEqual(self.cw.list_metrics(Namespace="AWS/Kinesis",
                                              MetricName="IncomingRecords",
                                              Dimensions=[{"Name": "ShardId"}],
                                              RecentlyActive="PT3H")["Metrics"][0]["MetricName"],
                         "IncomingRecords")
        health = self.cw.list_metrics(Namespace="kinesd", MetricName="Requests")["Metrics"]
        self.assertIn({"Name": "Operation", "Value": "PutRecords"},
                      [d for m in health for d in m["Dimensions"]])

    def test_subscribe_to_shard_metrics(self):
        arn = self.kinesis.describe_stream_summary(StreamName=self.STREAM)[
            "StreamDescriptionSummary"]["StreamARN"]
        consumer = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="watcher")[
            "Consumer"]
        deadline = time.monotonic() + 10
        while self.kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        shard = self.kinesis.list_shards(StreamName=self.STREAM)["Shards"][0]["ShardId"]
        sub = self.kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=shard,
                                              StartingPosition={"Type": "TRIM_HORIZON"})
        events = sub["EventStream"]
        first = next(iter(events))["SubscribeToShardEvent"]
        with self.assertRaises(ClientError) as taken:
            self.kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=shard,
                                            StartingPosition={"Type": "LATEST"})
        self.assertEqual(taken.exception.response["Error"]["Code"], "ResourceInUseException")
        events.close()
        dims = {"StreamName": self.STREAM, "ConsumerName": "watcher"}
        self.wait_for(len(first["Records"]),
                      lambda: self.stat("SubscribeToShardEvent.Records", dims, "Maximum"),
                      "records of the first event")
        self.assertEqual(self.stat("SubscribeToShard.Success", dims), 1)
        self.assertEqual(self.stat("SubscribeToShard.RateExceeded", dims), 1)

    def test_json_1_0(self):
        self.wait_for(self.records, lambda: self.stat("IncomingRecords",
                                                      {"StreamName": self.STREAM}), "records")
        status, headers, body = self.cw_post("GetMetricStatistics", {
            "Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
            "Dimensions": [{"Name": "StreamName", "Value": self.STREAM}],
            "StartTime": self.t0, "EndTime": time.time() + 60, "Period": 3600,
            "Statistics": ["Sum", "Maximum"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.0")
        self.assertEqual(sum(p["Sum"] for p in body["Datapoints"]), self.records)
        self.assertIsInstance(body["Datapoints"][0]["Timestamp"], float)

    def test_prometheus(self):
        self.wait_for(self.records, lambda: self.stat("IncomingRecords",
                                                      {"StreamName": self.STREAM}), "records")
        text = self.prometheus()
        line = ('kinesd_incoming_records_total{account="%s",region="us-east-1",stream="%s"} %d\n'
                % (ACCOUNT, self.STREAM, self.records))
        self.assertIn(line, text)
        self.assertIn("# TYPE kinesd_put_records_latency_seconds histogram\n", text)
        self.assertIn('kinesd_request_latency_seconds_count{operation="PutRecords",'
                      'service="kinesis"} %d\n' % self.BATCHES, text)
        self.assertIn("# TYPE kinesd_fsync_latency_seconds histogram\n", text)
        self.assertIn("# TYPE kinesd_resident_memory_bytes gauge\n", text)
        if not shutil.which("promtool"):
            self.skipTest("promtool is not installed (Debian package prometheus)")
        done = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                              capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout.decode() + done.stderr.decode())


class CustomMetrics(CloudWatchCase):
    """PutMetricData, and the history across a restart."""

    def test_values_statistic_sets_and_percentiles(self):
        rc, _, err = self.server.aws("put-metric-data", "--namespace", "Shop", "--metric-name",
                                     "Latency", "--unit", "Milliseconds", "--value", "250",
                                     "--dimensions", "Page=cart", service="cloudwatch")
        self.assertEqual(rc, 0, err)
        self.cw.put_metric_data(Namespace="Shop", MetricData=[
            {"MetricName": "Latency", "Dimensions": [{"Name": "Page", "Value": "cart"}],
             "Unit": "Milliseconds", "Values": [10, 20, 30], "Counts": [50, 30, 19]},
            {"MetricName": "Orders", "StatisticValues": {"SampleCount": 4, "Sum": 10,
                                                         "Minimum": 1, "Maximum": 4}}])
        cart = {"Page": "cart"}
        self.wait_for(100, lambda: self.stat("Latency", cart, "SampleCount", "Shop"), "samples")
        self.assertEqual(self.stat("Latency", cart, "Sum", "Shop"), 250 + 500 + 600 + 570)
        self.assertEqual(self.stat("Latency", cart, "Maximum", "Shop"), 250)
        self.assertEqual(self.stat("Orders", {}, "Sum", "Shop"), 10)
        points = self.cw.get_metric_statistics(
            Namespace="Shop", MetricName="Latency", Dimensions=[{"Name": "Page", "Value": "cart"}],
            StartTime=self.t0, EndTime=int(time.time()) + 60, Period=3600,
            ExtendedStatistics=["p50", "p99"], Unit="Milliseconds")["Datapoints"]
        pct = points[0]["ExtendedStatistics"]  # estimated within the histogram bucket of the
        self.assertTrue(10 <= pct["p50"] <= 11 and 30 <= pct["p99"] <= 32, pct)  # true value
        self.assertEqual(self.stat("Latency", cart, "Sum", "Shop", Unit="Seconds"), None)
        self.assertIn('kinesd_custom_latency_seconds_count{account="%s",region="us-east-1",'
                      'namespace="Shop",page="cart"} 100' % ACCOUNT, self.prometheus())

    def test_large_requests_come_gzipped(self):
        encodings = []
        self.cw.meta.events.register(
            "before-send.cloudwatch.PutMetricData",
            lambda request, **kw: encodings.append(request.headers.get("Content-Encoding")))
        data = [{"MetricName": "Big", "Dimensions": [{"Name": "Part", "Value": "p%03d" % i}],
                 "Values": [float(v) for v in range(20)]} for i in range(200)]
        self.cw.put_metric_data(Namespace="Bulk", MetricData=data)
        self.assertEqual(encodings, [b"gzip"] if isinstance(encodings[0], bytes) else ["gzip"])
        self.wait_for(20, lambda: self.stat("Big", {"Part": "p199"}, "SampleCount", "Bulk"),
                      "the last datum")
        status, _, body = self.cw_post("PutMetricData", b"\x1f\x8b not gzip",
                                       {"Content-Encoding": "gzip"})
        self.assertEqual((status, body.get("__type")), (400, "SerializationException"))

    def test_past_timestamps_and_one_second_periods(self):
        now = int(time.time())
        self.cw.put_metric_data(Namespace="Clock", MetricData=[
            {"MetricName": "Ticks", "Timestamp": now - 3 * 86400, "Value": 1},
            {"MetricName": "Ticks", "Timestamp": now - 30, "Value": 2},
            {"MetricName": "Ticks", "Timestamp": now - 30, "Value": 3}])
        points = self.cw.get_metric_statistics(
            Namespace="Clock", MetricName="Ticks", StartTime=now - 4 * 86400, EndTime=now + 60,
            Period=3600, Statistics=["Sum"])["Datapoints"]
        self.assertEqual(sorted(p["Sum"] for p in points), [1, 5])
        points = self.cw.get_metric_statistics(
            Namespace="Clock", MetricName="Ticks", StartTime=now - 60, EndTime=now, Period=1,
            Statistics=["SampleCount"])["Datapoints"]
        self.assertEqual([(p["Timestamp"].timestamp(), p["SampleCount"]) for p in points],
                         [(now - 30, 2)])


class MetricsRestart(CloudWatchCase):
    """The history survives a restart."""

    def test_history_survives_a_restart(self):
        self.cw.put_metric_data(Namespace="Keep", MetricData=[
            {"MetricName": "Count", "Value": 5}, {"MetricName": "Count", "Value": 7}])
        self.kinesis.create_stream(StreamName="kept", ShardCount=1)
        deadline = time.monotonic() + 10
        while self.kinesis.describe_stream_summary(StreamName="kept")[
                "StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.kinesis.put_record(StreamName="kept", Data=b"x", PartitionKey="k")
        self.wait_for(1, lambda: self.stat("IncomingRecords", {"StreamName": "kept"}), "put")
        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        self.cw = self.server.client("cloudwatch")
        self.assertEqual(self.stat("Count", {}, "Sum", "Keep"), 12)
        self.assertEqual(self.stat("IncomingRecords", {"StreamName": "kept"}), 1)
        names = [m["MetricName"] for m in self.cw.list_metrics(Namespace="Keep")["Metrics"]]
        self.assertEqual(names, ["Count"])
        self.assertTrue(os.path.exists(os.path.join(self.server.data_dir, "metrics.sqlite")))


class MetricsOff(CloudWatchCase):
    """kinesd --metrics off records nothing (the bench's baseline) and still answers."""

    SERVER_ARGS = {"extra_args": ["--metrics", "off"]}

    def test_nothing_is_recorded(self):
        self.kinesis.create_stream(StreamName="quiet", ShardCount=1)
        time.sleep(1.5)
        self.assertEqual(self.cw.list_metrics()["Metrics"], [])
        self.assertIsNone(self.stat("IncomingRecords", {"StreamName": "quiet"}))
        self.assertEqual(self.prometheus(), "")


class ScrapeAccess(KinesdTestCase):
    """GET /metrics names every account's streams: in --auth verify it needs
    --metrics-token-file and the token as a bearer (what Prometheus' credentials_file sends)."""

    SERVER_ARGS = {"extra_args": ["--auth", "verify"]}

    def scrape(self, token=None):
        request = urllib.request.Request(self.server.endpoint + "/metrics")
        if token is not None:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def restart_with_token_file(self, text):
        self.server.stop()
        path = os.path.join(self.server.root, "scrape.token")
        with open(path, "w") as f:
            f.write(text)
        self.server.extra_args = ["--auth", "verify", "--metrics-token-file", path]
        return path

    def test_verify_mode_needs_the_token(self):
        status, _, body = self.scrape()
        self.assertEqual((status, body), (403, "GET /metrics needs --metrics-token-file when "
                                               "kinesd verifies signatures (--auth verify)\n"))
        path = self.restart_with_token_file("")
        done = subprocess.run(self.server.command(), capture_output=True, timeout=30)
        self.assertEqual(done.returncode, 1)
        self.assertIn(("--metrics-token-file %s: must hold a token" % path).encode(), done.stderr)

        self.restart_with_token_file(" s3cret-scrape-token\n")
        self.server.start()
        for token in (None, "wrong", "s3cret-scrape-tokenX", ""):
            with self.subTest(token=token):
                status, headers, body = self.scrape(token)
                self.assertEqual(status, 401)
                self.assertEqual(headers["WWW-Authenticate"], 'Bearer realm="kinesd"')
                self.assertEqual(body, "GET /metrics needs the bearer token of "
                                       "--metrics-token-file\n")
        deadline = time.monotonic() + 10
        while "# TYPE kinesd_connections gauge" not in body:  # the first collection: 1 s
            self.assertLess(time.monotonic(), deadline, body)
            time.sleep(0.2)
            status, _, body = self.scrape("s3cret-scrape-token")
            self.assertEqual(status, 200)


def gms(**changes):
    """A valid GetMetricStatistics body with CHANGES (None removes a member)."""
    body = {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
            "Dimensions": [{"Name": "StreamName", "Value": "s"}],
            "StartTime": 1800000000, "EndTime": 1800003600, "Period": 60,
            "Statistics": ["Sum"]}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def gmd(query=None, **changes):
    """A valid GetMetricData body, its first query changed by QUERY."""
    q = {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis",
                                               "MetricName": "IncomingRecords"},
                                    "Period": 60, "Stat": "Sum"}}
    q.update(query or {})
    body = {"MetricDataQueries": [q], "StartTime": 1800000000, "EndTime": 1800003600}
    body.update(changes)
    return body


class BadInput(CloudWatchCase):
    """CloudWatch's refusals: type, query code, status and text; nothing stored."""

    IPV, MISSING = "InvalidParameterValueException", "MissingRequiredParameterException"
    COMBINATION = "InvalidParameterCombinationException"

    def refused(self, op, body, error_type, query_code, message=None):
        with self.subTest(op=op, body=body):
            self.assert_cw_error(self.cw_post(op, body), 400, error_type, query_code, message)

    def test_get_metric_statistics(self):
        cases = [
            (gms(Statistics=["Sum", "Bogus"]), self.IPV, "InvalidParameterValue",
             "The parameter Statistics.member.2 must be a value in the set %s." % STATISTIC_SET),
            (gms(Period=None), self.MISSING, "MissingParameter", "The parameter Period is required."),
            (gms(Dimensions=[{"Name": "StreamName"}]), self.MISSING, "MissingParameter",
             "The parameter Dimensions.member.1.Value is required."),
            (gms(Period=0), "ValidationError", "ValidationError",
             "1 validation error detected: Value '0' at 'period' failed to satisfy constraint: "
             "Member must have value greater than or equal to 1"),
            (gms(Namespace=":x"), "ValidationError", "ValidationError", None),
            (gms(Period=90), self.IPV, "InvalidParameterValue",
             "The parameter Period must be 1, 5, 10, 30, or a multiple of 60."),
            (gms(ExtendedStatistics=["p99"]), self.COMBINATION, "InvalidParameterCombination",
             "Must specify either Statistics or ExtendedStatistics, but not both."),
            (gms(Statistics=None), self.COMBINATION, "InvalidParameterCombination", None),
            (gms(Statistics=None, ExtendedStatistics=["p101"]), self.IPV,
             "InvalidParameterValue", "The value p101 for parameter ExtendedStatistics.member.1 "
             "is not a valid percentile statistic."),
            (gms(EndTime=1800000000), self.IPV, "InvalidParameterValue",
             "The parameter StartTime must not equal parameter EndTime."),
            (gms(EndTime=1799999000), self.IPV, "InvalidParameterValue",
             "The parameter StartTime must be less than the parameter EndTime."),
            (gms(Period=1, EndTime=1800086400), self.COMBINATION, "InvalidParameterCombination",
             "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may "
             "reduce the datapoints requested by increasing Period, or decreasing the time "
             "range."),
            (gms(Dimensions=[{"Name": "A", "Value": "1"}, {"Name": "A", "Value": "2"}]), self.IPV,
             "InvalidParameterValue", "The collection Dimensions must not have duplicate "
             "dimension names (A)."),
            (gms(Unit="Parsecs"), self.IPV, "InvalidParameterValue", None),
        ]
        for body, error_type, code, message in cases:
            self.refused("GetMetricStatistics", body, error_type, code, message)

    def test_get_metric_data(self):
        stat = {"Metric": {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords"},
                "Period": 60, "Stat": "Bogus"}
        two = gmd()
        two["MetricDataQueries"].append(dict(two["MetricDataQueries"][0]))
        cases = [
            (gmd({"MetricStat": stat}),
             "The value Bogus for parameter MetricDataQueries.member.1.MetricStat.Stat is not a "
             "valid statistic."),
            (gmd({"Id": "M1"}), "The value M1 for parameter MetricDataQueries.member.1.Id is "
                                "invalid."),
            (two, "The value m1 for parameter MetricDataQueries.member.2.Id is duplicated."),
            (gmd({"MetricStat": None, "Expression": "m2 * 2"}),
             "The value m2 * 2 for parameter MetricDataQueries.member.1.Expression is not a "
             "valid expression: no query has the Id m2."),
            (gmd({"MetricStat": None}),
             "The parameter MetricDataQueries.member.1.MetricStat is required."),
            (gmd(EndTime=1800000000), "The parameter StartTime must not equal parameter EndTime."),
        ]
        for body, message in cases:
            for q in body["MetricDataQueries"]:
                if q.get("MetricStat", 1) is None:
                    del q["MetricStat"]
            self.refused("GetMetricData", body, "ValidationError", "ValidationError", message)
        self.refused("GetMetricData", {"StartTime": 1, "EndTime": 2}, self.MISSING,
                     "MissingParameter", "The parameter MetricDataQueries is required.")

    def test_list_metrics(self):
        self.refused("ListMetrics", {"NextToken": "garbage"}, self.IPV, "InvalidParameterValue",
                     "The parameter NextToken is invalid.")
        self.refused("ListMetrics", {"RecentlyActive": "PT1H"}, self.IPV, "InvalidParameterValue",
                     "The parameter RecentlyActive must be a value in the set [ PT3H ].")

    def test_put_metric_data_stores_nothing_when_refused(self):
        now = int(time.time())
        good = {"MetricName": "Refused", "Value": 1}
        cases = [
            ({"Namespace": "AWS/Kinesis", "MetricData": [good]}, self.IPV,
             "InvalidParameterValue", "The value AWS/Kinesis for parameter Namespace is invalid."),
            ({"Namespace": "App", "MetricData": [good, {"MetricName": "Refused", "Value": 1,
                                                        "StatisticValues": {
                                                            "SampleCount": 1, "Sum": 1,
                                                            "Minimum": 1, "Maximum": 1}}]},
             self.COMBINATION, "InvalidParameterCombination",
             "The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues "
             "are mutually exclusive and you have specified both."),
            ({"Namespace": "App", "MetricData": [good, {"MetricName": "Refused"}]}, self.MISSING,
             "MissingParameter", "The parameter MetricData.member.2.Value is required."),
            ({"Namespace": "App", "MetricData": [{"Value": 1}]}, self.MISSING, "MissingParameter",
             "The parameter MetricData.member.1.MetricName is required."),
            ({"Namespace": "App", "MetricData": [{"MetricName": "Refused", "Values": [1, 2],
                                                  "Counts": [1]}]}, self.IPV,
             "InvalidParameterValue", None),
            ({"Namespace": "App", "MetricData": [dict(good, StorageResolution=5)]}, self.IPV,
             "InvalidParameterValue", "The value 5 for parameter "
             "MetricData.member.1.StorageResolution is invalid."),
            ({"Namespace": "App", "MetricData": [dict(good, Timestamp=now - 21 * 86400)]},
             self.IPV, "InvalidParameterValue", None),
            ({"Namespace": "App", "MetricData": [{"MetricName": "Refused", "StatisticValues": {
                "SampleCount": 2, "Sum": 3, "Minimum": 1}}]}, self.MISSING, "MissingParameter",
             "The parameter MetricData.member.1.StatisticValues.Maximum is required."),
        ]
        for body, error_type, code, message in cases:
            self.refused("PutMetricData", body, error_type, code, message)
        time.sleep(1.5)
        self.assertEqual(self.cw.list_metrics(MetricName="Refused")["Metrics"], [])

    def test_unknown_operations_and_unreadable_bodies(self):
        status, _, body = self.cw_post("DescribeAlarms", {})
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        status, _, body = self.cw_post("ListMetrics", b"{not json")
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))

    def test_what_the_sdks_report(self):
        rc, _, err = self.server.aws(
            "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "X",
            "--statistics", "Bogus", "--period", "60", "--start-time", "2027-01-01T00:00:00Z",
            "--end-time", "2027-01-01T01:00:00Z", service="cloudwatch")
        self.assertNotEqual(rc, 0)
        self.assertIn("(InvalidParameterValue) when calling the GetMetricStatistics operation: "
                      "The parameter Statistics.member.1 must be a value in the set", err)
        with self.assertRaises(self.cw.exceptions.InvalidParameterCombinationException) as e:
            self.cw.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="X", Period=1,
                                          StartTime=1800000000, EndTime=1800086400,
                                          Statistics=["Sum"])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterCombination")


if __name__ == "__main__":
    unittest.main()
