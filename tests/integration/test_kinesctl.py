"""test_kinesctl - every kinesctl command against a real kinesd, and its answers to bad input.

Stream life cycle (create, wait, describe, list, reshard, delete), put / get / tail / dispatch,
--output json, --help, and the one-line errors with their distinct exit codes: unknown stream,
unreachable endpoint, missing configuration, malformed stdin lines, oversized records. Rejected
credentials and throttling are answered by a scripted fake endpoint, since kinesd neither checks
signatures nor throttles.
"""

import base64
import http.server
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from kinesd_harness import ACCESS_KEY, REGION, SECRET_KEY, KinesdTestCase, LineReader

# kinesctl's exit codes (src/cli/cli.h).
EXIT_OK, EXIT_USAGE, EXIT_CONFIG, EXIT_UNREACHABLE, EXIT_NOT_FOUND = 0, 2, 3, 4, 5
EXIT_AUTH, EXIT_THROTTLED, EXIT_BAD_INPUT, EXIT_IN_USE, EXIT_PARTIAL = 6, 7, 8, 9, 10


def kinesctl_bin():
    build = os.environ.get("KINESD_BUILD_DIR")
    if not build and os.environ.get("KINESD_BIN"):
        build = os.path.dirname(os.environ["KINESD_BIN"])
    if not build:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        build = os.path.join(root, "build")
    path = os.path.join(build, "kinesctl")
    if not os.path.exists(path):
        raise unittest.SkipTest("no kinesctl binary in %s" % build)
    return path


def clean_env(**extra):
    """The environment kinesctl runs in: test credentials, no profile files, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.update(extra)
    return env


def write_file(directory, name, content):
    """Writes CONTENT (text, or the JSON of anything else) to DIRECTORY/NAME; returns its path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    return path


def kinesctl(endpoint, *args, stdin=None, env=None, timeout=120):
    """Runs kinesctl; returns (rc, stdout text, stderr text)."""
    cmd = [kinesctl_bin()] + list(args)
    if endpoint:
        cmd += ["--endpoint-url", endpoint]
    done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout,
                          env=env if env is not None else clean_env())
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


class FakeKinesis:
    """A scripted endpoint: ANSWER(target, request) -> (status, body dict); runs in a thread."""

    def __init__(self, answer):
        outer = self
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # one write per response (flushed after each request)
            disable_nagle_algorithm = True

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                target = self.headers["X-Amz-Target"].split(".")[-1]
                outer.requests.append((target, body))
                status, reply = answer(target, body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Kinesctl(KinesdTestCase):

    def run_ok(self, *args, stdin=None):
        rc, out, err = kinesctl(self.server.endpoint, *args, stdin=stdin)
        self.assertEqual(rc, EXIT_OK, "kinesctl %s: %s" % (" ".join(args), err))
        return out

    def run_json(self, *args, stdin=None):
        return json.loads(self.run_ok(*(args + ("--output", "json")), stdin=stdin))

    def assert_one_line_error(self, err, *fragments):
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, "not one line: %r" % err)
        self.assertTrue(lines[0].startswith("kinesctl: error: "), lines[0])
        self.assertNotIn("\033", lines[0])  # no colour when stderr is not a terminal
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    # ---- help -----------------------------------------------------------------------------------

    def test_help(self):
        rc, out, _ = kinesctl(None, "--help")
        self.assertEqual(rc, EXIT_OK)
        self.assertIn("usage: kinesctl COMMAND", out)
        for command in (["stream"], ["put"], ["get"], ["tail"], ["dispatch"]):
            rc, out, _ = kinesctl(None, *command, "--help")
            self.assertEqual(rc, EXIT_OK, command)
            self.assertIn("usage:", out)
            self.assertIn("examples:", out)
        rc, _, err = kinesctl(None, "frobnicate")
        self.assertEqual(rc, EXIT_USAGE)
        self.assert_one_line_error(err, "unknown command 'frobnicate'")
        rc, _, err = kinesctl(None, "stream", "list", "--bogus")
        self.assertEqual(rc, EXIT_USAGE)
        self.assert_one_line_error(err, "unknown option --bogus")
        rc, _, err = kinesctl(None, "stream", "create", "x", "--shards", "zero")
        self.assertEqual(rc, EXIT_USAGE)
        self.assert_one_line_error(err, "--shards needs a positive whole number")
        for words, text in ((["stream", "create"], "stream create takes one stream NAME"),
                            (["stream", "list", "extra"], "stream list takes no arguments"),
                            (["queue", "send", "q", "body", "extra"],
                             "queue send takes a queue NAME and an optional BODY")):
            rc, _, err = kinesctl(None, *words)
            self.assertEqual(rc, EXIT_USAGE, words)
            self.assert_one_line_error(err, text)

    # ---- streams --------------------------------------------------------------------------------

    def test_stream_life_cycle(self):
        name = "ctl-life"
        out = self.run_ok("stream", "create", name, "--shards", "2", "--wait")
        self.assertEqual(out, "created stream %s with 2 shards (ACTIVE)\n" % name)
        self.assertIn(name, self.run_ok("stream", "list").split())
        self.assertIn(name, self.run_json("stream", "list")["StreamNames"])
        self.assertEqual(self.run_ok("stream", "wait", name), "stream %s is ACTIVE\n" % name)

        described = self.run_json("stream", "describe", name)
        self.assertEqual(described["StreamStatus"], "ACTIVE")
        self.assertEqual(described["StreamMode"], "PROVISIONED")
        self.assertEqual(described["OpenShardCount"], 2)
        self.assertEqual([s["ShardId"] for s in described["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001"])
        text = self.run_ok("stream", "describe", name)
        self.assertRegex(text, r"status\s+ACTIVE")
        self.assertIn("shardId-000000000001", text)

        self.run_ok("stream", "reshard", name, "--shards", "3", "--wait")
        described = self.run_json("stream", "describe", name)
        self.assertEqual(described["OpenShardCount"], 3)
        closed = [s for s in described["Shards"] if "EndingSequenceNumber" in s["SequenceNumberRange"]]
        self.assertGreaterEqual(len(closed), 2)  # the two originals, and any split on the way

        self.assertEqual(self.run_json("stream", "delete", name, "--wait"),
                         {"StreamName": name, "StreamStatus": "DELETED"})
        self.assertNotIn(name, self.run_ok("stream", "list").split())
        rc, _, err = kinesctl(self.server.endpoint, "stream", "describe", name)
        self.assertEqual(rc, EXIT_NOT_FOUND)
        self.assert_one_line_error(err, name, "ResourceNotFoundException", "kinesctl stream list")

    def test_create_on_demand_and_conflicts(self):
        self.run_ok("stream", "create", "ctl-od", "--on-demand", "--wait")
        self.assertEqual(self.run_json("stream", "describe", "ctl-od")["StreamMode"], "ON_DEMAND")
        rc, _, err = kinesctl(self.server.endpoint, "stream", "create", "ctl-od")
        self.assertEqual(rc, EXIT_IN_USE)
        self.assert_one_line_error(err, "ResourceInUseException")
        rc, _, err = kinesctl(self.server.endpoint, "stream", "create", "x", "--shards", "2",
                              "--on-demand")
        self.assertEqual(rc, EXIT_USAGE)

    def test_stream_settings(self):
        name = "ctl-settings"
        self.run_ok("stream", "create", name, "--wait")
        self.assertEqual(self.run_ok("stream", "retention", name, "--hours", "48"),
                         "retention of %s is 48 hours (was 24)\n" % name)
        self.run_ok("stream", "retention", name, "--hours", "36")
        self.assertEqual(self.run_json("stream", "describe", name)["RetentionPeriodHours"], 36)

        self.run_ok("stream", "tag", name, "team=payments", "env=prod", "empty=")
        self.assertEqual(self.run_json("stream", "tags", name)["Tags"],
                         {"team": "payments", "env": "prod", "empty": ""})
        self.run_ok("stream", "untag", name, "env", "empty")
        self.assertEqual(self.run_ok("stream", "tags", name), "team=payments\n")

        self.run_ok("stream", "mode", name, "on-demand", "--wait")
        self.assertEqual(self.run_json("stream", "describe", name)["StreamMode"], "ON_DEMAND")
        limits = self.run_json("stream", "limits")
        self.assertGreaterEqual(limits["OnDemandStreamCount"], 1)
        self.assertGreater(limits["ShardLimit"], 0)

        rc, _, err = kinesctl(self.server.endpoint, "stream", "mode", name, "sometimes")
        self.assertEqual(rc, EXIT_USAGE)
        rc, _, err = kinesctl(self.server.endpoint, "stream", "retention", name, "--hours", "1")
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assert_one_line_error(err, name, "InvalidArgumentException")

    # ---- records --------------------------------------------------------------------------------

    def test_put_get_tail(self):
        name = "ctl-records"
        self.run_ok("stream", "create", name, "--shards", "2", "--wait")
        before = time.time() - 1
        summary = self.run_json("put", name, '{"hello": "world"}', "--partition-key", "k1")
        self.assertEqual((summary["Records"], summary["Delivered"], summary["Failed"]), (1, 1, 0))
        lines = ["line %d" % i for i in range(1000)]
        summary = self.run_json("put", name, stdin="\n".join(lines).encode() + b"\n")
        self.assertEqual(summary["Delivered"], 1000)
        self.assertEqual(summary["UndeliveredLines"], [])
        text = self.run_ok("put", name, stdin=b"a\nb\n")
        self.assertRegex(text, r"^%s: 2 records, 2 bytes delivered, 0 failed, 0 skipped" % name)

        tailed = self.run_ok("tail", name).splitlines()
        self.assertEqual(len(tailed), 1003)
        self.assertEqual(sorted(tailed), sorted(lines + ['{"hello": "world"}', "a", "b"]))
        self.assertEqual(len(self.run_ok("tail", name, "--count", "10").splitlines()), 10)

        records = [json.loads(l) for l in self.run_ok("tail", name, "--format", "jsonl").splitlines()]
        first = [r for r in records if r["PartitionKey"] == "k1"][0]
        self.assertEqual(first["Data"], {"hello": "world"})
        self.assertGreaterEqual(first["ApproximateArrivalTimestamp"], before)
        self.assertEqual(records, [json.loads(l) for l in self.run_ok(
            "tail", name, "--output", "json").splitlines()])

        shard = first["ShardId"]
        got = [json.loads(l) for l in self.run_ok("get", name, "--shard", shard, "--format",
                                                  "jsonl").splitlines()]
        self.assertEqual(got, [r for r in records if r["ShardId"] == shard])
        self.assertEqual(len(self.run_ok("get", name, "--shard", shard, "--count", "3")
                             .splitlines()), 3)
        after = self.run_ok("get", name, "--shard", shard, "--from",
                            "after:" + got[0]["SequenceNumber"], "--format", "jsonl").splitlines()
        self.assertEqual([json.loads(l) for l in after], got[1:])
        time.sleep(0.01)
        self.assertEqual(self.run_ok("tail", name, "--from", "%.3f" % time.time()).splitlines(), [])
        iso_before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(before))
        self.assertEqual(len(self.run_ok("tail", name, "--from", iso_before).splitlines()), 1003)

    def test_tail_follow(self):
        name = "ctl-follow"
        self.run_ok("stream", "create", name, "--shards", "2", "--wait")
        self.run_ok("put", name, "old")
        follower = subprocess.Popen(
            [kinesctl_bin(), "tail", name, "--follow", "--endpoint-url", self.server.endpoint],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
        try:
            output = LineReader(follower.stdout)
            first = self.first_followed_line(name, output)
            self.assertTrue(first.startswith(b"probe"), first)  # --follow starts at latest
            self.run_ok("put", name, stdin=b"new 1\nnew 2\n")
            got = set()
            while len(got) < 2:
                line = output.next()
                self.assertIsNotNone(line, "tail --follow ended")
                if not line.startswith(b"probe"):  # probes put before it followed trail in
                    got.add(line.decode().strip())
            self.assertEqual(got, {"new 1", "new 2"})
        finally:
            follower.terminate()
            follower.wait(10)

    def first_followed_line(self, name, output, deadline_s=60):
        """Puts "probe N" records until `tail --follow` (read by OUTPUT) prints one: it prints
        only records put after it started following, whenever on a loaded machine that is."""
        deadline = time.monotonic() + deadline_s
        n = 0
        while True:
            self.run_ok("put", name, "probe %d" % n)
            n += 1
            try:
                return output.next(timeout_s=1.0)
            except AssertionError:
                self.assertLess(time.monotonic(), deadline,
                                "tail --follow printed nothing in %d s" % deadline_s)

    def wait_for_records(self, name, count, deadline_s=60):
        """Waits until the stream holds COUNT records (all delivered)."""
        deadline = time.monotonic() + deadline_s
        while len(self.run_ok("tail", name).splitlines()) < count:
            self.assertLess(time.monotonic(), deadline,
                            "fewer than %d records after %d s" % (count, deadline_s))
            time.sleep(0.1)

    def test_put_interrupted_delivers_what_was_read(self):
        name = "ctl-interrupt"
        self.run_ok("stream", "create", name, "--wait")
        put = subprocess.Popen([kinesctl_bin(), "put", name, "--endpoint-url", self.server.endpoint],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=clean_env())
        put.stdin.write(b"".join(b"line %d\n" % i for i in range(100)))
        put.stdin.flush()
        self.wait_for_records(name, 100)  # delivered as read: so all 100 lines were read
        put.send_signal(signal.SIGINT)  # stdin stays open: only the interrupt ends the input
        out, err = put.communicate(timeout=30)
        self.assertEqual(put.returncode, 130, err)
        self.assertIn("interrupted: delivering the 100 lines read so far", err.decode())
        self.assertEqual(sorted(self.run_ok("tail", name).splitlines()),
                         sorted("line %d" % i for i in range(100)))

    def test_dispatch(self):
        name = "ctl-dispatch"
        self.run_ok("stream", "create", name, "--wait")
        event = self.run_json("dispatch", name, "order.created", '{"orderId": 42}',
                              "--producer-id", "shop")
        self.assertRegex(event["id"],
                         r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual(event["type"], "order.created")
        self.assertRegex(event["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(event["data"], {"orderId": 42})
        self.assertEqual(event["source"], {"userId": None, "producerId": "shop",
                                           "kinesisPartitionKey": event["id"]})
        keyed = self.run_json("dispatch", name, "user.login", "{}", "--source-user-id", "u-1",
                              "--partition-key", "u-1")
        self.assertEqual(keyed["source"]["kinesisPartitionKey"], "u-1")
        self.assertEqual(keyed["source"]["userId"], "u-1")

        stored = [json.loads(l) for l in self.run_ok("tail", name, "--format", "jsonl").splitlines()]
        by_key = {r["PartitionKey"]: r["Data"] for r in stored}
        self.assertEqual(by_key, {event["id"]: event, "u-1": keyed})

        rc, _, err = kinesctl(self.server.endpoint, "dispatch", name, "t", "{not json")
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assert_one_line_error(err, "not valid JSON")

    # ---- bad input ------------------------------------------------------------------------------

    def test_malformed_and_oversized_lines(self):
        name = "ctl-bad-lines"
        self.run_ok("stream", "create", name, "--wait")
        big = b"x" * (1024 * 1024 + 1)
        rc, out, err = kinesctl(self.server.endpoint, "put", name, "--jsonl",
                                stdin=b'{"a": 1}\nnot json\n{"b": 2}\n')
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("line 2 skipped: not valid JSON", err)
        self.assertRegex(out, r"2 records, .* 0 failed, 1 skipped")
        rc, out, err = kinesctl(self.server.endpoint, "put", name, stdin=b"ok\n" + big + b"\n")
        self.assertEqual(rc, EXIT_BAD_INPUT)
        self.assertIn("line 2 skipped", err)
        self.assertIn("1 MiB", err)
        self.assertEqual(sorted(self.run_ok("tail", name).splitlines()),
                         sorted(['{"a": 1}', '{"b": 2}', "ok"]))

    def test_unknown_stream(self):
        for args in (["put", "nope", "x"], ["tail", "nope"], ["get", "nope", "--shard", "s"],
                     ["stream", "delete", "nope"], ["dispatch", "nope", "t", "{}"]):
            rc, _, err = kinesctl(self.server.endpoint, *args)
            self.assertEqual(rc, EXIT_NOT_FOUND, args)
            self.assert_one_line_error(err, "nope", "ResourceNotFoundException")

    def test_unreachable_endpoint(self):
        rc, _, err = kinesctl("http://127.0.0.1:9", "stream", "list")
        self.assertEqual(rc, EXIT_UNREACHABLE)
        self.assert_one_line_error(err, "cannot reach http://127.0.0.1:9", "server running")

    def test_missing_configuration(self):
        env = {k: v for k, v in clean_env().items()
               if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        rc, _, err = kinesctl(self.server.endpoint, "stream", "list", env=env)
        self.assertEqual(rc, EXIT_CONFIG)
        self.assert_one_line_error(err, "no credentials", "AWS_ACCESS_KEY_ID")
        env = {k: v for k, v in clean_env().items() if k != "AWS_REGION"}
        rc, _, err = kinesctl(self.server.endpoint, "stream", "list", env=env)
        self.assertEqual(rc, EXIT_CONFIG)
        self.assert_one_line_error(err, "no region", "--region")
        rc, _, _ = kinesctl(self.server.endpoint, "stream", "list", "--region", "eu-west-1", env=env)
        self.assertEqual(rc, EXIT_OK)

    def test_profile_files(self):
        with tempfile.TemporaryDirectory() as home:
            os.mkdir(os.path.join(home, ".aws"))
            with open(os.path.join(home, ".aws", "credentials"), "w") as f:
                f.write("[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s\n")
            with open(os.path.join(home, ".aws", "config"), "w") as f:
                f.write("[profile ci]\nregion = eu-central-1\nendpoint_url = %s\n"
                        % self.server.endpoint)
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env["HOME"] = home
            rc, out, err = kinesctl(None, "stream", "list", "--profile", "ci", "--debug", env=env)
            self.assertEqual(rc, EXIT_OK, err)
            self.assertIn("endpoint %s (from profile), region eu-central-1 (from profile)"
                          % self.server.endpoint, err)


class KinesctlAgainstFakeEndpoint(unittest.TestCase):
    """What kinesd cannot produce: rejected credentials, throttling, partial PutRecords failures."""

    def with_fake(self, answer):
        fake = FakeKinesis(answer)
        self.addCleanup(fake.close)
        return fake

    def test_rejected_credentials(self):
        fake = self.with_fake(lambda target, body: (400, {
            "__type": "UnrecognizedClientException",
            "message": "The security token included in the request is invalid."}))
        rc, _, err = kinesctl(fake.endpoint, "stream", "list")
        self.assertEqual(rc, EXIT_AUTH)
        self.assertIn("UnrecognizedClientException", err)
        self.assertIn("AWS_ACCESS_KEY_ID", err)
        self.assertEqual(len(fake.requests), 1)  # not retried

    def test_throttling_is_retried_then_reported(self):
        fake = self.with_fake(lambda target, body: (400, {
            "__type": "LimitExceededException", "message": "Rate exceeded"}))
        rc, _, err = kinesctl(fake.endpoint, "stream", "describe", "s")
        self.assertEqual(rc, EXIT_IN_USE)
        self.assertIn("LimitExceededException: Rate exceeded", err)
        self.assertEqual(len(fake.requests), 8)  # every attempt of the budget

    def test_put_retries_only_failed_records_and_keeps_order_per_key(self):
        """Every third record of every PutRecords fails with throughput exceeded; all lines still
        arrive exactly once, and per partition key in the order they were read."""
        accepted, counter = [], [0]

        def answer(target, body):
            if target == "DescribeStreamSummary":
                return 200, {"StreamDescriptionSummary": {"StreamName": body["StreamName"],
                                                          "StreamStatus": "ACTIVE"}}
            results = []
            for rec in body["Records"]:
                counter[0] += 1
                if counter[0] % 3 == 0:
                    results.append({"ErrorCode": "ProvisionedThroughputExceededException",
                                    "ErrorMessage": "Rate exceeded for shard"})
                else:
                    accepted.append((rec["PartitionKey"], base64.b64decode(rec["Data"]).decode()))
                    results.append({"ShardId": "shardId-000000000000",
                                    "SequenceNumber": str(10**20 + len(accepted))})
            failed = sum(1 for r in results if "ErrorCode" in r)
            return 200, {"FailedRecordCount": failed, "Records": results}

        fake = self.with_fake(answer)
        lines = [json.dumps({"k": "key-%d" % (i % 40), "n": i}) for i in range(2000)]
        rc, out, err = kinesctl(fake.endpoint, "put", "s", "--key-field", "k", "--output", "json",
                                stdin="\n".join(lines).encode())
        self.assertEqual(rc, EXIT_OK, err)
        summary = json.loads(out)
        self.assertEqual((summary["Delivered"], summary["Failed"]), (2000, 0))
        self.assertGreater(summary["Requests"], 1)
        self.assertEqual(sorted(data for _, data in accepted), sorted(lines))
        for key in {k for k, _ in accepted}:
            ns = [json.loads(d)["n"] for k, d in accepted if k == key]
            self.assertEqual(ns, sorted(ns), "order of %s" % key)

    def test_put_names_undelivered_lines(self):
        def answer(target, body):
            if target == "DescribeStreamSummary":
                return 200, {"StreamDescriptionSummary": {"StreamStatus": "ACTIVE"}}
            results = [{"ShardId": "shardId-000000000000", "SequenceNumber": "1"}
                       if base64.b64decode(r["Data"]) != b"poison" else
                       {"ErrorCode": "KMSAccessDeniedException", "ErrorMessage": "no key"}
                       for r in body["Records"]]
            return 200, {"FailedRecordCount": 1, "Records": results}

        fake = self.with_fake(answer)
        rc, out, err = kinesctl(fake.endpoint, "put", "s", stdin=b"a\npoison\nb\n")
        self.assertEqual(rc, EXIT_PARTIAL)
        self.assertIn("line 2 not delivered: KMSAccessDeniedException: no key", err)
        self.assertIn("2 records, 2 bytes delivered, 1 failed", out)


if __name__ == "__main__":
    unittest.main()
