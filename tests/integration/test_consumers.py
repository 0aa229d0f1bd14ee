"""test_consumers - enhanced fan-out consumers, account settings and warm throughput, through
boto3 and raw HTTP against a real kinesd.

Consumers: register / describe (by ARN, by stream ARN and name) / list (paging) / deregister,
the per-stream limits, DeleteStream's EnforceConsumerDeletion rule, CREATING -> ACTIVE and
DELETING -> gone over time, and a restart. Every refused request is checked for its exact error
type and message and for having stored nothing.
"""

import time
import unittest

from kinesd_harness import ACCOUNT, KinesdTestCase

TRANSITION_MS = 300


def stream_arn(name):
    return "arn:aws:kinesis:us-east-1:%s:stream/%s" % (ACCOUNT, name)


def not_found(consumer, stream):
    return "Consumer %s under stream %s and account %s not found." % (consumer, stream, ACCOUNT)


class ConsumerHelpers:
    """Helpers for both test classes (mixed into KinesdTestCase subclasses)."""

    def register(self, stream, name):
        return self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                     ConsumerName=name)["Consumer"]

    def listed(self, stream):
        """(name, status) of every consumer of the stream, following NextToken."""
        found, token = [], None
        while True:
            args = dict(StreamARN=stream_arn(stream))
            if token:
                args["NextToken"] = token
            page = self.kinesis.list_stream_consumers(**args)
            found += [(c["ConsumerName"], c["ConsumerStatus"]) for c in page["Consumers"]]
            token = page.get("NextToken")
            if not token:
                return found

    def consumer_count(self, stream):
        return self.kinesis.describe_stream_summary(
            StreamName=stream)["StreamDescriptionSummary"]["ConsumerCount"]

    def assert_refused(self, stream, operation, body, status, error_type, message):
        """The request fails exactly so and the stream's consumers stay as they were."""
        before = self.listed(stream)
        self.assert_aws_error(self.server.post(operation, body), status, error_type, message)
        self.assertEqual(self.listed(stream), before)


class Consumers(ConsumerHelpers, KinesdTestCase):
    """Immediate transitions: everything is ACTIVE or gone on return."""

    def test_register_describe_deregister(self):
        self.create_stream("life")
        started = time.time()
        consumer = self.register("life", "reader")
        self.assertEqual(consumer["ConsumerName"], "reader")
        self.assertEqual(consumer["ConsumerStatus"], "ACTIVE")
        created = consumer["ConsumerCreationTimestamp"].timestamp()
        self.assertAlmostEqual(created, started, delta=5)
        self.assertEqual(consumer["ConsumerARN"],
                         "%s/consumer/reader:%d" % (stream_arn("life"), int(created)))
        self.assertNotIn("StreamARN", consumer)

        by_arn = self.kinesis.describe_stream_consumer(
            ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        by_name = self.kinesis.describe_stream_consumer(
            StreamARN=stream_arn("life"), ConsumerName="reader")["ConsumerDescription"]
        by_all = self.kinesis.describe_stream_consumer(
            StreamARN=stream_arn("life"), ConsumerName="reader",
            ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual(by_arn, by_name)
        self.assertEqual(by_arn, by_all)
        self.assertEqual(by_arn["StreamARN"], stream_arn("life"))
        self.assertEqual(by_arn["ConsumerARN"], consumer["ConsumerARN"])
        self.assertEqual(self.consumer_count("life"), 1)
        self.assertEqual(self.listed("life"), [("reader", "ACTIVE")])

        self.kinesis.deregister_stream_consumer(StreamARN=stream_arn("life"),
                                                ConsumerName="reader")
        self.assertEqual(self.listed("life"), [])
        self.assertEqual(self.consumer_count("life"), 0)
        self.assert_aws_error(
            self.server.post("DescribeStreamConsumer", {"ConsumerARN": consumer["ConsumerARN"]}),
            400, "ResourceNotFoundException", "Consumer %s not found." % consumer["ConsumerARN"])

    def test_aws_cli(self):
        self.create_stream("cli")
        rc, out, err = self.server.aws("register-stream-consumer", "--stream-arn",
                                       stream_arn("cli"), "--consumer-name", "viacli")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Consumer"]["ConsumerName"], "viacli")
        rc, out, err = self.server.aws("list-stream-consumers", "--stream-arn", stream_arn("cli"))
        self.assertEqual(rc, 0, err)
        self.assertEqual([c["ConsumerName"] for c in out["Consumers"]], ["viacli"])

    def test_paging(self):
        self.create_stream("paged")
        names = ["c%02d" % i for i in range(7)]
        for name in reversed(names):
            self.register("paged", name)
        seen, token, pages = [], None, 0
        while True:
            args = dict(StreamARN=stream_arn("paged"), MaxResults=3)
            if token:
                args = dict(StreamARN=stream_arn("paged"), NextToken=token, MaxResults=3)
            page = self.kinesis.list_stream_consumers(**args)
            self.assertLessEqual(len(page["Consumers"]), 3)
            seen += [c["ConsumerName"] for c in page["Consumers"]]
            pages += 1
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, names)
        self.assertEqual(pages, 3)
        # boto3's paginator follows the same tokens
        paginator = self.kinesis.get_paginator("list_stream_consumers")
        got = [c["ConsumerName"]
               for page in paginator.paginate(StreamARN=stream_arn("paged"),
                                              PaginationConfig={"PageSize": 2})
               for c in page["Consumers"]]
        self.assertEqual(got, names)
        created = self.kinesis.describe_stream_summary(
            StreamName="paged")["StreamDescriptionSummary"]["StreamCreationTimestamp"]
        page = self.kinesis.list_stream_consumers(StreamARN=stream_arn("paged"),
                                                  StreamCreationTimestamp=created)
        self.assertEqual(len(page["Consumers"]), 7)

    def test_limit_of_20(self):
        self.create_stream("full")
        for i in range(20):
            self.register("full", "c%02d" % i)
        self.assert_refused(
            "full", "RegisterStreamConsumer",
            {"StreamARN": stream_arn("full"), "ConsumerName": "one-too-many"},
            400, "LimitExceededException",
            "Stream full under account %s already has the maximum number of 20 consumers "
            "registered." % ACCOUNT)
        self.assertEqual(self.consumer_count("full"), 20)
        self.create_stream("other")
        self.register("other", "c00")

    def test_register_errors(self):
        self.create_stream("reg")
        self.register("reg", "taken")
        arn = stream_arn("reg")
        cases = [
            ({"StreamARN": arn, "ConsumerName": "taken"}, "ResourceInUseException",
             "Consumer taken under stream reg and account %s already exists." % ACCOUNT),
            ({"StreamARN": stream_arn("absent"), "ConsumerName": "x"},
             "ResourceNotFoundException",
             "Stream absent under account %s not found." % ACCOUNT),
            ({"StreamARN": "arn:aws:kinesis:us-east-1:111111111111:stream/reg",
              "ConsumerName": "x"}, "AccessDeniedException",
             "User: arn:aws:iam::%s:root is not authorized to access resource: "
             "arn:aws:kinesis:us-east-1:111111111111:stream/reg" % ACCOUNT),
            ({"StreamARN": "arn:aws:kinesis:eu-west-1:%s:stream/reg" % ACCOUNT,
              "ConsumerName": "x"}, "ResourceNotFoundException",
             "Stream reg under account %s not found." % ACCOUNT),
        ]
        for body, error_type, message in cases:
            with self.subTest(body=body):
                self.assert_refused("reg", "RegisterStreamConsumer", body, 400, error_type,
                                    message)

    def test_model_violations(self):
        self.create_stream("valid")
        self.assert_violations(
            self.server.post("RegisterStreamConsumer", {"StreamARN": stream_arn("valid")}),
            ["Value null at 'consumerName' failed to satisfy constraint: "
             "Member must not be null"])
        self.assert_violations(
            self.server.post("RegisterStreamConsumer",
                             {"StreamARN": stream_arn("valid"), "ConsumerName": "bad name"}),
            ["Value 'bad name' at 'consumerName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"])
        self.assert_violations(
            self.server.post("ListStreamConsumers",
                             {"StreamARN": stream_arn("valid"), "MaxResults": 0}),
            ["Value '0' at 'maxResults' failed to satisfy constraint: "
             "Member must have value greater than or equal to 1"])
        self.assertEqual(self.listed("valid"), [])

    def test_lookup_errors(self):
        self.create_stream("look")
        self.create_stream("look2")
        arn = self.register("look", "c")["ConsumerARN"]
        neither = "Either ConsumerARN or both ConsumerName and StreamARN must be provided."
        mismatch = "ConsumerARN %s does not match the given StreamARN and ConsumerName." % arn
        unknown = stream_arn("look") + "/consumer/c:1"
        # another account's consumer is AccessDenied, as another account's stream is (it said
        # ResourceNotFound), whether or not it exists
        foreign = arn.replace(":%s:" % ACCOUNT, ":111111111111:")
        denied = ("User: arn:aws:iam::%s:root is not authorized to access resource: %s"
                  % (ACCOUNT, foreign))
        for op in ("DescribeStreamConsumer", "DeregisterStreamConsumer"):
            cases = [
                ({}, "InvalidArgumentException", neither),
                ({"ConsumerName": "c"}, "InvalidArgumentException", neither),
                ({"StreamARN": stream_arn("look")}, "InvalidArgumentException", neither),
                ({"ConsumerARN": arn, "ConsumerName": "d"}, "InvalidArgumentException",
                 mismatch),
                ({"ConsumerARN": arn, "StreamARN": stream_arn("look2")},
                 "InvalidArgumentException", mismatch),
                ({"ConsumerARN": unknown}, "ResourceNotFoundException",
                 "Consumer %s not found." % unknown),
                ({"ConsumerARN": foreign}, "AccessDeniedException", denied),
                ({"StreamARN": stream_arn("look2"), "ConsumerName": "c"},
                 "ResourceNotFoundException", not_found("c", "look2")),
                ({"StreamARN": stream_arn("gone"), "ConsumerName": "c"},
                 "ResourceNotFoundException",
                 "Stream gone under account %s not found." % ACCOUNT),
            ]
            for body, error_type, message in cases:
                with self.subTest(op=op, body=body):
                    self.assert_refused("look", op, body, 400, error_type, message)
        self.assertEqual(self.listed("look"), [("c", "ACTIVE")])

    def test_list_errors(self):
        self.create_stream("lst")
        self.create_stream("lst2")
        for name in ("a", "b"):
            self.register("lst", name)
        token = self.kinesis.list_stream_consumers(StreamARN=stream_arn("lst"),
                                                   MaxResults=1)["NextToken"]
        cases = [
            ({"StreamARN": stream_arn("lst2"), "NextToken": token}, "InvalidArgumentException",
             "Invalid NextToken: %s" % token),
            ({"StreamARN": stream_arn("lst"), "NextToken": "junk"}, "InvalidArgumentException",
             "Invalid NextToken: junk"),
            ({"StreamARN": stream_arn("lst"), "NextToken": token,
              "StreamCreationTimestamp": 1}, "InvalidArgumentException",
             "NextToken and StreamCreationTimestamp cannot be provided together."),
            ({"StreamARN": stream_arn("lst"), "StreamCreationTimestamp": 1000},
             "ResourceNotFoundException", "Stream lst under account %s not found." % ACCOUNT),
            ({"StreamARN": stream_arn("nothere")}, "ResourceNotFoundException",
             "Stream nothere under account %s not found." % ACCOUNT),
        ]
        for body, error_type, message in cases:
            with self.subTest(body=body):
                self.assert_aws_error(self.server.post("ListStreamConsumers", body), 400,
                                      error_type, message)

    def test_delete_stream_with_consumers(self):
        self.create_stream("doomed")
        self.register("doomed", "c1")
        message = ("DeleteStream can't delete %s because there are consumers associated with "
                   "this data stream. To delete doomed anyway, set the EnforceConsumerDeletion "
                   "parameter to true to force the deletion of all the consumers that are "
                   "associated with it." % stream_arn("doomed"))
        for body in ({"StreamName": "doomed"},
                     {"StreamName": "doomed", "EnforceConsumerDeletion": False},
                     {"StreamARN": stream_arn("doomed")}):
            with self.subTest(body=body):
                self.assert_refused("doomed", "DeleteStream", body, 400,
                                    "ResourceInUseException", message)
        self.assertEqual(self.wait_active("doomed")["StreamStatus"], "ACTIVE")
        self.kinesis.delete_stream(StreamName="doomed", EnforceConsumerDeletion=True)
        self.wait_gone("doomed")
        # the same name again: a new stream, no consumers
        self.create_stream("doomed")
        self.assertEqual(self.listed("doomed"), [])
        self.assertEqual(self.consumer_count("doomed"), 0)
        self.kinesis.delete_stream(StreamName="doomed")

    def test_account_settings(self):
        settings = self.kinesis.describe_account_settings()
        self.assertEqual(settings["MinimumThroughputBillingCommitment"], {"Status": "DISABLED"})
        on = self.kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        commitment = on["MinimumThroughputBillingCommitment"]
        self.assertEqual(commitment["Status"], "ENABLED")
        self.assertEqual((commitment["EarliestAllowedEndAt"] - commitment["StartedAt"])
                         .total_seconds(), 24 * 3600)
        self.assertEqual(self.kinesis.describe_account_settings()[
            "MinimumThroughputBillingCommitment"], commitment)
        ending = self.kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "DISABLED"})
        self.assertEqual(ending["MinimumThroughputBillingCommitment"]["Status"],
                         "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
        self.assertEqual(ending["MinimumThroughputBillingCommitment"]["EndedAt"],
                         commitment["EarliestAllowedEndAt"])
        again = self.kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        self.assertEqual(again["MinimumThroughputBillingCommitment"], commitment)
        self.assert_violations(
            self.server.post("UpdateAccountSettings",
                             {"MinimumThroughputBillingCommitment": {"Status": "MAYBE"}}),
            ["Value 'MAYBE' at 'minimumThroughputBillingCommitment.status' failed to satisfy "
             "constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"])


class ConsumerLifecycle(ConsumerHelpers, KinesdTestCase):
    """Transitions that take time, and a restart in the middle of them."""

    SERVER_ARGS = dict(transition_ms=TRANSITION_MS)

    def status(self, arn):
        return self.kinesis.describe_stream_consumer(
            ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"]

    def wait_status(self, arn, status, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while self.status(arn) != status:
            if time.monotonic() > deadline:
                self.fail("consumer %s not %s after %.0f s" % (arn, status, timeout_s))
            time.sleep(0.05)

    def wait_consumer_gone(self, arn, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while self.server.post("DescribeStreamConsumer", {"ConsumerARN": arn})[0] == 200:
            if time.monotonic() > deadline:
                self.fail("consumer %s still there after %.0f s" % (arn, timeout_s))
            time.sleep(0.05)

    def test_creating_then_active_then_gone(self):
        self.kinesis.create_stream(StreamName="slow", ShardCount=1)
        self.assert_refused(
            "slow", "RegisterStreamConsumer",
            {"StreamARN": stream_arn("slow"), "ConsumerName": "early"}, 400,
            "ResourceInUseException",
            "Stream slow under account %s not ACTIVE, instead in state CREATING" % ACCOUNT)
        self.wait_active("slow")
        arn = self.register("slow", "c")["ConsumerARN"]
        self.assertEqual(self.status(arn), "CREATING")
        self.wait_status(arn, "ACTIVE")
        self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        self.assertEqual(self.status(arn), "DELETING")
        self.assert_aws_error(
            self.server.post("DeregisterStreamConsumer", {"ConsumerARN": arn}), 400,
            "ResourceNotFoundException", not_found("c", "slow"))
        self.wait_consumer_gone(arn)
        self.assertEqual(self.listed("slow"), [])

    def test_five_creating_at_once(self):
        self.create_stream("burst")
        for i in range(5):
            self.register("burst", "c%d" % i)
        self.assert_refused(
            "burst", "RegisterStreamConsumer",
            {"StreamARN": stream_arn("burst"), "ConsumerName": "c5"}, 400,
            "LimitExceededException",
            "Stream burst under account %s already has 5 consumers in CREATING status; try "
            "again when one of them is ACTIVE." % ACCOUNT)
        deadline = time.monotonic() + 10
        while any(status != "ACTIVE" for _, status in self.listed("burst")):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.register("burst", "c5")

    def test_enforced_delete_takes_consumers(self):
        self.create_stream("drop")
        arn = self.register("drop", "c")["ConsumerARN"]
        self.wait_status(arn, "ACTIVE")
        self.kinesis.delete_stream(StreamName="drop", EnforceConsumerDeletion=True)
        self.assertEqual(self.status(arn), "DELETING")
        self.wait_gone("drop")
        self.assert_aws_error(
            self.server.post("DescribeStreamConsumer", {"ConsumerARN": arn}), 400,
            "ResourceNotFoundException", "Consumer %s not found." % arn)

    def test_restart_keeps_consumers_and_settings(self):
        self.create_stream("kept")
        arn = self.register("kept", "c")["ConsumerARN"]
        self.kinesis.create_stream(StreamName="warm",
                                   StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active("warm")
        self.kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        out = self.kinesis.update_stream_warm_throughput(StreamName="warm",
                                                         WarmThroughputMiBps=100)
        self.assertEqual(out["WarmThroughput"], {"TargetMiBps": 100, "CurrentMiBps": 0})
        self.assertEqual((out["StreamName"], out["StreamARN"]), ("warm", stream_arn("warm")))
        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        self.wait_status(arn, "ACTIVE")
        summary = self.wait_active("warm")
        self.assertEqual(summary["WarmThroughput"], {"TargetMiBps": 100, "CurrentMiBps": 100})
        self.assertEqual(self.kinesis.describe_account_settings()[
            "MinimumThroughputBillingCommitment"]["Status"], "ENABLED")
        self.assertEqual(self.consumer_count("kept"), 1)

    def test_warm_throughput_errors(self):
        self.create_stream("cold")
        self.kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        self.assert_aws_error(
            self.server.post("UpdateStreamWarmThroughput",
                             {"StreamName": "cold", "WarmThroughputMiBps": 10}), 400,
            "ValidationException",
            "UpdateStreamWarmThroughput is not supported for stream cold under account %s "
            "because it is in PROVISIONED capacity mode." % ACCOUNT)
        self.assertNotIn("WarmThroughput", self.wait_active("cold"))
        self.assert_aws_error(
            self.server.post("UpdateStreamWarmThroughput",
                             {"StreamName": "absent", "WarmThroughputMiBps": 10}), 400,
            "ResourceNotFoundException", "Stream absent under account %s not found." % ACCOUNT)


if __name__ == "__main__":
    unittest.main()
