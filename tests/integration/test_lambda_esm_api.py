"""The event source mapping API: AWS's errors for bad input with nothing created, the states a
mapping goes through (Creating, Updating, Disabling, Enabling, Deleting), listing by function
and by source with paging."""

import datetime
import os
import sqlite3
import sys
import time
import unittest

from lambda_fixtures import BASH_BOOTSTRAP, EsmTestCase

NOT_FOUND = "The resource you requested does not exist."


class EsmBadInputTest(EsmTestCase):
    SERVER_ARGS = {"extra_args": ["--lambda-python", sys.executable]}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unchecked = cls.server.client("lambda", parameter_validation=False)

    def setUp(self):
        if "bad-fn" not in [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]:
            self.create_function("bad-fn", "provided.al2023", "x", {"bootstrap": BASH_BOOTSTRAP})
            self.create_stream("bad-stream")

    def assert_refused(self, error_type, message, status=400, client=None, **kwargs):
        args = dict(FunctionName="bad-fn", EventSourceArn=self.stream_arn("bad-stream"),
                    StartingPosition="TRIM_HORIZON")
        args.update(kwargs)
        args = {k: v for k, v in args.items() if v is not None}
        with self.assertRaises(self.lam.exceptions.ClientError) as ctx:
            (client or self.lam).create_event_source_mapping(**args)
        error = ctx.exception.response
        self.assertEqual(error["Error"]["Code"], error_type)
        self.assertEqual(error["Error"]["Message"], message)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)

    def stored_mappings(self):
        db = sqlite3.connect(os.path.join(self.server.data_dir, "lambda.sqlite"))
        try:
            return db.execute("SELECT count(*) FROM event_source_mappings").fetchone()[0]
        finally:
            db.close()

    def test_bad_input_creates_nothing(self):
        self.assert_refused("ValidationException",
                            "1 validation error detected: Value '0' at 'batchSize' failed to "
                            "satisfy constraint: Member must have value greater than or equal "
                            "to 1", client=self.unchecked, BatchSize=0)
        self.assert_refused("ValidationException",
                            "1 validation error detected: Value '10001' at 'batchSize' failed to "
                            "satisfy constraint: Member must have value less than or equal to "
                            "10000", BatchSize=10001)
        missing = self.stream_arn("no-such-stream")
        self.assert_refused("InvalidParameterValueException", "Stream not found: " + missing,
                            EventSourceArn=missing)
        self.assert_refused("InvalidParameterValueException", "Function does not exist",
                            FunctionName="no-such-fn")
        self.assert_refused("InvalidParameterValueException", "Function does not exist",
                            FunctionName="bad-fn:7")
        for pattern in ['not json', '{"data": "x"}', '{"data": {"n": [{"numeric": [">", "a"]}]}}',
                        '{"data": {"n": [{"nonsense": 1}]}}', '{}', '{"$or": [{"a": [1]}]}']:
            self.assert_refused("InvalidParameterValueException",
                                "Invalid filter pattern definition.",
                                FilterCriteria={"Filters": [{"Pattern": pattern}]})
        self.assert_refused("InvalidParameterValueException",
                            "1 validation error detected: Value null at 'startingPosition' failed "
                            "to satisfy constraint: Member must not be null.",
                            StartingPosition=None)
        self.assert_refused("InvalidParameterValueException",
                            "Timestamp only valid with StartingPosition AT_TIMESTAMP",
                            StartingPositionTimestamp=datetime.datetime.now())
        self.assert_refused("InvalidParameterValueException",
                            "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.",
                            MaximumRecordAgeInSeconds=30)
        self.assert_refused("InvalidParameterValueException",
                            "Unsupported DestinationConfig parameter for given event source "
                            "mapping type.",
                            DestinationConfig={"OnSuccess": {"Destination": self.stream_arn(
                                "bad-stream")}})
        self.assertEqual(self.lam.list_event_source_mappings()["EventSourceMappings"], [])
        self.assertEqual(self.stored_mappings(), 0)

    def test_aws_cli_errors(self):
        rc, _, err = self.server.aws(
            "create-event-source-mapping", "--function-name", "bad-fn", "--event-source-arn",
            self.stream_arn("bad-stream"), "--starting-position", "LATEST", "--batch-size",
            "10001", service="lambda")
        self.assertNotEqual(rc, 0)
        self.assertIn("ValidationException", err)
        rc, _, err = self.server.aws("get-event-source-mapping", "--uuid",
                                     "8f1c2d3e-0000-4000-8000-000000000000", service="lambda")
        self.assertNotEqual(rc, 0)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn(NOT_FOUND, err)

    def test_duplicate_and_unknown_mappings(self):
        first = self.lam.create_event_source_mapping(
            FunctionName="bad-fn", EventSourceArn=self.stream_arn("bad-stream"),
            StartingPosition="LATEST")
        self.addCleanup(self.lam.delete_event_source_mapping, UUID=first["UUID"])
        self.assert_refused(
            "ResourceConflictException",
            'The event source arn (" %s ") and function (" bad-fn ") provided mapping already '
            "exists. Please update or delete the existing mapping with UUID %s"
            % (self.stream_arn("bad-stream"), first["UUID"]), status=409)
        unknown = "8f1c2d3e-0000-4000-8000-000000000000"
        for call in (lambda: self.lam.get_event_source_mapping(UUID=unknown),
                     lambda: self.lam.update_event_source_mapping(UUID=unknown, BatchSize=5),
                     lambda: self.lam.delete_event_source_mapping(UUID=unknown)):
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
                call()
            self.assertEqual(ctx.exception.response["Error"]["Message"], NOT_FOUND)
            self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            self.lam.update_event_source_mapping(UUID=first["UUID"],
                                                 FilterCriteria={"Filters": [{"Pattern": "{"}]})
        self.assertEqual(self.lam.get_event_source_mapping(UUID=first["UUID"])["BatchSize"], 100)

    def test_status_route_wants_the_callers_own_account(self):
        status, body = self.triggers_route(authorization=None)
        self.assertEqual(status, 400)
        self.assertIn(b"MissingAuthenticationTokenException", body)
        self.assertEqual(self.triggers_route(account="111111111111")[0], 403)
        self.assertEqual(self.triggers(), [])


class EsmStatesTest(EsmTestCase):
    """With --transition-ms, a mapping's changes take time, as on AWS."""
    SERVER_ARGS = {"transition_ms": 300, "extra_args": ["--lambda-python", sys.executable]}

    def wait_state(self, uuid, state):
        return self.wait_for(state, lambda: self.lam.get_event_source_mapping(
            UUID=uuid)["State"] == state, timeout_s=10)

    def test_states_and_listing(self):
        self.create_function("states-fn", "provided.al2023", "x", {"bootstrap": BASH_BOOTSTRAP})
        self.create_stream("states-a")
        self.create_stream("states-b")
        created = self.lam.create_event_source_mapping(
            FunctionName="states-fn", EventSourceArn=self.stream_arn("states-a"),
            StartingPosition="LATEST")
        uuid = created["UUID"]
        self.assertEqual(created["State"], "Creating")
        self.assertEqual(created["LastProcessingResult"], "No records processed")
        self.assertEqual(created["FunctionResponseTypes"], [])
        self.assertEqual(created["DestinationConfig"], {"OnFailure": {}})
        self.assertEqual(created["MaximumRetryAttempts"], -1)
        self.assertEqual(created["MaximumRecordAgeInSeconds"], -1)
        self.assertEqual(created["ParallelizationFactor"], 1)
        self.assertRegex(created["EventSourceMappingArn"],
                         r"^arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + uuid)
        with self.assertRaises(self.lam.exceptions.ResourceInUseException) as ctx:
            self.lam.delete_event_source_mapping(UUID=uuid)
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Cannot delete the event source mapping because it is in use.")
        self.wait_state(uuid, "Enabled")
        updated = self.lam.update_event_source_mapping(UUID=uuid, BatchSize=7)
        self.assertEqual((updated["State"], updated["BatchSize"]), ("Updating", 7))
        with self.assertRaises(self.lam.exceptions.ResourceInUseException) as ctx:
            self.lam.update_event_source_mapping(UUID=uuid, BatchSize=8)
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Cannot update the event source mapping because it is in use.")
        self.wait_state(uuid, "Enabled")
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"],
                         "Disabling")
        self.wait_state(uuid, "Disabled")
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"],
                         "Enabling")
        self.wait_state(uuid, "Enabled")

        other = self.lam.create_event_source_mapping(
            FunctionName="states-fn", EventSourceArn=self.stream_arn("states-b"),
            StartingPosition="TRIM_HORIZON", Enabled=False)["UUID"]
        self.wait_state(other, "Disabled")
        by_source = self.lam.list_event_source_mappings(EventSourceArn=self.stream_arn("states-b"))
        self.assertEqual([m["UUID"] for m in by_source["EventSourceMappings"]], [other])
        by_function = self.lam.list_event_source_mappings(FunctionName="states-fn")
        self.assertEqual(sorted(m["UUID"] for m in by_function["EventSourceMappings"]),
                         sorted([uuid, other]))
        page = self.lam.list_event_source_mappings(FunctionName="states-fn", MaxItems=1)
        self.assertEqual(len(page["EventSourceMappings"]), 1)
        rest = self.lam.list_event_source_mappings(FunctionName="states-fn", MaxItems=1,
                                                   Marker=page["NextMarker"])
        self.assertEqual({page["EventSourceMappings"][0]["UUID"],
                          rest["EventSourceMappings"][0]["UUID"]}, {uuid, other})

        for gone in (uuid, other):
            self.assertEqual(self.lam.delete_event_source_mapping(UUID=gone)["State"], "Deleting")
        deadline = time.monotonic() + 10
        while self.lam.list_event_source_mappings()["EventSourceMappings"]:
            self.assertLess(time.monotonic(), deadline, "the mappings were not deleted")
            time.sleep(0.1)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_event_source_mapping(UUID=uuid)


if __name__ == "__main__":
    unittest.main()
