"""kinesd_harness - starts a real kinesd for the integration tests and talks to it.

Owns: the server process (free loopback port, temporary data directory, SIGTERM / kill -9 /
restart), the three ways the tests speak to it (boto3, the aws CLI, raw HTTP), and
KinesdTestCase, which starts one server per test module and prints its log when a test fails;
clock_shift_shim, an LD_PRELOAD library that moves the server's wall clock; LineReader, which
reads a child process's output lines with a deadline; and the bits of CBOR the tests write and read
(cbor_map, cbor_decode).
"""

import base64
import hashlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ACCOUNT = "000000000000"
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)
MAX_HASH_KEY = 2**128 - 1
START_TIMEOUT_S = 5.0
LISTENING = re.compile(r"kinesd listening on (\[[^\]]+\]|[^ ]+):(\d+) \(data (.*), durability (\w+)\)")
LISTENING_TLS = re.compile(r"kinesd listening for TLS on (\[[^\]]+\]|[^ ]+):(\d+) ")
STOP_TIMEOUT_S = 10.0


def kinesd_bin():
    """The binary under test: $KINESD_BIN (set by ctest), else <repo>/build/kinesd."""
    path = os.environ.get("KINESD_BIN")
    if path:
        return path
    here = os.path.dirname(os.path.abspath(__file__))
    candidate = os.path.join(os.path.dirname(os.path.dirname(here)), "build", "kinesd")
    if os.path.exists(candidate):
        return candidate
    raise unittest.SkipTest("no kinesd binary: set KINESD_BIN")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hash_key_of(partition_key):
    """The 128-bit hash key Kinesis routes a partition key by: MD5 as a big-endian number."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def b64(data):
    return base64.b64encode(data).decode("ascii")


def stream_arn(name, account=ACCOUNT, region=REGION):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (region, account, name)


def stream_not_found(name):
    return "Stream %s under account %s not found." % (name, ACCOUNT)


def access_denied(arn):
    """AWS says "User: ... is not authorized to perform: kinesis:OP on resource: ARN because no
    resource-based policy allows the kinesis:OP action"; kinesd's shorter text names the same
    caller and resource. A pattern (for assert_refused) matching both."""
    return re.compile(r"^User: arn:aws:iam::%s:root is not authorized to .*\b%s\b"
                      % (ACCOUNT, re.escape(arn)))


def error_message(body):
    """An AWS JSON error's text, which some errors carry as 'Message' rather than 'message'."""
    if not isinstance(body, dict):
        return None
    return body.get("message", body.get("Message"))


class Kinesd:
    """One kinesd process on a free loopback port with its own data directory.

    LISTEN ("[::1]:0") replaces the free port; with port 0 the port kinesd chose is read from its
    "kinesd listening on" line, as are host and port always (`listening` holds that match).
    durability=None leaves --durability out (KINESD_DURABILITY in ENV then decides). tls=True
    also serves TLS on a free loopback port (--listen-tls; `tls_endpoint`, `ca_file`)."""

    def __init__(self, transition_ms=0, durability="sync", extra_args=(), listen=None, env=None,
                 tls=False):
        self.binary = kinesd_bin()
        self.transition_ms = transition_ms
        self.durability = durability
        self.extra_args = list(extra_args)
        self.root = tempfile.mkdtemp(prefix="kinesd-itest-")
        self.data_dir = os.path.join(self.root, "data")
        self.log_path = os.path.join(self.root, "kinesd.log")
        self.host = "127.0.0.1"
        self.port = None if listen else free_port()
        self.listen = listen or "127.0.0.1:%d" % self.port
        self.env = dict(env or {})  # extra environment for the next start (tests may set it)
        self.tls_listen = "127.0.0.1:%d" % free_port() if tls else None
        self.tls_port = None
        self.listening = None
        self.proc = None

    @property
    def endpoint(self):
        return "http://%s:%d" % ("[%s]" % self.host if ":" in self.host else self.host, self.port)

    @property
    def tls_endpoint(self):
        """https://localhost:PORT: the name the development certificate is for."""
        return "https://localhost:%d" % self.tls_port

    @property
    def ca_file(self):
        """The development CA that clients trust (DATA/tls/ca.pem)."""
        return os.path.join(self.data_dir, "tls", "ca.pem")

    def command(self):
        durability = ["--durability", self.durability] if self.durability else []
        return [
            self.binary,
            "--listen", self.listen,
            "--data-dir", self.data_dir,
            "--transition-ms", str(self.transition_ms),
        ] + durability + (["--listen-tls", self.tls_listen] if self.tls_listen else []) \
            + self.extra_args

    def start(self):
        log = open(self.log_path, "ab")
        start_offset = log.tell()
        log.write(("\n=== start: %s\n" % " ".join(self.command())).encode())
        log.flush()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KINESD_")}
        env.update(self.env)
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, env=env)
        log.close()
        self.wait_ready(start_offset)
        return self

    def wait_ready(self, log_offset):
        """Waits for this start's "kinesd listening on" line: kinesd prints it once it listens."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            log = self.log_since(log_offset)
            self.listening = LISTENING.search(log)
            tls = LISTENING_TLS.search(log)
            if self.listening and (tls or not self.tls_listen):
                self.host = self.listening.group(1).strip("[]")
                self.port = int(self.listening.group(2))
                self.listen = "%s:%d" % (self.listening.group(1), self.port)  # restart: same port
                self.tls_port = int(tls.group(2)) if tls else None
                return
            if self.proc.poll() is not None:
                raise RuntimeError("kinesd exited with %s during start-up:\n%s"
                                   % (self.proc.returncode, self.logs()))
            time.sleep(0.02)
        self.kill9()
        raise RuntimeError("kinesd did not start listening within %.0f s:\n%s"
                           % (START_TIMEOUT_S, self.logs()))

    def log_since(self, offset):
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Sends SIG (SIGTERM) and waits; returns the exit status (tests assert it is 0)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                return "did not exit within %.0f s of %s" % (STOP_TIMEOUT_S, sig.name)
        rc = self.proc.returncode
        self.proc = None
        return rc

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self):
        """Starts again on the same port and data directory (after stop or kill9)."""
        if self.running():
            raise RuntimeError("restart() while kinesd is still running")
        return self.start()

    def close(self, sig=signal.SIGTERM):
        """Stops (SIG) and removes the data directory and log; returns the exit status."""
        rc = self.stop(sig)
        shutil.rmtree(self.root, ignore_errors=True)
        return rc

    def logs(self, tail_bytes=20000):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - tail_bytes))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    # ---- clients -------------------------------------------------------------------------------

    def client(self, service="kinesis", tls=False, **config):
        """A boto3 client of SERVICE ("kinesis", "cloudwatch", ...) for this server; with TLS,
        over https trusting the development CA."""
        import boto3
        from botocore.config import Config

        settings = dict(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
        settings.update(config)
        return boto3.client(
            service,
            endpoint_url=self.tls_endpoint if tls else self.endpoint,
            verify=self.ca_file if tls else None,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(**settings),
        )

    def aws(self, *args, timeout=60, service="kinesis", credentials=None):
        """Runs `aws SERVICE ARGS` signed with CREDENTIALS ((key, secret) or (key, secret,
        token); default the test key); returns (rc, parsed json or None, stderr)."""
        key, secret = credentials[:2] if credentials else (ACCESS_KEY, SECRET_KEY)
        env = dict(os.environ)
        env.update(
            AWS_ACCESS_KEY_ID=key,
            AWS_SECRET_ACCESS_KEY=secret,
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_PAGER="",
            AWS_MAX_ATTEMPTS="1",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        if credentials and len(credentials) > 2:
            env["AWS_SESSION_TOKEN"] = credentials[2]
        cmd = ["aws", "--endpoint-url", self.endpoint, "--output", "json", service] + list(args)
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout)
        out = done.stdout.decode("utf-8", "replace").strip()
        parsed = json.loads(out) if out else None
        return done.returncode, parsed, done.stderr.decode("utf-8", "replace")

    def connection(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post(self, target, body, headers=None, auth=True, timeout=30):
        """Raw POST of BODY (bytes, str or a JSON-able object) to Kinesis_20131202.TARGET.

        Signs nothing; sends a well-formed Authorization header unless auth is False.
        HEADERS override the defaults; a header set to None is left out.
        Returns (status, headers with lower-case names, parsed json or raw bytes)."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        sent = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Kinesis_20131202." + target,
            "X-Amz-Date": "20250101T000000Z",
        }
        if auth:
            sent["Authorization"] = AUTHORIZATION
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v is not None}
        conn = self.connection(timeout)
        try:
            conn.request("POST", "/", body=body, headers=sent)
            resp = conn.getresponse()
            raw = resp.read()
            got = {k.lower(): v for k, v in resp.getheaders()}
            return resp.status, got, parse_json(raw)
        finally:
            conn.close()


class LineReader:
    """Reads the lines of a child process's output (a pipe, text or bytes) on a thread, so that a
    test waits for the next line with a deadline instead of blocking forever on readline()."""

    def __init__(self, stream):
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        while True:
            line = stream.readline()
            if not line:
                break
            self._lines.put(line)
        self._lines.put(None)  # the end of the output

    def next(self, timeout_s=30.0):
        """The next line (with its newline); None once the output ended. Raises AssertionError
        when no line comes within TIMEOUT_S."""
        try:
            return self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError("no output line within %.0f s" % timeout_s) from None


CLOCK_SHIFT_C = r"""
/* Shifts CLOCK_REALTIME by $ITEST_CLOCK_SHIFT_MS (forward or back), or by the number of ms the
 * file $ITEST_CLOCK_SHIFT_FILE holds, read at every call (so a test can step the wall clock of a
 * running server): an LD_PRELOAD for tests. CLOCK_MONOTONIC is left alone. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static long long shift_ms(void)
{
    const char *file = getenv("ITEST_CLOCK_SHIFT_FILE");
    const char *shift = getenv("ITEST_CLOCK_SHIFT_MS");
    long long ms = 0;
    FILE *f = file ? fopen(file, "r") : NULL;
    if (f) {
        if (fscanf(f, "%lld", &ms) != 1)
            ms = 0;
        fclose(f);
    }
    return f ? ms : shift ? atoll(shift) : 0;
}
int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);
    if (!real)
        real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int rc = real(id, ts);
    if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
        long long ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec
                       + shift_ms() * 1000000LL;
        ts->tv_sec = ns / 1000000000LL;
        ts->tv_nsec = ns % 1000000000LL;
    }
    return rc;
}
"""


def _build_clock_shift(directory):
    src = os.path.join(directory, "clock_shift.c")
    lib = os.path.join(directory, "clock_shift.so")
    with open(src, "w") as f:
        f.write(CLOCK_SHIFT_C)
    done = subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", lib, src, "-ldl"],
                          capture_output=True)
    return lib if done.returncode == 0 else None


def clock_shift_shim(test):
    """The clock shim, built in a temporary directory removed after TEST; skips TEST when it
    cannot be built."""
    workdir = tempfile.mkdtemp(prefix="kinesd-clock-")
    test.addCleanup(shutil.rmtree, workdir, True)
    shim = _build_clock_shift(workdir)
    if shim is None:
        test.skipTest("cannot build the clock shim (no C compiler)")
    return shim


def cbor_text(text):
    data = text.encode()
    assert len(data) < 65536
    return (bytes([0x60 | len(data)]) if len(data) < 24 else
            bytes([0x78, len(data)]) if len(data) < 256 else
            b"\x79" + struct.pack(">H", len(data))) + data


def cbor_map(pairs):
    """A CBOR map of text keys to values: text, a nested map (a list of pairs), or bytes that
    are already one encoded CBOR item (the request shapes the tests need)."""
    out = bytes([0xa0 | len(pairs)])
    for key, value in pairs:
        out += cbor_text(key) + (cbor_map(value) if isinstance(value, list) else
                                 value if isinstance(value, bytes) else cbor_text(value))
    return out


def cbor_decode(payload):
    """Decodes with botocore's CBOR reader, leaving timestamps (epoch milliseconds, as the AWS
    SDKs' Kinesis CBOR has them) as numbers."""
    from botocore.parsers import BaseCBORParser

    class Reader(BaseCBORParser):
        def _parse_datetime(self, value):
            return value

    reader = Reader()
    return reader.parse_data_item(reader.get_peekable_stream_from_bytes(payload))


def parse_json(raw):
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        return raw


class KinesdTestCase(unittest.TestCase):
    """Starts one kinesd for the test class (SERVER_ARGS) and stops it cleanly afterwards.

    On any failed test the tail of the server's log goes to stderr."""

    SERVER_ARGS = {}
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        # A class cleanup runs even when a subclass's setUpClass fails half-way.
        cls.server = Kinesd(**cls.SERVER_ARGS)
        cls.addClassCleanup(cls.shut_down)
        cls.server.start()
        cls.kinesis = cls.server.client()

    @classmethod
    def shut_down(cls):
        rc = cls.server.stop()
        if rc != 0:
            sys.stderr.write("kinesd log:\n%s\n" % cls.server.logs())
        cls.server.close()
        if rc != 0:
            raise AssertionError("kinesd did not exit 0 on SIGTERM: %r" % (rc,))

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            sys.stderr.write("\n--- kinesd log (tail) for %s ---\n%s\n--- end of log ---\n"
                             % (self.id(), self.server.logs(8000)))
        return outcome

    # ---- helpers shared by the test modules ----------------------------------------------------

    def create_stream(self, name, shards=1, wait=True, **kwargs):
        self.kinesis.create_stream(StreamName=name, ShardCount=shards, **kwargs)
        if wait:
            self.wait_active(name)

    def create_on_demand(self, name):
        self.kinesis.create_stream(StreamName=name,
                                   StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name)

    def wait_active(self, name, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while True:
            summary = self.kinesis.describe_stream_summary(StreamName=name)
            status = summary["StreamDescriptionSummary"]["StreamStatus"]
            if status == "ACTIVE":
                return summary["StreamDescriptionSummary"]
            if time.monotonic() > deadline:
                self.fail("stream %s still %s after %.0f s" % (name, status, timeout_s))
            time.sleep(0.05)

    def wait_gone(self, name, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while name in self.kinesis.list_streams()["StreamNames"]:
            if time.monotonic() > deadline:
                self.fail("stream %s still listed after %.0f s" % (name, timeout_s))
            time.sleep(0.05)

    def shards(self, name):
        """Every shard of the stream, following ListShards NextToken."""
        found, token = [], None
        while True:
            page = (self.kinesis.list_shards(NextToken=token) if token
                    else self.kinesis.list_shards(StreamName=name))
            found += page["Shards"]
            token = page.get("NextToken")
            if not token:
                return found

    def read_shard(self, name, shard_id, iterator_type="TRIM_HORIZON", limit=None, **kwargs):
        """Every record from the iterator to the current end of the shard (or its closed end).

        Returns (records, last GetRecords response)."""
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                             ShardIteratorType=iterator_type,
                                             **kwargs)["ShardIterator"]
        records = []
        for _ in range(10000):
            args = dict(ShardIterator=it)
            if limit:
                args["Limit"] = limit
            page = self.kinesis.get_records(**args)
            records += page["Records"]
            it = page.get("NextShardIterator")
            if it is None or (not page["Records"] and page.get("MillisBehindLatest", 0) == 0):
                return records, page
        self.fail("shard %s did not reach its end in 10000 GetRecords calls" % shard_id)

    def assert_aws_error(self, response, status, error_type, message=None, message_regex=None):
        """RESPONSE is post()'s (status, headers, body); checks AWS's error shape exactly."""
        got_status, headers, body = response
        self.assertIsInstance(body, dict, "error body is not JSON: %r" % (body,))
        self.assertEqual((got_status, body.get("__type")), (status, error_type),
                         "full body: %r" % (body,))
        self.assertIn("x-amzn-requestid", headers, "no x-amzn-RequestId header")
        self.assertTrue(headers["x-amzn-requestid"])
        if message is not None:
            self.assertEqual(error_message(body), message)
        if message_regex is not None:
            self.assertRegex(error_message(body) or "", message_regex)

    def assert_refused(self, op, body, error_type, message=None):
        """Raw-POSTs BODY to OP and checks for a 400 ERROR_TYPE whose text is MESSAGE: exact,
        or a compiled pattern it must match; None checks the type only."""
        pattern = message.pattern if isinstance(message, re.Pattern) else None
        self.assert_aws_error(self.server.post(op, body), 400, error_type,
                              None if pattern else message, pattern)

    def assert_violations(self, response, violations):
        """A ValidationException listing exactly VIOLATIONS, in any order (AWS's order varies)."""
        self.assert_aws_error(response, 400, "ValidationException")
        message = error_message(response[2]) or ""
        count = len(violations)
        prefix = "%d validation error%s detected: " % (count, "" if count == 1 else "s")
        self.assertTrue(message.startswith(prefix), "%r does not start with %r" % (message, prefix))
        self.assertEqual(sorted(message[len(prefix):].split("; ")), sorted(violations))
