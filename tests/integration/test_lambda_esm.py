"""Event source mappings at work: Kinesis records reach a function in Lambda's event shape, each
once and in order per shard, parents before children after a reshard; failures are retried,
bisected and given up to an OnFailure queue; timeouts are retried; filters, tumbling windows,
ParallelizationFactor and enhanced fan-out consumers."""

import datetime
import json
import sys
import time
import unittest

from lambda_fixtures import BASH_BOOTSTRAP, ROLE, EsmTestCase, invocations, record_data
from kinesd_harness import REGION
from test_kinesctl import kinesctl

SERVER_ARGS = {"extra_args": ["--lambda-python", sys.executable]}

RECORD_KEYS = {"kinesis", "eventSource", "eventVersion", "eventID", "eventName",
               "invokeIdentityArn", "awsRegion", "eventSourceARN"}
KINESIS_KEYS = {"kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                "approximateArrivalTimestamp"}


class EsmProcessingTest(EsmTestCase):
    SERVER_ARGS = SERVER_ARGS

    def create_mapping(self, function, stream, **kwargs):
        kwargs.setdefault("StartingPosition", "TRIM_HORIZON")
        return self.lam.create_event_source_mapping(
            FunctionName=function, EventSourceArn=self.stream_arn(stream), **kwargs)

    def assert_shape(self, seen, stream):
        """Every record as Lambda's Kinesis event has it, equal to what GetRecords returns."""
        stored = {}
        for shard in self.shards(stream):
            records, _ = self.read_shard(stream, shard["ShardId"])
            for r in records:
                stored[r["SequenceNumber"]] = (shard["ShardId"], r)
        for rec in seen:
            self.assertEqual(set(rec), RECORD_KEYS)
            k = rec["kinesis"]
            self.assertEqual(set(k), KINESIS_KEYS)
            shard_id, got = stored[k["sequenceNumber"]]
            self.assertEqual(k["kinesisSchemaVersion"], "1.0")
            self.assertEqual(k["partitionKey"], got["PartitionKey"])
            self.assertEqual(record_data(rec), got["Data"])
            self.assertAlmostEqual(k["approximateArrivalTimestamp"],
                                   got["ApproximateArrivalTimestamp"].timestamp(), places=3)
            self.assertEqual(rec["eventID"], "%s:%s" % (shard_id, k["sequenceNumber"]))
            self.assertEqual(rec["eventSource"], "aws:kinesis")
            self.assertEqual(rec["eventVersion"], "1.0")
            self.assertEqual(rec["eventName"], "aws:kinesis:record")
            self.assertEqual(rec["invokeIdentityArn"], ROLE)
            self.assertEqual(rec["awsRegion"], REGION)
            self.assertEqual(rec["eventSourceARN"], self.stream_arn(stream))
        return stored

    def test_ten_thousand_records_once_in_order(self):
        out = self.esm_function("esm-10k")
        self.create_stream("esm-10k", shards=4)
        rc, mapping, err = self.server.aws(
            "create-event-source-mapping", "--function-name", "esm-10k", "--event-source-arn",
            self.stream_arn("esm-10k"), "--starting-position", "TRIM_HORIZON",
            service="lambda")
        self.assertEqual(rc, 0, err)
        self.assertEqual(mapping["BatchSize"], 100)
        self.assertEqual(mapping["StartingPosition"], "TRIM_HORIZON")
        started = time.monotonic()
        self.put_many("esm-10k", [b'{"i": %d}' % i for i in range(10000)])
        seen = self.wait_records(out, 10000, timeout_s=120)
        elapsed = time.monotonic() - started
        sys.stderr.write("\n[figure] 10,000 records, 4 shards, BatchSize 100: all processed "
                         "%.2f s after the first put\n" % elapsed)
        seqs = [r["kinesis"]["sequenceNumber"] for r in seen]
        self.assertEqual(len(seqs), 10000, "some records were delivered more than once")
        stored = self.assert_shape(seen, "esm-10k")
        self.assertEqual(set(seqs), set(stored))
        by_shard = {}
        for rec in seen:
            by_shard.setdefault(rec["eventID"].split(":")[0], []).append(
                rec["kinesis"]["sequenceNumber"])
        self.assertEqual(len(by_shard), 4)
        for shard_seqs in by_shard.values():
            self.assertEqual(shard_seqs, sorted(shard_seqs, key=int), "out of order in a shard")
        for inv in invocations(out):
            self.assertLessEqual(len(inv["event"]["Records"]), 100)
            self.assertEqual(set(inv["event"]), {"Records"})
        cloudwatch = self.server.client("cloudwatch")
        now = datetime.datetime.now(datetime.timezone.utc)

        def every_batch_sampled():
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/Lambda", MetricName="IteratorAge", Statistics=["SampleCount"],
                Dimensions=[{"Name": "FunctionName", "Value": "esm-10k"}], Period=60,
                StartTime=now - datetime.timedelta(minutes=5),
                EndTime=now + datetime.timedelta(minutes=5))["Datapoints"]
            return sum(p["SampleCount"] for p in points) == len(invocations(out))
        self.wait_for("an IteratorAge sample per batch", every_batch_sampled, timeout_s=15)

    def test_reshard_parent_before_child(self):
        out = self.esm_function("esm-reshard", env={"SLEEP": 0.02})
        self.create_stream("esm-reshard", shards=1)
        self.create_mapping("esm-reshard", "esm-reshard", BatchSize=20)
        self.put_many("esm-reshard", [b"before-%d" % i for i in range(200)])
        self.kinesis.update_shard_count(StreamName="esm-reshard", TargetShardCount=2,
                                        ScalingType="UNIFORM_SCALING")
        self.wait_active("esm-reshard")
        self.put_many("esm-reshard", [b"after-%d" % i for i in range(200)])
        self.wait_records(out, 400)
        shards = {s["ShardId"]: s for s in self.shards("esm-reshard")}
        spans = {}
        for inv in invocations(out):
            for rec in inv["event"]["Records"]:
                shard_id = rec["eventID"].split(":")[0]
                first, last = spans.get(shard_id, (inv["start"], inv["end"]))
                spans[shard_id] = (min(first, inv["start"]), max(last, inv["end"]))
        children = [s for s in shards.values()
                    if s.get("ParentShardId") and s["ShardId"] in spans]
        self.assertEqual(len(children), 2, "records after the reshard went to both children")
        for child in children:
            parent = child["ParentShardId"]
            self.assertLessEqual(spans[parent][1], spans[child["ShardId"]][0],
                                 "%s ran before its parent %s finished"
                                 % (child["ShardId"], parent))

    def test_poison_record_bisected_to_the_failure_queue(self):
        sqs, url, queue_arn = self.sqs_queue("esm-poison-dlq")
        out = self.esm_function("esm-poison", handler="poison")
        self.create_stream("esm-poison")
        mapping = self.create_mapping(
            "esm-poison", "esm-poison", BisectBatchOnFunctionError=True, MaximumRetryAttempts=2,
            FunctionResponseTypes=["ReportBatchItemFailures"],
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        datas = [b"good-%d" % i for i in range(7)] + [b"poison"] + [b"good-%d" % i
                                                                    for i in range(7, 20)]
        seqs = self.put_many("esm-poison", datas)
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
        self.assertEqual(len(messages), 1)
        failure = json.loads(messages[0]["Body"])
        shard_id, poison_seq = seqs[b"poison"]
        context = failure["requestContext"]
        self.assertEqual(context["condition"], "RetryAttemptsExhausted")
        self.assertEqual(context["approximateInvokeCount"], 3)
        self.assertEqual(context["functionArn"], self.function_arn("esm-poison"))
        self.assertEqual(failure["responseContext"]["statusCode"], 200)
        self.assertEqual(failure["responseContext"]["executedVersion"], "$LATEST")
        self.assertEqual(failure["version"], "1.0")
        self.assertRegex(failure["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        info = failure["KinesisBatchInfo"]
        self.assertEqual(info["shardId"], shard_id)
        self.assertEqual(info["startSequenceNumber"], poison_seq)
        self.assertEqual(info["endSequenceNumber"], poison_seq)
        self.assertEqual(info["batchSize"], 1)
        self.assertEqual(info["streamArn"], self.stream_arn("esm-poison"))
        self.assertRegex(info["approximateArrivalOfFirstRecord"], r"Z$")
        ran = [inv for inv in invocations(out)
               if context["requestId"] == inv["id"]]
        self.assertEqual(len(ran), 1, "the failure record names the last invocation")

        self.put_many("esm-poison", [b"after-poison"])

        def good_done():
            done = set()
            for inv in invocations(out):
                records = [record_data(r) for r in inv["event"]["Records"]]
                done.update(records[:records.index(b"poison")] if b"poison" in records
                            else records)
            return done >= set(datas + [b"after-poison"]) - {b"poison"}
        self.wait_for("every good record", good_done)
        status, = [m for m in self.triggers() if m["UUID"] == mapping["UUID"]]
        self.assertEqual(status["Shards"][0]["GivenUp"], 1)

    def test_timed_out_batch_is_killed_and_retried(self):
        out = self.esm_function("esm-timeout", handler="slow_first", Timeout=1)
        self.create_stream("esm-timeout")
        mapping = self.create_mapping("esm-timeout", "esm-timeout")
        self.put_many("esm-timeout", [b"slow"])
        self.assertEqual([record_data(r) for r in self.wait_records(out, 1, timeout_s=30)],
                         [b"slow"])
        shard, = [m for m in self.triggers() if m["UUID"] == mapping["UUID"]][0]["Shards"]
        self.assertGreaterEqual(shard["BatchesFailed"], 1)
        self.assertIn("Sandbox.Timedout", shard["LastError"])
        self.assertEqual(shard["Records"], 1)

    def test_filter_criteria(self):
        out = self.esm_function("esm-filter")
        self.create_stream("esm-filter")
        patterns = [{"data": {"kind": ["order"], "amount": [{"numeric": [">", 10]}]}},
                    {"data": {"$or": [{"tag": [{"prefix": "vip-"}]},
                                      {"tag": [{"equals-ignore-case": "GOLD"}]}]}}]
        mapping = self.create_mapping(
            "esm-filter", "esm-filter",
            FilterCriteria={"Filters": [{"Pattern": json.dumps(p)} for p in patterns]})
        self.assertEqual(json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]),
                         patterns[0])
        wanted = [b'{"kind": "order", "amount": 12}', b'{"tag": "vip-1"}', b'{"tag": "gold"}']
        unwanted = [b'{"kind": "order", "amount": 3}', b'{"kind": "refund", "amount": 50}',
                    b'{"tag": "regular"}', b"not json"]
        self.put_many("esm-filter", unwanted + wanted)
        self.wait_records(out, 3)
        time.sleep(0.5)
        self.assertEqual(sorted(record_data(r) for r in self.seen_records(out)), sorted(wanted))
        status, = [m for m in self.triggers() if m["UUID"] == mapping["UUID"]]
        self.assertEqual(status["Shards"][0]["Filtered"], 4)
        self.wait_for("the filtered records checkpointed", lambda: [
            m for m in self.triggers() if m["UUID"] == mapping["UUID"]
            and m["Shards"][0]["Checkpoint"] == 7])

    def test_tumbling_window_carries_state(self):
        out = self.esm_function("esm-window", handler="tumbling")
        self.create_stream("esm-window")
        self.create_mapping("esm-window", "esm-window", TumblingWindowInSeconds=2, BatchSize=3)
        self.put_many("esm-window", [b"w-%d" % i for i in range(7)])

        def final():
            return [inv for inv in invocations(out) if inv["event"]["isFinalInvokeForWindow"]]
        finals = self.wait_for("a final invocation", final, timeout_s=30)
        window = finals[0]["event"]["window"]
        in_window = [inv for inv in invocations(out) if inv["event"]["window"] == window]
        counted = sum(len(inv["event"]["Records"]) for inv in in_window[:-1])
        last = in_window[-1]["event"]
        self.assertTrue(last["isFinalInvokeForWindow"])
        self.assertFalse(last["isWindowTerminatedEarly"])
        self.assertEqual(last["state"]["count"], counted)
        self.assertEqual(in_window[0]["event"]["state"], {})
        self.assertEqual(last["shardId"], "shardId-000000000000")
        self.assertEqual(last["eventSourceARN"], self.stream_arn("esm-window"))
        self.assertRegex(window["start"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_parallelization_keeps_order_per_key(self):
        out = self.esm_function("esm-parallel", env={"SLEEP": 0.02})
        self.create_stream("esm-parallel")
        self.create_mapping("esm-parallel", "esm-parallel", ParallelizationFactor=4,
                            BatchSize=5)
        keys = ["key-%d" % (i % 8) for i in range(120)]
        self.put_many("esm-parallel", [b"%d" % i for i in range(120)],
                      key=lambda i: keys[i])
        seen = self.wait_records(out, 120)
        by_key = {}
        for rec in seen:
            by_key.setdefault(rec["kinesis"]["partitionKey"], []).append(int(record_data(rec)))
        self.assertEqual(len(by_key), 8)
        for numbers in by_key.values():
            self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(sum(len(v) for v in by_key.values()), 120)

    def test_enhanced_fan_out_consumer(self):
        out = self.esm_function("esm-efo")
        self.create_stream("esm-efo")
        consumer = self.kinesis.register_stream_consumer(
            StreamARN=self.stream_arn("esm-efo"), ConsumerName="esm-efo-consumer")["Consumer"]
        self.lam.create_event_source_mapping(FunctionName="esm-efo",
                                             EventSourceArn=consumer["ConsumerARN"],
                                             StartingPosition="TRIM_HORIZON")
        self.put_many("esm-efo", [b"pushed-%d" % i for i in range(5)])
        seen = self.wait_records(out, 5)
        self.assertEqual([record_data(r) for r in seen], [b"pushed-%d" % i for i in range(5)])
        self.assertEqual(seen[0]["eventSourceARN"], self.stream_arn("esm-efo"))

    def test_starting_positions(self):
        self.create_stream("esm-start")
        self.put_many("esm-start", [b"early-%d" % i for i in range(3)])
        # boto3 sends StartingPositionTimestamp in whole seconds: start on the next one
        middle = int(time.time()) + 1
        time.sleep(middle - time.time() + 0.05)
        self.put_many("esm-start", [b"middle-%d" % i for i in range(2)])
        at_out = self.esm_function("esm-at")
        latest_out = self.esm_function("esm-latest")
        self.create_mapping("esm-at", "esm-start", StartingPosition="AT_TIMESTAMP",
                            StartingPositionTimestamp=middle)
        latest = self.create_mapping("esm-latest", "esm-start", StartingPosition="LATEST")
        self.assertEqual(latest["StartingPosition"], "LATEST")
        self.put_many("esm-start", [b"late"])
        self.assertEqual([record_data(r) for r in self.wait_records(at_out, 3)],
                         [b"middle-0", b"middle-1", b"late"])
        self.assertEqual([record_data(r) for r in self.wait_records(latest_out, 1)], [b"late"])

    def test_disabled_mapping_resumes_where_it_stopped(self):
        out = self.esm_function("esm-pause")
        self.create_stream("esm-pause")
        uuid = self.create_mapping("esm-pause", "esm-pause")["UUID"]
        self.put_many("esm-pause", [b"a-%d" % i for i in range(3)])
        self.wait_records(out, 3)
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"],
                         "Disabled")
        self.put_many("esm-pause", [b"b-%d" % i for i in range(3)])
        time.sleep(1)
        self.assertEqual(len(self.seen_records(out)), 3)
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True, BatchSize=2)
        seen = self.wait_records(out, 6)
        self.assertEqual([record_data(r) for r in seen],
                         [b"a-0", b"a-1", b"a-2", b"b-0", b"b-1", b"b-2"])
        self.assertLessEqual(len(invocations(out)[-1]["event"]["Records"]), 2)

    def test_batches_stay_under_six_megabytes(self):
        out = self.esm_function("esm-big")
        self.create_stream("esm-big")
        self.create_mapping("esm-big", "esm-big", BatchSize=100, MaximumBatchingWindowInSeconds=1)
        for i in range(8):
            self.kinesis.put_record(StreamName="esm-big", PartitionKey="k",
                                    Data=bytes([65 + i]) * (900 * 1024))
        self.wait_records(out, 8)
        sizes = [len(json.dumps(inv["event"])) for inv in invocations(out)]
        self.assertGreater(len(sizes), 1)
        for size in sizes:
            self.assertLess(size, 6 * 1024 * 1024)

    def test_failure_record_to_a_stream(self):
        # kinesd's extension: OnFailure may be a Kinesis stream. The bootstrap crashes on an
        # event that mentions "crash" (here: the partition key).
        self.create_function("esm-crashing", "provided.al2023", "x",
                             {"bootstrap": BASH_BOOTSTRAP})
        self.create_stream("esm-crashing")
        self.create_stream("esm-failures")
        self.create_mapping("esm-crashing", "esm-crashing", MaximumRetryAttempts=1,
                            DestinationConfig={"OnFailure": {
                                "Destination": self.stream_arn("esm-failures")}})
        self.put_many("esm-crashing", [b"boom"], key=lambda i: "crash")
        failure, = self.stream_records("esm-failures", 1)
        self.assertEqual(failure["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(failure["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(failure["KinesisBatchInfo"]["batchSize"], 1)

    def test_kinesctl_trigger_triggers_and_dlq_replay(self):
        endpoint = self.server.endpoint
        sqs, url, queue_arn = self.sqs_queue("ctl-dlq")
        out = self.esm_function("esm-ctl", handler="poison")
        self.create_stream("ctl-stream")
        rc, created, err = kinesctl(endpoint, "trigger", "create", "esm-ctl", "ctl-stream",
                                    "--starting-position", "trim-horizon", "--retries", "0",
                                    "--report-failures", "--on-failure", queue_arn,
                                    "--batch-size", "10")
        self.assertEqual(rc, 0, err)
        uuid = created.split()[0]
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)["BatchSize"], 10)
        self.put_many("ctl-stream", [b"one", b"poison", b"two"])
        self.wait_for("the failure record", lambda: int(sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"]) == 1)
        rc, listed, err = kinesctl(endpoint, "trigger", "list", "esm-ctl")
        self.assertEqual(rc, 0, err)
        self.assertIn(uuid, listed)
        rc, status, err = kinesctl(endpoint, "triggers")
        self.assertEqual(rc, 0, err)
        self.assertIn("shardId-000000000000", status)
        self.assertIn("given-up 2", status)

        self.lam.update_function_configuration(FunctionName="esm-ctl",
                                               Handler="esm_handler.record")
        self.lam.get_waiter("function_updated_v2").wait(
            FunctionName="esm-ctl", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        before = len(invocations(out))
        rc, replayed, err = kinesctl(endpoint, "dlq", "replay", "ctl-dlq")
        self.assertEqual(rc, 0, err)
        self.assertIn("replayed 2 record(s) of shardId-000000000000", replayed)
        replay = invocations(out)[before:]
        self.assertEqual(len(replay), 1)
        again = replay[0]["event"]["Records"]
        self.assertEqual([record_data(r) for r in again], [b"poison", b"two"])
        self.assert_shape(again, "ctl-stream")
        self.assertEqual(int(sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"]), 0)

        rc, disabled, err = kinesctl(endpoint, "trigger", "disable", uuid)
        self.assertEqual(rc, 0, err)
        self.assertIn("Disabled", disabled)
        self.assertEqual(kinesctl(endpoint, "trigger", "delete", uuid)[0], 0)
        self.assertEqual(kinesctl(endpoint, "trigger", "list", "esm-ctl")[1], "")


if __name__ == "__main__":
    unittest.main()
