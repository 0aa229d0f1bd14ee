"""test_kinesctl_schema - JSON Schema in kinesctl: `schema validate`, and `put --schema` /
`dispatch --schema` against a real kinesd, where a record that does not match is refused before
anything is sent (its line number and every error on stderr, exit code 8, nothing stored).
"""

import json
import os
import shutil
import tempfile
import unittest

from kinesd_harness import KinesdTestCase
from test_kinesctl import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, kinesctl, write_file

# The canonical event envelope (draft 04), its source block in a second file of the folder.
ENVELOPE = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["id", "type", "timestamp", "data", "source"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"},
        "type": {"type": "string", "minLength": 1},
        "timestamp": {"type": "string", "format": "date-time"},
        "data": {"type": "object", "required": ["orderId"],
                 "properties": {"orderId": {"type": "integer"}}},
        "source": {"$ref": "common.json#/definitions/source"},
    },
}
COMMON = {"definitions": {"source": {
    "type": "object", "required": ["userId", "producerId", "kinesisPartitionKey"],
    "properties": {"userId": {"type": ["string", "null"]},
                   "producerId": {"type": ["string", "null"]},
                   "kinesisPartitionKey": {"type": "string"}}}}}
ORDER = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}},
         "additionalProperties": False}


class SchemaFiles:
    """A temporary folder of schema and instance files."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kinesctl-schema-")

    def write(self, name, content):
        return write_file(self.dir, name, content)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class SchemaValidateTest(unittest.TestCase):
    """`kinesctl schema validate`: no server involved."""

    def setUp(self):
        self.files = SchemaFiles()
        self.addCleanup(self.files.close)
        self.envelope = self.files.write("envelope.json", ENVELOPE)
        self.files.write("common.json", COMMON)

    def validate(self, *args):
        return kinesctl(None, "schema", "validate", *args)

    def test_valid_instances(self):
        good = self.files.write("good.json", {
            "id": "6f1c2b9e-1d2c-4a3b-8c4d-5e6f7a8b9c0d", "type": "order.created",
            "timestamp": "2026-11-26T07:00:00.123Z", "data": {"orderId": 42},
            "source": {"userId": None, "producerId": "shop", "kinesisPartitionKey": "k"}})
        rc, out, err = self.validate(self.envelope, good, good)
        self.assertEqual((rc, out, err), (EXIT_OK, "2 valid, 0 invalid\n", ""))

    def test_every_error_with_paths(self):
        bad = self.files.write("bad.json", {"id": "x", "type": "", "data": {},
                                            "source": {"userId": 5}})
        rc, out, err = self.validate(self.envelope, bad)
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertEqual(out, "0 valid, 1 invalid\n")
        lines = err.splitlines()
        for expected in [
                "/timestamp: required property missing (schema #/required)",
                "/id: does not match the pattern /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/"
                " (schema #/properties/id/pattern)",
                "/type: shorter than 1 character (schema #/properties/type/minLength)",
                "/data/orderId: required property missing "
                "(schema #/properties/data/required)",
                "/source/kinesisPartitionKey: required property missing "
                "(schema common.json#/definitions/source/required)",
                "/source/userId: expected null or string, got number "
                "(schema common.json#/definitions/source/properties/userId/type)"]:
            self.assertIn("kinesctl: error: %s: %s" % (bad, expected), lines)
        self.assertEqual(len(lines), 7)  # and /source/producerId

    def test_jsonl_names_lines_and_json_output(self):
        lines = self.files.write("orders.jsonl", '{"id": 1}\n\n{"id": "2"}\r\n{"id": 3, "x": 0}\n')
        order = self.files.write("order.json", ORDER)
        rc, out, err = self.validate(order, lines, "--jsonl")
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertEqual(out, "1 valid, 2 invalid\n")
        self.assertEqual(err.splitlines(), [
            "kinesctl: error: %s:3: /id: expected integer, got string "
            "(schema #/properties/id/type)" % lines,
            "kinesctl: error: %s:4: /x: property not allowed (schema #/additionalProperties)"
            % lines])
        rc, out, _ = self.validate(order, lines, "--jsonl", "--output", "json")
        report = json.loads(out)
        self.assertEqual((report["Valid"], report["Invalid"]), (1, 2))
        self.assertEqual(report["Instances"][1]["Errors"], [{
            "InstancePath": "/id", "SchemaPath": "#/properties/id/type", "Keyword": "type",
            "Message": "expected integer, got string"}])

    def test_draft_and_format_options(self):
        integer = self.files.write("integer.json", {"type": "integer"})
        one = self.files.write("one.json", "1.0")
        self.assertEqual(self.validate(integer, one)[0], EXIT_OK)  # 2020-12: 1.0 is an integer
        self.assertEqual(self.validate(integer, one, "--draft", "4")[0], EXIT_BAD_INPUT)
        date = self.files.write("date.json", {"format": "date"})
        bad_date = self.files.write("bad-date.json", '"2023-02-29"')
        self.assertEqual(self.validate(date, bad_date)[0], EXIT_OK)
        rc, _, err = self.validate(date, bad_date, "--assert-format")
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("/: not a valid date (schema #/format)", err)

    def test_bad_input(self):
        one = self.files.write("one.json", "1")
        rc, _, err = self.validate(self.envelope, one, "--draft", "5")
        self.assertEqual(rc, EXIT_USAGE)
        self.assertIn("--draft must be 4, 6, 7, 2019-09 or 2020-12", err)
        self.assertEqual(self.validate(self.envelope)[0], EXIT_USAGE)
        rc, _, err = self.validate(os.path.join(self.files.dir, "missing.json"), one)
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("cannot read: No such file or directory", err)
        broken = self.files.write("broken.json", '{"type": "strin"}')
        rc, _, err = self.validate(broken, one)
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("#/type: must name JSON types", err)
        rc, _, err = self.validate(self.envelope, self.files.write("not-json.json", "{"))
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("not-json.json: /: not JSON: expected a member name at byte 1", err)


class SchemaPutDispatchTest(KinesdTestCase):
    """put --schema and dispatch --schema against kinesd."""

    def setUp(self):
        self.files = SchemaFiles()
        self.addCleanup(self.files.close)

    def stored(self, name):
        records, _ = self.read_shard(name, self.shards(name)[0]["ShardId"])
        return [r["Data"] for r in records]

    def test_put_refuses_records_that_do_not_match(self):
        name = "schema-put"
        self.create_stream(name)
        order = self.files.write("order.json", ORDER)
        rc, out, err = kinesctl(self.server.endpoint, "put", name, "--schema", order,
                                "--partition-key", "k",
                                stdin=b'{"id": 1}\n{"id": "two"}\n{"id": 3}\nnot json\n')
        self.assertEqual(rc, EXIT_BAD_INPUT, err)
        self.assertIn("2 records", out)
        self.assertIn("2 skipped", out)
        self.assertEqual(err.splitlines(), [
            "kinesctl: error: line 2 skipped: record does not match the schema: /id: expected "
            "integer, got string (schema #/properties/id/type)",
            "kinesctl: error: line 4 skipped: record does not match the schema: /: not JSON: "
            "unexpected character at byte 0"])
        self.assertEqual(self.stored(name), [b'{"id": 1}', b'{"id": 3}'])

    def test_put_with_an_unusable_schema_sends_nothing(self):
        name = "schema-put-bad-schema"
        self.create_stream(name)
        broken = self.files.write("broken.json", '{"pattern": "("}')
        rc, _, err = kinesctl(self.server.endpoint, "put", name, '{"id": 1}', "--schema", broken)
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("#/pattern: bad regular expression /(/", err)
        self.assertEqual(self.stored(name), [])

    def test_dispatch_checks_the_envelope(self):
        name = "schema-dispatch"
        self.create_stream(name)
        envelope = self.files.write("envelope.json", ENVELOPE)
        self.files.write("common.json", COMMON)
        rc, out, err = kinesctl(self.server.endpoint, "dispatch", name, "order.created",
                                '{"orderId": 42}', "--schema", envelope, "--output", "json")
        self.assertEqual(rc, EXIT_OK, err)
        published = json.loads(out)
        rc, _, err = kinesctl(self.server.endpoint, "dispatch", name, "order.created",
                              '{"orderId": "42"}', "--schema", envelope)
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("event envelope does not match the schema: /data/orderId: expected "
                      "integer, got string (schema #/properties/data/properties/orderId/type)",
                      err)
        self.assertEqual([json.loads(d) for d in self.stored(name)], [published])


if __name__ == "__main__":
    unittest.main()
