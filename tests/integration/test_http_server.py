"""test_http_server.py - the kinesd process and its HTTP layer, driven from outside.

Starts the real binary (KINESD_BIN) on a free loopback port with a temporary data directory:
flags and KINESD_* variables, --help/--version, start-up errors (port taken, bad data dir),
clean exit on SIGTERM/SIGINT, and HTTP behaviour seen by ordinary clients (keep-alive, Date and
Content-Length on every response, the request-size cap, HTTP/1.0).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from kinesd_harness import AUTHORIZATION, Kinesd, kinesd_bin


def start_kinesd(*args, env=None, listen="127.0.0.1:0"):
    """A running kinesd given only ARGS, ENV and LISTEN (no --durability: ENV may set it)."""
    k = Kinesd(durability=None, extra_args=args, listen=listen, env=env)
    try:
        return k.start()
    except BaseException:
        k.close()
        raise


def run_kinesd(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KINESD_")}
    full_env.update(env or {})
    return subprocess.run([kinesd_bin(), *args], capture_output=True, text=True, timeout=30,
                          env=full_env)


def list_streams_request(conn, body=b"{}"):
    conn.request("POST", "/", body=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Kinesis_20131202.ListStreams",
    })
    return conn.getresponse()


def read_until_closed(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


class CommandLine(unittest.TestCase):
    def test_version(self):
        r = run_kinesd("--version")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.strip(), "kinesd 0.1.0")

    def test_help_lists_every_flag_with_default(self):
        r = run_kinesd("--help")
        self.assertEqual(r.returncode, 0)
        for flag, env in [("--listen", "KINESD_LISTEN"), ("--data-dir", "KINESD_DATA_DIR"),
                          ("--durability", "KINESD_DURABILITY"),
                          ("--sync-interval-ms", "KINESD_SYNC_INTERVAL_MS"),
                          ("--transition-ms", "KINESD_TRANSITION_MS"),
                          ("--shard-limit", "KINESD_SHARD_LIMIT"), ("--threads", "KINESD_THREADS"),
                          ("--max-request-bytes", "KINESD_MAX_REQUEST_BYTES"),
                          ("--memory-budget", "KINESD_MEMORY_BUDGET"),
                          ("--idle-timeout-ms", "KINESD_IDLE_TIMEOUT_MS"),
                          ("--log-level", "KINESD_LOG_LEVEL")]:
            self.assertIn(flag, r.stdout)
            self.assertIn(env, r.stdout)
        for default in ["127.0.0.1:4567", "./data", "default sync", "default 100",
                        "default 200", "default 500", "default 12582912", "default 536870912",
                        "default 60000",
                        "default info"]:
            self.assertIn(default, r.stdout)

    def test_bad_flags_fail_with_one_line(self):
        for args in [["--bogus"], ["--threads", "zero"], ["--threads"], ["--durability", "maybe"],
                     ["--listen", "::1:80"], ["--listen", "127.0.0.1"],
                     ["--listen", "127.0.0.1:70000"], ["--log-level=loud"]]:
            r = run_kinesd(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (args, r.stderr))

    def test_bad_environment_value_fails(self):
        r = run_kinesd("--version", env={"KINESD_THREADS": "-3"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("KINESD_THREADS", r.stderr)

    def test_port_in_use_exits_1(self):
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen(1)
            port = holder.getsockname()[1]
            with tempfile.TemporaryDirectory() as tmp:
                r = run_kinesd("--listen", f"127.0.0.1:{port}", "--data-dir", tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}", r.stderr)

    def test_second_kinesd_on_the_same_port_exits_1(self):
        first = start_kinesd()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                r = run_kinesd("--listen", f"127.0.0.1:{first.port}", "--data-dir", tmp)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"cannot listen on 127.0.0.1:{first.port}", r.stderr)
        finally:
            self.assertEqual(first.close(), 0)

    def test_second_kinesd_on_the_same_data_dir_exits_1(self):
        first = start_kinesd()
        try:
            r = run_kinesd("--listen", "127.0.0.1:0", "--data-dir", first.data_dir)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr.strip(),
                             f"kinesd: data directory {first.data_dir} is in use by another kinesd")
        finally:
            self.assertEqual(first.close(), 0)

    def test_unusable_data_dir_exits_1(self):
        with tempfile.NamedTemporaryFile() as f:
            r = run_kinesd("--listen", "127.0.0.1:0", "--data-dir", os.path.join(f.name, "sub"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("data directory", r.stderr)


class Process(unittest.TestCase):
    def test_sigterm_and_sigint_exit_0(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            k = start_kinesd()
            conn = k.connection()
            list_streams_request(conn).read()  # an open keep-alive connection does not hold stop
            rc, logs = k.stop(sig), k.logs()
            conn.close()
            k.close()
            self.assertEqual(rc, 0, logs)

    def test_environment_and_flags(self):
        k = start_kinesd(env={"KINESD_DURABILITY": "none", "KINESD_LISTEN": "127.0.0.1:1"})
        try:
            # the --listen flag given by start_kinesd overrides KINESD_LISTEN
            self.assertEqual(k.listening.group(4), "none")
            self.assertNotEqual(k.port, 1)
        finally:
            k.close()
        k = start_kinesd("--durability", "interval", env={"KINESD_DURABILITY": "none"})
        try:
            self.assertEqual(k.listening.group(4), "interval")
        finally:
            k.close()

    def test_ipv6_listen(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        try:
            k = start_kinesd(listen="[::1]:0")
        except RuntimeError as e:
            self.skipTest(f"::1 not usable here: {e}")
        try:
            self.assertEqual(k.host, "::1")
            conn = k.connection()
            r = list_streams_request(conn)
            r.read()
            conn.close()
            self.assertIn(r.status, (200, 400, 403))
        finally:
            k.close()


class Http(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = start_kinesd("--max-request-bytes", "65536")

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def test_keep_alive_and_standard_headers(self):
        conn = self.k.connection()
        for _ in range(3):
            r = list_streams_request(conn)
            body = r.read()
            self.assertEqual(int(r.getheader("Content-Length")), len(body))
            self.assertIsNotNone(r.getheader("Date"))
            self.assertEqual(r.getheader("Connection"), "keep-alive")
            self.assertIsNotNone(r.getheader("x-amzn-RequestId"))
        conn.close()

    def test_request_too_large(self):
        conn = self.k.connection()
        r = list_streams_request(conn, body=b"{" + b" " * 70000 + b"}")
        body = r.read()
        self.assertEqual(r.status, 413)
        self.assertIn(b"SerializationException", body)
        self.assertEqual(r.getheader("Connection"), "close")
        conn.close()

    def test_body_of_exactly_the_cap_is_taken(self):
        conn = self.k.connection()
        body = b'{"Limit": 1' + b" " * (65536 - 12) + b"}"
        self.assertEqual(len(body), 65536)
        conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/x-amz-json-1.1", "Authorization": AUTHORIZATION,
            "X-Amz-Target": "Kinesis_20131202.ListStreams", "X-Amz-Date": "20250101T000000Z"})
        r = conn.getresponse()
        answer = r.read()
        self.assertEqual(r.status, 200, answer)
        conn.close()

    def test_head_too_large(self):
        conn = self.k.connection()
        conn.putrequest("POST", "/")
        for i in range(700):
            conn.putheader("X-Filler-%03d" % i, "%090d" % i)
        conn.putheader("Content-Length", "2")
        conn.endheaders(b"{}")
        r = conn.getresponse()
        body = r.read()
        self.assertEqual(r.status, 431)
        self.assertIn(b"Request header fields too large", body)
        conn.close()

    def test_http10_closes(self):
        with socket.create_connection((self.k.host, self.k.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.0\r\nContent-Length: 2\r\n"
                      b"X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                      b"Content-Type: application/x-amz-json-1.1\r\n\r\n{}")
            data = read_until_closed(s)
        self.assertTrue(data.startswith(b"HTTP/1.1 "))
        self.assertIn(b"\r\nConnection: close\r\n", data)

    def test_pipelined_requests_in_order(self):
        bodies = [b'{"Limit": %d}' % i for i in range(1, 6)]
        raw = b"".join(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
                       b"X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                       b"Content-Length: %d\r\n\r\n%s" % (len(b), b) for b in bodies)
        with socket.create_connection((self.k.host, self.k.port), timeout=10) as s:
            s.sendall(raw + b"GET /last HTTP/1.1\r\nConnection: close\r\n\r\n")
            data = read_until_closed(s)
        self.assertEqual(data.count(b"HTTP/1.1 "), 6)

    @unittest.skipUnless(shutil.which("curl"), "no curl")
    def test_http2_prior_knowledge(self):
        r = subprocess.run(
            ["curl", "-sS", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_version} %{http_code}",
             "-H", "Content-Type: application/x-amz-json-1.1",
             "-H", "X-Amz-Target: Kinesis_20131202.ListStreams", "--data-binary", "{}",
             f"http://{self.k.host}:{self.k.port}/"], capture_output=True, text=True, timeout=30)
        if "not support" in r.stderr:
            self.skipTest("curl without HTTP/2")
        body, _, status = r.stdout.rpartition("\n")
        self.assertEqual(status.split()[0], "2", r.stderr)
        self.assertTrue(body.startswith("{"), body)


if __name__ == "__main__":
    unittest.main()
