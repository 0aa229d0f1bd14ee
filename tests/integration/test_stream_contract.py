"""test_stream_contract - per-stream contracts, kinesd's extension (docs/contracts.md), against a
real kinesd: PutStreamContract / GetStreamContract / DeleteStreamContract over the wire and with
`kinesctl stream contract`; PutRecord of a record that does not match refused with
InvalidArgumentException naming every failing path, nothing stored; PutRecords answering such
records as failed entries while the others are stored in order; the refusals counted
(ContractRejectedRecords); the contract surviving a restart and going with its stream; bad
contracts refused; CheckStreamContract answering each record as a put would, storing nothing (JSON
and CBOR), and its bad inputs; and in verify mode the contract operations authorized as kinesis
actions (CheckStreamContract as kinesis:GetStreamContract).
"""

import base64
import json
import os
import re
import shutil
import tempfile
import time
import urllib.request

from iam_fixture import ACCOUNT, VerifyTestCase, denied
from kinesd_harness import KinesdTestCase, cbor_decode, cbor_map, stream_arn
from test_kinesctl import (EXIT_AUTH, EXIT_BAD_INPUT, EXIT_NOT_FOUND, EXIT_OK, clean_env,
                           kinesctl, write_file)

MESSAGE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["messageId", "payload", "timestamp"],
    "properties": {
        "messageId": {"type": "string", "minLength": 1},
        "timestamp": {"type": "string", "format": "date-time"},
        "payload": {"$ref": "#/definitions/email"},
    },
    "definitions": {"email": {
        "type": "object", "required": ["sender", "recipient"],
        "properties": {"sender": {"type": "string"}, "recipient": {"type": "string"}},
        "additionalProperties": False}},
}
GOOD = {"messageId": "m-1", "timestamp": "2026-01-31T12:00:00.000Z",
        "payload": {"sender": "a@example.com", "recipient": "b@example.com"}}
BAD = {"messageId": "m-2", "timestamp": "yesterday", "payload": {"sender": "a@example.com"}}
BAD_ERRORS = ("Record does not match the contract of stream %s: /payload/recipient: required "
              "property missing (schema #/definitions/email/required)")


def data(value):
    return json.dumps(value).encode()


def check_body(name, values):
    """CheckStreamContract's input for records whose data are VALUES (JSON-able, or bytes)."""
    return {"StreamName": name, "Records": [
        {"Data": base64.b64encode(v if isinstance(v, bytes) else data(v)).decode()}
        for v in values]}


def cbor_bytes(raw):
    assert len(raw) < 256
    return (bytes([0x40 | len(raw)]) if len(raw) < 24 else bytes([0x58, len(raw)])) + raw


def signed_post(server, credentials, target, body):
    """server.post of BODY to TARGET, signed with SigV4 by CREDENTIALS (key id, secret)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    text = json.dumps(body)
    request = AWSRequest("POST", server.endpoint + "/", data=text, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202." + target})
    SigV4Auth(Credentials(*credentials), "kinesis", "us-east-1").add_auth(request)
    return server.post(target, text, headers=dict(request.headers.items()))


class ContractTest(KinesdTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kinesd-contract-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def put_contract(self, name, schema=MESSAGE, **extra):
        body = dict(StreamName=name, Schema=schema if isinstance(schema, str)
                    else json.dumps(schema), **extra)
        return self.server.post("PutStreamContract", body)

    def with_contract(self, name, shards=1, **extra):
        self.create_stream(name, shards)
        status, _, body = self.put_contract(name, **extra)
        self.assertEqual(status, 200, body)

    def stored(self, name):
        return [json.loads(r["Data"]) for sh in self.shards(name)
                for r in self.read_shard(name, sh["ShardId"])[0]]

    def test_put_record_refused_with_every_path_and_nothing_stored(self):
        self.with_contract("c-put")
        put = dict(StreamName="c-put", PartitionKey="k")
        self.assert_aws_error(
            self.server.post("PutRecord", dict(put, Data=base64.b64encode(data(BAD)).decode())),
            400, "InvalidArgumentException", BAD_ERRORS % "c-put")
        self.assert_aws_error(
            self.server.post("PutRecord", dict(put, Data=base64.b64encode(b"\x01\x02").decode())),
            400, "InvalidArgumentException",
            "Record does not match the contract of stream c-put: /: not JSON: unexpected "
            "character at byte 0")
        self.kinesis.put_record(Data=data(GOOD), **put)
        self.assertEqual(self.stored("c-put"), [GOOD])

    def test_put_records_answers_refused_entries_and_stores_the_others_in_order(self):
        self.with_contract("c-batch", shards=2)
        records = [GOOD, BAD, dict(GOOD, messageId="m-3"), {"messageId": 7}]
        answer = self.kinesis.put_records(StreamName="c-batch", Records=[
            {"Data": data(r), "PartitionKey": "same-key"} for r in records])
        self.assertEqual(answer["FailedRecordCount"], 2)
        entries = answer["Records"]
        self.assertEqual([e.get("ErrorCode") for e in entries],
                         [None, "InvalidArgumentException", None, "InvalidArgumentException"])
        self.assertEqual(entries[1]["ErrorMessage"], BAD_ERRORS % "c-batch")
        self.assertEqual(
            entries[3]["ErrorMessage"],
            "Record does not match the contract of stream c-batch: /payload: required property "
            "missing (schema #/required); /timestamp: required property missing (schema "
            "#/required); /messageId: expected string, got number (schema "
            "#/properties/messageId/type)")
        self.assertLess(int(entries[0]["SequenceNumber"]), int(entries[2]["SequenceNumber"]))
        self.assertEqual(self.stored("c-batch"), [records[0], records[2]])
        self.assert_rejections_counted("c-batch", 2)

    def assert_rejections_counted(self, name, count):
        line = re.compile(r'^kinesd_contract_rejected_records_total\{account="%s",'
                          r'region="us-east-1",stream="%s"\} (\d+)' % (ACCOUNT, name), re.M)
        deadline = time.monotonic() + 30
        while True:  # the collector publishes once a second
            with urllib.request.urlopen(self.server.endpoint + "/metrics", timeout=10) as resp:
                found = line.search(resp.read().decode())
            if found and int(found.group(1)) == count:
                return
            if time.monotonic() > deadline:
                self.fail("ContractRejectedRecords of %s: %s, not %d"
                          % (name, found and found.group(1), count))
            time.sleep(0.2)

    def test_format_assertion_and_replacing_and_removing(self):
        self.with_contract("c-format", AssertFormat=True)
        put = dict(StreamName="c-format", PartitionKey="k")
        refused = self.server.post("PutRecord", dict(put, Data=base64.b64encode(
            data(dict(GOOD, timestamp="yesterday"))).decode()))
        self.assert_aws_error(refused, 400, "InvalidArgumentException",
                              "Record does not match the contract of stream c-format: "
                              "/timestamp: not a valid date-time (schema "
                              "#/properties/timestamp/format)")
        got = self.server.post("GetStreamContract", {"StreamName": "c-format"})[2]
        self.assertEqual((json.loads(got["Schema"]), got["AssertFormat"]), (MESSAGE, True))
        self.assertAlmostEqual(got["LastUpdatedTimestamp"], time.time(), delta=60)

        self.assertEqual(self.put_contract("c-format", {"type": "array"})[0], 200)
        self.kinesis.put_record(Data=b"[1]", **put)
        self.assertEqual(self.server.post("DeleteStreamContract",
                                          {"StreamARN": stream_arn("c-format")})[0], 200)
        self.kinesis.put_record(Data=b"not json at all", **put)
        self.assertEqual(self.server.post("GetStreamContract", {"StreamName": "c-format"})[2],
                         {})

    def test_the_contract_survives_a_restart_and_goes_with_its_stream(self):
        self.with_contract("c-durable")
        self.server.stop()
        self.server.restart()
        self.kinesis = self.server.client()
        refused = self.server.post("PutRecord", {"StreamName": "c-durable", "PartitionKey": "k",
                                                 "Data": base64.b64encode(data(BAD)).decode()})
        self.assert_aws_error(refused, 400, "InvalidArgumentException", BAD_ERRORS % "c-durable")
        self.kinesis.delete_stream(StreamName="c-durable")
        self.wait_gone("c-durable")
        self.create_stream("c-durable")
        self.kinesis.put_record(StreamName="c-durable", PartitionKey="k", Data=data(BAD))
        self.assertEqual(self.server.post("GetStreamContract", {"StreamName": "c-durable"})[2],
                         {})

    def test_bad_contracts_are_refused_and_change_nothing(self):
        self.with_contract("c-bad")
        cases = [
            ("{not json", "InvalidArgumentException",
             "The contract is not a usable JSON Schema: not JSON: expected a member name at "
             "byte 1"),
            ('{"type": "objec"}', "InvalidArgumentException",
             "The contract is not a usable JSON Schema: #/type: must name JSON types"),
            ('{"$schema": "http://example.com/my-draft"}', "InvalidArgumentException",
             "The contract is not a usable JSON Schema: "),
            ('{"$ref": "common.json#/definitions/source"}', "InvalidArgumentException",
             'The contract is not a usable JSON Schema: #/$ref: $ref "common.json'),
            ('{"$ref": "file:///etc/passwd"}', "InvalidArgumentException",
             'The contract is not a usable JSON Schema: #/$ref: $ref "file:///etc/passwd": no '
             'schema is known'),
            ('{"pattern": "(unclosed"}', "InvalidArgumentException",
             "The contract is not a usable JSON Schema: #/pattern: "),
            ("x" * (256 * 1024 + 1), "ValidationException",
             "1 validation error detected: Value '"),
        ]
        for schema, error, prefix in cases:
            with self.subTest(schema=schema[:40]):
                response = self.put_contract("c-bad", schema)
                self.assert_aws_error(response, 400, error)
                self.assertTrue(response[2]["message"].startswith(prefix), response[2])
        self.assert_aws_error(self.server.post("PutStreamContract", {"StreamName": "c-bad"}), 400,
                              "ValidationException",
                              "1 validation error detected: Value null at 'schema' failed to "
                              "satisfy constraint: Member must not be null")
        self.assert_aws_error(self.put_contract("c-missing"), 400, "ResourceNotFoundException",
                              "Stream c-missing under account %s not found." % ACCOUNT)
        got = self.server.post("GetStreamContract", {"StreamName": "c-bad"})[2]
        self.assertEqual(json.loads(got["Schema"]), MESSAGE)  # unchanged

    def test_a_stream_without_contract(self):
        self.create_stream("c-none")
        self.assert_aws_error(self.server.post("DeleteStreamContract", {"StreamName": "c-none"}),
                              400, "ResourceNotFoundException",
                              "Stream c-none under account %s has no contract." % ACCOUNT)

    def test_check_answers_each_record_as_a_put_would_and_stores_nothing(self):
        self.with_contract("c-check")
        values = [GOOD, BAD, b"\x01\x02", {"messageId": 7}, dict(GOOD, messageId="m-3")]
        status, _, got = self.server.post("CheckStreamContract", check_body("c-check", values))
        self.assertEqual(status, 200, got)
        self.assertEqual(self.stored("c-check"), [])
        contract = self.server.post("GetStreamContract", {"StreamName": "c-check"})[2]
        self.assertEqual(got["LastUpdatedTimestamp"], contract["LastUpdatedTimestamp"])
        self.assertEqual([r["Admitted"] for r in got["Results"]],
                         [True, False, False, False, True])
        self.assertEqual([r.get("ErrorMessage") for r in got["Results"]][:2],
                         [None, BAD_ERRORS % "c-check"])
        put = self.kinesis.put_records(StreamName="c-check", Records=[
            {"Data": v if isinstance(v, bytes) else data(v), "PartitionKey": "k"}
            for v in values])
        self.assertEqual([r.get("ErrorMessage") for r in got["Results"]],
                         [e.get("ErrorMessage") for e in put["Records"]])
        by_arn = dict(check_body("c-check", [BAD]), StreamARN=stream_arn("c-check"))
        del by_arn["StreamName"]
        status, _, again = self.server.post("CheckStreamContract", by_arn)
        self.assertEqual((status, again["Results"]), (200, got["Results"][1:2]))

    def test_check_in_cbor(self):
        self.with_contract("c-check-cbor")
        records = b"\x82" + b"".join(cbor_map([("Data", cbor_bytes(data(v)))]) for v in (BAD, GOOD))
        status, _, raw = self.server.post(
            "CheckStreamContract", cbor_map([("StreamName", "c-check-cbor"), ("Records", records)]),
            headers={"Content-Type": "application/x-amz-cbor-1.1"})
        got = cbor_decode(raw)
        self.assertEqual(status, 200, got)
        self.assertEqual(got["Results"], [
            {"Admitted": False, "ErrorMessage": BAD_ERRORS % "c-check-cbor"}, {"Admitted": True}])
        contract = self.server.post("GetStreamContract", {"StreamName": "c-check-cbor"})[2]
        self.assertEqual(got["LastUpdatedTimestamp"],
                         round(contract["LastUpdatedTimestamp"] * 1000))

    def test_check_refuses_bad_input(self):
        self.create_stream("c-check-none")
        self.assert_refused("CheckStreamContract", check_body("c-check-none", [GOOD]),
                            "ResourceNotFoundException",
                            "Stream c-check-none under account %s has no contract." % ACCOUNT)
        self.assert_refused("CheckStreamContract", check_body("c-check-missing", [GOOD]),
                            "ResourceNotFoundException",
                            "Stream c-check-missing under account %s not found." % ACCOUNT)
        self.with_contract("c-check-bad")
        self.assert_refused("CheckStreamContract", check_body("c-check-bad", []),
                            "ValidationException",
                            "1 validation error detected: Value '[]' at 'records' failed to "
                            "satisfy constraint: Member must have length greater than or equal "
                            "to 1")
        self.assert_refused("CheckStreamContract", check_body("c-check-bad", [GOOD] * 501),
                            "ValidationException",
                            re.compile(r"^1 validation error detected: Value '\[.*\]' at "
                                       r"'records' failed to satisfy constraint: Member must have "
                                       r"length less than or equal to 500$"))
        self.assert_refused("CheckStreamContract",
                            {"StreamName": "c-check-bad", "Records": [{"Data": "e30="}, {}]},
                            "ValidationException",
                            "1 validation error detected: Value null at 'records.2.member.data' "
                            "failed to satisfy constraint: Member must not be null")
        self.assert_refused("CheckStreamContract", {"StreamName": "c-check-bad"},
                            "ValidationException",
                            "1 validation error detected: Value null at 'records' failed to "
                            "satisfy constraint: Member must not be null")

    def test_kinesctl_stream_contract(self):
        self.create_stream("c-cli")
        schema = write_file(self.dir, "message.json", MESSAGE)
        rc, out, err = kinesctl(self.server.endpoint, "stream", "contract", "set", "c-cli", schema)
        self.assertEqual((rc, out), (EXIT_OK, "stream c-cli takes only records that match %s\n"
                                     % schema), err)
        rc, out, _ = kinesctl(self.server.endpoint, "stream", "contract", "get", "c-cli")
        self.assertEqual((rc, json.loads(out)), (EXIT_OK, MESSAGE))
        rc, out, _ = kinesctl(self.server.endpoint, "stream", "contract", "get", "c-cli",
                              "--output", "json")
        got = json.loads(out)
        self.assertEqual((got["StreamName"], got["Schema"], got["AssertFormat"]),
                         ("c-cli", MESSAGE, False))
        rc, _, err = kinesctl(self.server.endpoint, "put", "c-cli", json.dumps(BAD),
                              "--partition-key", "k")
        self.assertNotEqual(rc, EXIT_OK)
        self.assertIn(BAD_ERRORS % "c-cli", err)

        broken = write_file(self.dir, "broken.json", '{"type": 5}')
        rc, _, err = kinesctl(self.server.endpoint, "stream", "contract", "set", "c-cli", broken)
        self.assertEqual(rc, EXIT_BAD_INPUT, err)
        self.assertIn("InvalidArgumentException: The contract is not a usable JSON Schema: "
                      "#/type: must name JSON types", err)
        rc, out, _ = kinesctl(self.server.endpoint, "stream", "contract", "remove", "c-cli")
        self.assertEqual((rc, out), (EXIT_OK, "stream c-cli has no contract any more\n"))
        rc, out, _ = kinesctl(self.server.endpoint, "stream", "contract", "get", "c-cli")
        self.assertEqual((rc, out), (EXIT_OK, "stream c-cli has no contract\n"))
        rc, _, err = kinesctl(self.server.endpoint, "stream", "contract", "remove", "c-cli")
        self.assertEqual(rc, EXIT_NOT_FOUND, err)


class ContractTransitionTest(KinesdTestCase):
    SERVER_ARGS = {"transition_ms": 60000}

    def test_a_stream_not_active_takes_no_contract(self):
        self.kinesis.create_stream(StreamName="c-creating", ShardCount=1)
        body = {"StreamName": "c-creating", "Schema": json.dumps(MESSAGE)}
        self.assert_aws_error(self.server.post("PutStreamContract", body), 400,
                              "ResourceInUseException")
        self.assertEqual(self.server.post("GetStreamContract", {"StreamName": "c-creating"})[2],
                         {})


class ContractAuthorizationTest(VerifyTestCase):
    def test_contract_operations_are_kinesis_actions(self):
        self.create_stream("c-auth")
        arn = stream_arn("c-auth")
        producer = self.user_with_policy("producer", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:GetStreamContract"],
             "Resource": arn}]})
        env = clean_env(AWS_ACCESS_KEY_ID=producer[0], AWS_SECRET_ACCESS_KEY=producer[1])
        tmp = tempfile.mkdtemp(prefix="kinesd-contract-")
        self.addCleanup(shutil.rmtree, tmp, True)
        schema = write_file(tmp, "message.json", MESSAGE)
        rc, _, err = kinesctl(self.server.endpoint, "stream", "contract", "set", "c-auth", schema,
                              env=env)
        self.assertEqual(rc, EXIT_AUTH, err)
        self.assertIn(denied("arn:aws:iam::%s:user/producer" % ACCOUNT,
                             "kinesis:PutStreamContract", arn), err)
        root = clean_env(AWS_ACCESS_KEY_ID=self.server.env["KINESD_ROOT_ACCESS_KEY_ID"],
                         AWS_SECRET_ACCESS_KEY=self.server.env["KINESD_ROOT_SECRET_ACCESS_KEY"])
        rc, _, err = kinesctl(self.server.endpoint, "stream", "contract", "set", "c-auth", schema,
                              env=root)
        self.assertEqual(rc, EXIT_OK, err)
        rc, out, err = kinesctl(self.server.endpoint, "stream", "contract", "get", "c-auth",
                                env=env)
        self.assertEqual((rc, json.loads(out)), (EXIT_OK, MESSAGE), err)

        status, _, got = signed_post(self.server, producer, "CheckStreamContract",
                                     check_body("c-auth", [BAD]))
        self.assertEqual((status, got["Results"][0]["ErrorMessage"]),
                         (200, BAD_ERRORS % "c-auth"), got)
        reader = self.user_with_policy("reader", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:DescribeStream*"],
             "Resource": arn}]})
        self.assert_aws_error(signed_post(self.server, reader, "CheckStreamContract",
                                          check_body("c-auth", [BAD])),
                              400, "AccessDeniedException",
                              denied("arn:aws:iam::%s:user/reader" % ACCOUNT,
                                     "kinesis:GetStreamContract", arn))


if __name__ == "__main__":
    import unittest

    unittest.main()
