"""test_console - the web console served by kinesd at /console/, and the console itself in a real
browser.

The route: every file the page loads (index.html's references and every module's imports, followed)
is served from the binary with its content type, an ETag (If-None-Match answers 304), no-cache and
the Content-Security-Policy; /console redirects to /console/; unknown files are 404 and the AWS APIs
on the same port are untouched. The browser-side logic (SigV4 against the AWS suite, the hashes, KPL
expansion, the filter language, the contract marks' batching) runs under node's test runner. Then
headless Chromium, driven by puppeteer-core (tests/js/console_e2e.js), tours the console in open
mode (create a stream, live tail records put with the aws CLI, filter, pretty JSON, a KPL aggregate,
JSONL download, the records that violate a stream's contract marked, reshard and the shard map, a
metric chart, a queue peeked, a function invoked, its metrics charted and its trigger's shard shown)
and in verify mode (sign in with a user's key, see what it may see), with no error in the page's
log. Screenshots go to <build>/console-screenshots/. The browser tests are skipped when Chromium or
the npm packages are missing (scripts/install-deps installs both).
"""

import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unittest
import zipfile

from iam_fixture import ROOT, VerifyTestCase
from kinesd_harness import ACCOUNT, KinesdTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(os.path.dirname(HERE), "js")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BROWSER_TIMEOUT_S = 240
HANDLER = '''
def handler(event, context):
    print("console handler got", event)
    return {"greeting": "hello " + event.get("name", "world")}
'''
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def get(server, path, headers=None, method="GET", body=None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def referenced_files(text, base):
    """The files a page or module loads, as paths under /console/ (relative to BASE's folder)."""
    refs = re.findall(r'(?:src|href)="([^"#:]+)"', text) + \
        re.findall(r"(?:import|from)\s*(?:[\w{}\s,*]*from\s*)?'(\.[^']+)'", text)
    folder = os.path.dirname(base)
    return {os.path.normpath(os.path.join(folder, ref)) for ref in refs}


def node_ready(test, *packages):
    if not shutil.which("node"):
        test.skipTest("no node (scripts/install-deps installs nodejs)")
    for package in packages:
        if not os.path.isdir(os.path.join(JS_DIR, "node_modules", package)):
            test.skipTest("tests/js has no %s (scripts/install-deps runs npm ci)" % package)


def screenshot_dir():
    build = os.environ.get("KINESD_BUILD_DIR")
    path = os.path.join(build, "console-screenshots") if build else \
        os.path.join(HERE, "console-screenshots")
    os.makedirs(path, exist_ok=True)
    return path


def run_tour(test, mode, extra_env):
    """Runs tests/js/console_e2e.js MODE against the test's server; fails with its output."""
    node_ready(test, "puppeteer-core", "aws-kinesis-agg")
    if not os.access(CHROMIUM, os.X_OK):
        test.skipTest("no %s (scripts/install-deps installs chromium)" % CHROMIUM)
    env = dict(os.environ, KINESD_ENDPOINT=test.server.endpoint, SCREENSHOT_DIR=screenshot_dir(),
               CHROMIUM=CHROMIUM, **extra_env)
    done = subprocess.run(["node", os.path.join(JS_DIR, "console_e2e.js"), mode], env=env,
                          capture_output=True, timeout=BROWSER_TIMEOUT_S)
    output = done.stdout.decode() + done.stderr.decode()
    sys.stderr.write("\n" + output)
    test.assertEqual(done.returncode, 0, output)


class ConsoleRouteTest(KinesdTestCase):
    def test_every_file_the_page_loads_is_served_with_its_type(self):
        status, headers, body = get(self.server, "/console/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], TYPES[".html"])
        todo, seen = referenced_files(body.decode(), "index.html"), set()
        while todo:
            path = todo.pop()
            seen.add(path)
            status, headers, content = get(self.server, "/console/" + path)
            self.assertEqual(status, 200, path)
            self.assertEqual(headers["content-type"], TYPES[os.path.splitext(path)[1]], path)
            if path.endswith(".js"):
                todo |= referenced_files(content.decode(), path) - seen
        self.assertIn("js/app.js", seen)
        self.assertIn("js/pages/viewer.js", seen)
        self.assertGreater(len(seen), 15)

    def test_security_and_caching_headers(self):
        for path in ("/console/", "/console/js/app.js", "/console/nope"):
            _, headers, _ = get(self.server, path)
            csp = headers["content-security-policy"]
            self.assertIn("default-src 'none'", csp)
            self.assertIn("script-src 'self'", csp)
            self.assertIn("connect-src 'self'", csp)
            self.assertIn("frame-ancestors 'none'", csp)
            self.assertNotIn("unsafe", csp)
            self.assertEqual(headers["x-content-type-options"], "nosniff")
        _, headers, _ = get(self.server, "/console/console.css")
        self.assertEqual(headers["cache-control"], "no-cache")
        self.assertRegex(headers["etag"], r'^"[0-9a-f]{20}"$')

    def test_if_none_match_answers_not_modified(self):
        _, headers, body = get(self.server, "/console/js/app.js")
        etag = headers["etag"]
        for sent in (etag, "W/" + etag, '"other", ' + etag, "*"):
            status, again, rest = get(self.server, "/console/js/app.js", {"If-None-Match": sent})
            self.assertEqual((status, rest), (304, b""), sent)
            self.assertEqual(again["etag"], etag)
        status, _, again = get(self.server, "/console/js/app.js",
                               {"If-None-Match": '"' + "0" * 20 + '"'})
        self.assertEqual((status, again), (200, body))
        _, other, _ = get(self.server, "/console/js/aws.js")
        self.assertNotEqual(other["etag"], etag)

    def test_redirect_not_found_and_query_strings(self):
        status, headers, _ = get(self.server, "/console")
        self.assertEqual((status, headers["location"]), (301, "/console/"))
        status, headers, _ = get(self.server, "/console?x=1")
        self.assertEqual((status, headers["location"]), (301, "/console/"))
        _, _, index = get(self.server, "/console/")
        status, _, same = get(self.server, "/console/?from=bookmark")
        self.assertEqual((status, same), (200, index))
        for path in ("/console/nope.js", "/console/js/", "/console/js", "/console/../README.md",
                     "/console/%2e%2e/README.md", "/console//index.html", "/consolex",
                     "/console/index.html/", "/console/JS/APP.JS"):
            status, headers, body = get(self.server, path)
            self.assertEqual((status, body), (404, b"not found\n"), path)
            self.assertEqual(headers["content-type"], "text/plain; charset=utf-8")

    def test_the_apis_on_the_same_port_are_untouched(self):
        status, _, body = self.server.post("ListStreams", {})
        self.assertEqual(status, 200)
        self.assertEqual(body["StreamNames"], [])
        # only GET is the console's: other methods reach the AWS dispatcher and its errors
        status, headers, _ = get(self.server, "/console/", method="POST", body=b"{}")
        self.assertEqual(status, 400)
        self.assertIn("x-amzn-requestid", headers)
        self.assertNotIn("content-security-policy", headers)
        status, _, body = get(self.server, "/")
        self.assertEqual(status, 403)
        self.assertIn(b"AccessDeniedException", body)


class ConsoleUnitsTest(unittest.TestCase):
    def test_browser_side_logic_under_node(self):
        node_ready(self, "aws-kinesis-agg")
        done = subprocess.run(["node", "--test", os.path.join(JS_DIR, "console_units.test.js")],
                              capture_output=True, timeout=120)
        output = done.stdout.decode() + done.stderr.decode()
        self.assertEqual(done.returncode, 0, output)
        self.assertIn("# fail 0", output)


class ConsoleBrowserTest(KinesdTestCase):
    SERVER_ARGS = {"extra_args": ["--lambda-python", sys.executable]}

    def test_open_mode_tour(self):
        self.create_function("console-hello")
        self.create_trigger("console-hello", "console-trigger-source")
        self.create_contract_stream("console-contract")
        run_tour(self, "open", {"FUNCTION": "console-hello", "CONTRACT_STREAM": "console-contract"})

    def create_contract_stream(self, name):
        """Five records put before a contract that two of them (old-1, old-3) violate."""
        self.create_stream(name)
        for i, event in enumerate([{"kind": "a"}, {"n": 1}, {"kind": "b"}, "not an object",
                                   {"kind": "c"}]):
            self.kinesis.put_record(StreamName=name, PartitionKey="old-%d" % i,
                                    Data=json.dumps(event).encode())
        status, _, body = self.server.post("PutStreamContract", {"StreamName": name, "Schema":
                                           json.dumps({"type": "object", "required": ["kind"]})})
        self.assertEqual(status, 200, body)

    def create_trigger(self, function, stream):
        """A mapping from an empty one-shard stream: it shows its shard and invokes nothing."""
        self.kinesis.create_stream(StreamName=stream, ShardCount=1)
        self.kinesis.get_waiter("stream_exists").wait(StreamName=stream,
                                                      WaiterConfig={"Delay": 0.2})
        arn = self.kinesis.describe_stream_summary(
            StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
        self.server.client("lambda").create_event_source_mapping(
            FunctionName=function, EventSourceArn=arn, StartingPosition="LATEST")

    def create_function(self, name):
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("app.py", HANDLER)
        lam = self.server.client("lambda")
        lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler",
                            Role="arn:aws:iam::%s:role/console" % ACCOUNT,
                            Code={"ZipFile": code.getvalue()})
        lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                   WaiterConfig={"Delay": 0.2})


class ConsoleVerifyBrowserTest(VerifyTestCase):
    def test_signed_in_with_a_users_key(self):
        region_account = "us-east-1:%s" % ACCOUNT
        key, secret = self.user_with_policy("console-reader", {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Resource": "*",
                 "Action": ["kinesis:ListStreams", "cloudwatch:GetMetricData",
                            "cloudwatch:ListMetrics"]},
                {"Effect": "Allow", "Action": "kinesis:*",
                 "Resource": "arn:aws:kinesis:%s:stream/visible-*" % region_account},
            ]})
        for name in ("visible-orders", "hidden-payroll"):
            self.create_stream(name)
        for i in range(2):
            self.kinesis.put_record(StreamName="visible-orders", PartitionKey="k%d" % i,
                                    Data=json.dumps({"order": i}).encode())
        run_tour(self, "verify", {"USER_KEY": key, "USER_SECRET": secret,
                                  "VISIBLE_STREAM": "visible-orders",
                                  "HIDDEN_STREAM": "hidden-payroll",
                                  "AWS_KEY": ROOT[0], "AWS_SECRET": ROOT[1]})


if __name__ == "__main__":
    unittest.main()
