"""test_stream_settings - the operations that change a stream's settings rather than its shards,
against a real kinesd: Increase/DecreaseStreamRetentionPeriod, Enable/DisableEnhancedMonitoring,
Start/StopStreamEncryption, UpdateMaxRecordSize, UpdateStreamMode, and DescribeLimits.

Happy paths go through boto3 (and the aws CLI for some), by StreamName and by StreamARN, and are
checked through DescribeStream / DescribeStreamSummary; every setting survives a restart; the
record size limit and the capacity mode are checked by what PutRecord and the resharding
operations then do. Refused
requests go through raw HTTP and are checked for their exact type and text and for having
changed nothing. Texts are AWS's as recorded by kinesalite's tests against the real service
(retention bounds and direction, stream not ACTIVE, unknown stream, record over 1 MiB) and the
service model (validation); where AWS's text is not on record only the type is checked.
"""

import re
import unittest

from kinesd_harness import (ACCOUNT, KinesdTestCase, access_denied, b64, stream_arn,
                            stream_not_found)

MIB = 1024 * 1024
SHARD0 = "shardId-000000000000"
ALL_METRICS = sorted(["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
                      "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
                      "IteratorAgeMilliseconds"])
MUST_NOT_BE_NULL = "Value null at '%s' failed to satisfy constraint: Member must not be null"


def not_active(name, state):
    return "Stream %s under account %s not ACTIVE, instead in state %s" % (name, ACCOUNT, state)


def too_big(size, limit):
    return ("1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]' "
            "at 'data' failed to satisfy constraint: Member must have length less than or "
            "equal to %d" % (size, size, limit))


class SettingsCase(KinesdTestCase):
    """Helpers shared by both classes."""

    def summary(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]

    def settings(self, name):
        """What the settings operations may change, as DescribeStreamSummary shows it."""
        s = self.summary(name)
        return dict(retention=s["RetentionPeriodHours"],
                    metrics=sorted(s["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
                    encryption=(s["EncryptionType"], s.get("KeyId")),
                    max_record_kib=s["MaxRecordSizeInKiB"],
                    mode=s["StreamModeDetails"]["StreamMode"])

    def assert_refused_unchanged(self, name, cases):
        """CASES: (op, body, error type, text as for assert_refused); NAME's settings stay put."""
        before = self.settings(name)
        for op, body, error_type, message in cases:
            with self.subTest(op=op, body=body):
                self.assert_refused(op, body, error_type, message)
                self.assertEqual(self.settings(name), before)


class StreamSettings(SettingsCase):

    # ---- retention -----------------------------------------------------------------------------

    def test_retention_up_and_down(self):
        name = "kept"
        self.create_stream(name)
        self.assertEqual(self.settings(name)["retention"], 24)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertEqual(self.settings(name)["retention"], 48)
        self.kinesis.increase_stream_retention_period(StreamARN=stream_arn(name),
                                                      RetentionPeriodHours=8760)
        description = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(description["RetentionPeriodHours"], 8760)
        self.kinesis.decrease_stream_retention_period(StreamARN=stream_arn(name),
                                                      RetentionPeriodHours=100)
        rc, _, err = self.server.aws("decrease-stream-retention-period", "--stream-name", name,
                                     "--retention-period-hours", "72")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.settings(name)["retention"], 72)
        # Asking for the current value is allowed in both directions.
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        self.assertEqual(self.settings(name)["retention"], 72)
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)

    def test_settings_survive_restart(self):
        name, arn = "durable", stream_arn("durable")
        self.create_stream(name)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=168)
        self.kinesis.enable_enhanced_monitoring(StreamName=name,
                                                ShardLevelMetrics=["IncomingRecords"])
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                             KeyId="k" * 2048)
        self.wait_active(name)
        self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10240)
        self.wait_active(name)
        self.kinesis.update_stream_mode(StreamARN=arn,
                                        StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name)
        expected = dict(retention=168, metrics=["IncomingRecords"],
                        encryption=("KMS", "k" * 2048), max_record_kib=10240, mode="ON_DEMAND")
        self.assertEqual(self.settings(name), expected)
        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        self.wait_active(name)
        self.assertEqual(self.settings(name), expected)
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)

    def test_retention_refusals(self):
        name = "retained"
        self.create_stream(name)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        increase, decrease = "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"
        cases = []
        for op in (increase, decrease):
            cases += [
                (op, {"StreamName": name, "RetentionPeriodHours": 23}, "InvalidArgumentException",
                 "Minimum allowed retention period is 24 hours. Requested retention period "
                 "(23 hours) is too short."),
                (op, {"StreamName": name, "RetentionPeriodHours": 8761},
                 "InvalidArgumentException",
                 "Maximum allowed retention period is 8760 hours. Requested retention period "
                 "(8761 hours) is too long."),
                (op, {"StreamName": "nope", "RetentionPeriodHours": 25},
                 "ResourceNotFoundException", stream_not_found("nope")),
                (op, {"StreamARN": stream_arn("nope"), "RetentionPeriodHours": 25},
                 "ResourceNotFoundException", stream_not_found("nope")),
                (op, {"StreamARN": stream_arn(name, region="eu-west-1"),
                      "RetentionPeriodHours": 25},
                 "ResourceNotFoundException", stream_not_found(name)),
                (op, {"StreamARN": stream_arn(name, account="111111111111"),
                      "RetentionPeriodHours": 25}, "AccessDeniedException",
                 access_denied(stream_arn(name, account="111111111111"))),
                (op, {"RetentionPeriodHours": 25}, "InvalidArgumentException",
                 "Either StreamName or StreamARN must be provided."),
            ]
        cases += [
            (increase, {"StreamName": name, "RetentionPeriodHours": 47},
             "InvalidArgumentException",
             "Requested retention period (47 hours) for stream %s can not be shorter than "
             "existing retention period (48 hours). Use DecreaseRetentionPeriod API." % name),
            (decrease, {"StreamName": name, "RetentionPeriodHours": 49},
             "InvalidArgumentException",
             "Requested retention period (49 hours) for stream %s can not be longer than "
             "existing retention period (48 hours). Use IncreaseRetentionPeriod API." % name),
        ]
        self.assert_refused_unchanged(name, cases)
        for op in (increase, decrease):
            with self.subTest(op=op, case="validation"):
                self.assert_violations(self.server.post(op, {"StreamName": name}),
                                       [MUST_NOT_BE_NULL % "retentionPeriodHours"])
                long_name = "a" * 129
                self.assert_violations(
                    self.server.post(op, {"StreamName": long_name, "RetentionPeriodHours": 24}),
                    ["Value '%s' at 'streamName' failed to satisfy constraint: Member must have "
                     "length less than or equal to 128" % long_name])
        self.assertEqual(self.settings(name)["retention"], 48)
        self.kinesis.delete_stream(StreamName=name)

    # ---- enhanced monitoring -------------------------------------------------------------------

    def test_enhanced_monitoring(self):
        name = "watched"
        self.create_stream(name)
        got = self.kinesis.enable_enhanced_monitoring(
            StreamName=name, ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
        self.assertEqual((got["StreamName"], got["StreamARN"]), (name, stream_arn(name)))
        self.assertEqual(got["CurrentShardLevelMetrics"], [])
        self.assertEqual(sorted(got["DesiredShardLevelMetrics"]),
                         ["IncomingBytes", "OutgoingRecords"])
        self.assertEqual(self.settings(name)["metrics"], ["IncomingBytes", "OutgoingRecords"])
        described = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(sorted(described["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
                         ["IncomingBytes", "OutgoingRecords"])

        got = self.kinesis.disable_enhanced_monitoring(StreamARN=stream_arn(name),
                                                       ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(sorted(got["CurrentShardLevelMetrics"]),
                         ["IncomingBytes", "OutgoingRecords"])
        self.assertEqual(got["DesiredShardLevelMetrics"], ["OutgoingRecords"])

        rc, out, err = self.server.aws("enable-enhanced-monitoring", "--stream-name", name,
                                       "--shard-level-metrics", "ALL")
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(out["DesiredShardLevelMetrics"]), ALL_METRICS)
        self.assertEqual(self.settings(name)["metrics"], ALL_METRICS)
        got = self.kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual(got["DesiredShardLevelMetrics"], [])
        self.assertEqual(self.settings(name)["metrics"], [])

        self.kinesis.enable_enhanced_monitoring(StreamName=name,
                                                ShardLevelMetrics=["IteratorAgeMilliseconds"])
        enum = ("[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, "
                "WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
                "IteratorAgeMilliseconds, ALL]")
        for op in ("EnableEnhancedMonitoring", "DisableEnhancedMonitoring"):
            for body, violations in (
                    ({"StreamName": name}, [MUST_NOT_BE_NULL % "shardLevelMetrics"]),
                    ({"StreamName": name, "ShardLevelMetrics": []},
                     ["Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member "
                      "must have length greater than or equal to 1"]),
                    ({"StreamName": name, "ShardLevelMetrics": ["Bogus"]},
                     ["Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: "
                      "Member must satisfy constraint: [Member must satisfy enum value set: %s]"
                      % enum]),
                    ({"StreamName": name, "ShardLevelMetrics": ["ALL"] * 8},
                     ["Value '[%s]' at 'shardLevelMetrics' failed to satisfy constraint: Member "
                      "must have length less than or equal to 7" % ", ".join(["ALL"] * 8)])):
                with self.subTest(op=op, body=body):
                    self.assert_violations(self.server.post(op, body), violations)
            self.assert_refused_unchanged(name, [
                (op, {"StreamName": "nope", "ShardLevelMetrics": ["ALL"]},
                 "ResourceNotFoundException", stream_not_found("nope")),
                (op, {"StreamARN": stream_arn("nope"), "ShardLevelMetrics": ["ALL"]},
                 "ResourceNotFoundException", stream_not_found("nope"))])
        self.assertEqual(self.settings(name)["metrics"], ["IteratorAgeMilliseconds"])
        self.kinesis.delete_stream(StreamName=name)

    # ---- encryption ----------------------------------------------------------------------------

    def test_encryption(self):
        name = "sealed"
        self.create_stream(name)
        self.assertEqual(self.settings(name)["encryption"], ("NONE", None))
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                             KeyId="alias/aws/kinesis")
        self.wait_active(name)
        self.assertEqual(self.settings(name)["encryption"], ("KMS", "alias/aws/kinesis"))
        described = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual((described["EncryptionType"], described["KeyId"]),
                         ("KMS", "alias/aws/kinesis"))
        # Records still go in and come out as they were.
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"secret")
        records, _ = self.read_shard(name, SHARD0)
        self.assertEqual([r["Data"] for r in records], [b"secret"])

        self.assert_refused_unchanged(name, [
            ("StartStreamEncryption", {"StreamName": name, "EncryptionType": "NONE",
                                       "KeyId": "k"}, "InvalidArgumentException", None),
            ("StopStreamEncryption", {"StreamName": name, "EncryptionType": "NONE",
                                      "KeyId": "k"}, "InvalidArgumentException", None),
            ("StartStreamEncryption", {"StreamName": "nope", "EncryptionType": "KMS",
                                       "KeyId": "k"}, "ResourceNotFoundException",
             stream_not_found("nope")),
            ("StopStreamEncryption", {"StreamARN": stream_arn("nope"), "EncryptionType": "KMS",
                                      "KeyId": "k"}, "ResourceNotFoundException",
             stream_not_found("nope")),
        ])
        for op in ("StartStreamEncryption", "StopStreamEncryption"):
            for body, violations in (
                    ({"StreamName": name}, [MUST_NOT_BE_NULL % "encryptionType",
                                            MUST_NOT_BE_NULL % "keyId"]),
                    ({"StreamName": name, "EncryptionType": "BAD", "KeyId": ""},
                     ["Value 'BAD' at 'encryptionType' failed to satisfy constraint: Member "
                      "must satisfy enum value set: [NONE, KMS]",
                      "Value '' at 'keyId' failed to satisfy constraint: Member must have "
                      "length greater than or equal to 1"])):
                with self.subTest(op=op, body=body):
                    self.assert_violations(self.server.post(op, body), violations)
        self.assertEqual(self.settings(name)["encryption"], ("KMS", "alias/aws/kinesis"))

        rc, _, err = self.server.aws("stop-stream-encryption", "--stream-arn", stream_arn(name),
                                     "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis")
        self.assertEqual(rc, 0, err)
        self.wait_active(name)
        self.assertEqual(self.settings(name)["encryption"], ("NONE", None))
        self.kinesis.delete_stream(StreamName=name)

    # ---- record size ---------------------------------------------------------------------------

    def test_max_record_size(self):
        name = "roomy"
        self.create_stream(name)
        arn = stream_arn(name)
        self.assertEqual(self.settings(name)["max_record_kib"], 1024)
        big = b"b" * (2 * MIB)
        put_big = {"StreamName": name, "PartitionKey": "p", "Data": b64(big)}
        self.assert_refused("PutRecord", put_big, "ValidationException", too_big(2 * MIB, MIB))

        self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2049)
        self.wait_active(name)
        self.assertEqual(self.settings(name)["max_record_kib"], 2049)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=big)
        got = self.kinesis.put_records(StreamName=name,
                                       Records=[{"PartitionKey": "q", "Data": big}])
        self.assertEqual(got["FailedRecordCount"], 0)
        records, _ = self.read_shard(name, SHARD0)
        self.assertEqual([len(r["Data"]) for r in records], [2 * MIB, 2 * MIB])
        self.assertTrue(all(r["Data"] == big for r in records))

        rc, _, err = self.server.aws("update-max-record-size", "--stream-arn", arn,
                                     "--max-record-size-in-ki-b", "1024")
        self.assertEqual(rc, 0, err)
        self.wait_active(name)
        self.assertEqual(self.settings(name)["max_record_kib"], 1024)
        self.assert_refused("PutRecord", put_big, "ValidationException", too_big(2 * MIB, MIB))
        self.assertEqual(len(self.read_shard(name, SHARD0)[0]), 2)

        for body, violations in (
                ({"StreamARN": arn}, [MUST_NOT_BE_NULL % "maxRecordSizeInKiB"]),
                ({"StreamARN": arn, "MaxRecordSizeInKiB": 1023},
                 ["Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member "
                  "must have value greater than or equal to 1024"]),
                ({"StreamARN": arn, "MaxRecordSizeInKiB": 10241},
                 ["Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member "
                  "must have value less than or equal to 10240"])):
            with self.subTest(body=body):
                self.assert_violations(self.server.post("UpdateMaxRecordSize", body), violations)
        foreign = stream_arn(name, account="111111111111")
        self.assert_refused_unchanged(name, [
            ("UpdateMaxRecordSize", {"StreamARN": stream_arn("nope"), "MaxRecordSizeInKiB": 2048},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("UpdateMaxRecordSize", {"StreamARN": foreign, "MaxRecordSizeInKiB": 2048},
             "AccessDeniedException",
             access_denied(foreign)),
        ])
        self.kinesis.delete_stream(StreamName=name)

    # ---- capacity mode and limits --------------------------------------------------------------

    def open_shards(self):
        return sum(self.summary(n)["OpenShardCount"]
                   for n in self.kinesis.list_streams()["StreamNames"])

    def test_stream_mode_and_limits(self):
        name = "modal"
        self.create_stream(name, shards=2)
        arn = stream_arn(name)
        limits = self.kinesis.describe_limits()
        self.assertEqual(limits["ShardLimit"], 500)
        self.assertEqual(limits["OpenShardCount"], self.open_shards())
        on_demand_before = limits["OnDemandStreamCount"]
        self.assertGreater(limits["OnDemandStreamCountLimit"], 0)

        self.kinesis.update_stream_mode(StreamARN=arn,
                                        StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name)
        self.assertEqual(self.settings(name)["mode"], "ON_DEMAND")
        rc, out, err = self.server.aws("describe-limits")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["OnDemandStreamCount"], on_demand_before + 1)
        shard = self.shards(name)[0]["HashKeyRange"]
        middle = str((int(shard["StartingHashKey"]) + int(shard["EndingHashKey"])) // 2)
        split = {"StreamName": name, "ShardToSplit": SHARD0, "NewStartingHashKey": middle}
        # AWS's texts for these refusals are not on record: type, and that they name the stream.
        for op, body in (
                ("SplitShard", split),
                ("MergeShards", {"StreamName": name, "ShardToMerge": SHARD0,
                                 "AdjacentShardToMerge": "shardId-000000000001"}),
                ("UpdateShardCount", {"StreamName": name, "TargetShardCount": 4,
                                      "ScalingType": "UNIFORM_SCALING"})):
            with self.subTest(op=op):
                self.assert_refused(op, body, "ValidationException",
                                    re.compile(r"\b%s\b" % name))
        self.assertEqual(len(self.shards(name)), 2)

        rc, _, err = self.server.aws("update-stream-mode", "--stream-arn", arn,
                                     "--stream-mode-details", "StreamMode=PROVISIONED")
        self.assertEqual(rc, 0, err)
        self.wait_active(name)
        self.assertEqual(self.settings(name)["mode"], "PROVISIONED")
        self.assertEqual(self.kinesis.describe_limits()["OnDemandStreamCount"], on_demand_before)
        self.assertEqual(self.server.post("SplitShard", split)[0], 200)
        self.wait_active(name)
        self.assertEqual(len(self.shards(name)), 4)
        self.assertEqual(self.kinesis.describe_limits()["OpenShardCount"], self.open_shards())

        for body, violations in (
                ({}, [MUST_NOT_BE_NULL % "streamARN", MUST_NOT_BE_NULL % "streamModeDetails"]),
                ({"StreamARN": arn, "StreamModeDetails": {}},
                 [MUST_NOT_BE_NULL % "streamModeDetails.streamMode"]),
                ({"StreamARN": arn, "StreamModeDetails": {"StreamMode": "X"}},
                 ["Value 'X' at 'streamModeDetails.streamMode' failed to satisfy constraint: "
                  "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"])):
            with self.subTest(body=body):
                self.assert_violations(self.server.post("UpdateStreamMode", body), violations)
        self.assert_refused_unchanged(name, [
            ("UpdateStreamMode", {"StreamARN": stream_arn("nope"),
                                  "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("UpdateStreamMode", {"StreamARN": stream_arn(name, region="eu-west-1"),
                                  "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
             "ResourceNotFoundException", stream_not_found(name)),
        ])
        self.kinesis.delete_stream(StreamName=name)


class NotActive(SettingsCase):
    """Streams stay CREATING / UPDATING for a while: every settings change is refused then."""

    SERVER_ARGS = dict(transition_ms=800)

    def changes(self, name):
        arn = stream_arn(name)
        return [
            ("IncreaseStreamRetentionPeriod", {"StreamName": name, "RetentionPeriodHours": 48}),
            ("DecreaseStreamRetentionPeriod", {"StreamARN": arn, "RetentionPeriodHours": 24}),
            ("EnableEnhancedMonitoring", {"StreamName": name, "ShardLevelMetrics": ["ALL"]}),
            ("DisableEnhancedMonitoring", {"StreamName": name, "ShardLevelMetrics": ["ALL"]}),
            ("StartStreamEncryption", {"StreamName": name, "EncryptionType": "KMS",
                                       "KeyId": "alias/aws/kinesis"}),
            ("StopStreamEncryption", {"StreamName": name, "EncryptionType": "KMS",
                                      "KeyId": "alias/aws/kinesis"}),
            ("UpdateMaxRecordSize", {"StreamARN": arn, "MaxRecordSizeInKiB": 4096}),
            ("UpdateStreamMode", {"StreamARN": arn,
                                  "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}),
        ]

    def assert_all_refused(self, name, state):
        self.assertEqual(self.summary(name)["StreamStatus"], state)
        self.assert_refused_unchanged(name, [
            (op, body, "ResourceInUseException", not_active(name, state))
            for op, body in self.changes(name)])

    def test_creating_and_updating_streams_refuse_changes(self):
        name = "busy"
        self.assertEqual(self.server.post("CreateStream", {"StreamName": name,
                                                           "ShardCount": 1})[0], 200)
        self.assert_all_refused(name, "CREATING")
        self.wait_active(name)
        before = self.settings(name)
        self.kinesis.update_max_record_size(StreamARN=stream_arn(name), MaxRecordSizeInKiB=3072)
        self.assert_all_refused(name, "UPDATING")
        self.wait_active(name)
        self.assertEqual(self.settings(name), dict(before, max_record_kib=3072))
        self.kinesis.delete_stream(StreamName=name)


if __name__ == "__main__":
    unittest.main()
