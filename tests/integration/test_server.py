"""test_server - kinesd's HTTP/1.1 front door and command line, over raw sockets.

1,000 concurrent connections all answered, pipelined requests answered in order, Expect:
100-continue, chunked request bodies, the request-size cap (413, server keeps serving), keep-alive,
and --help / --version / a bad flag.
"""

import json
import resource
import selectors
import socket
import subprocess
import time
import unittest

from kinesd_harness import AUTHORIZATION, KinesdTestCase, b64, kinesd_bin

CONNECTIONS = 1000
MAX_REQUEST_BYTES = 2 * 1024 * 1024
IO_TIMEOUT_S = 20


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def request_head(target, length=None, extra=()):
    lines = ["POST / HTTP/1.1", "Host: 127.0.0.1",
             "Content-Type: application/x-amz-json-1.1",
             "X-Amz-Target: Kinesis_20131202." + target,
             "X-Amz-Date: 20250101T000000Z",
             "Authorization: " + AUTHORIZATION]
    if length is not None:
        lines.append("Content-Length: %d" % length)
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def request_bytes(target, body):
    payload = json.dumps(body).encode()
    return request_head(target, len(payload)) + payload


def read_response(f):
    """One HTTP/1.1 response from a binary file: (status, headers, body bytes)."""
    status_line = f.readline()
    if not status_line:
        raise ConnectionError("connection closed before a response")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, value = line.split(b":", 1)
        headers[name.strip().lower().decode()] = value.strip().decode()
    if 100 <= status < 200:
        return status, headers, b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            chunk = f.read(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        return status, headers, body
    return status, headers, f.read(int(headers.get("content-length", "0")))


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    return sock, sock.makefile("rb")


class Server(KinesdTestCase):

    SERVER_ARGS = dict(extra_args=["--max-request-bytes", str(MAX_REQUEST_BYTES)])

    @classmethod
    def setUpClass(cls):
        raise_fd_limit(CONNECTIONS * 2 + 200)   # kinesd inherits the limit
        super().setUpClass()
        cls.kinesis.create_stream(StreamName="front", ShardCount=1)
        cls.kinesis.get_waiter("stream_exists").wait(
            StreamName="front", WaiterConfig={"Delay": 1, "MaxAttempts": 10})

    def stored(self):
        records, _ = self.read_shard("front", "shardId-000000000000")
        return [r["Data"] for r in records]

    def test_many_connections(self):
        socks = []
        try:
            for _ in range(CONNECTIONS):
                socks.append(socket.create_connection(("127.0.0.1", self.server.port),
                                                      timeout=IO_TIMEOUT_S))
            request = request_bytes("DescribeStreamSummary", {"StreamName": "front"})
            for s in socks:
                s.sendall(request)
            answered = self.collect_status_lines(socks)
            self.assertEqual(len(answered), CONNECTIONS, "connections left unanswered")
            self.assertEqual({line.split()[1] for line in answered.values()}, {b"200"})
        finally:
            for s in socks:
                s.close()
        self.assertEqual(self.kinesis.list_streams()["StreamNames"], ["front"])

    def collect_status_lines(self, socks):
        """Reads from every socket until each has a full status line; bounded in time."""
        selector = selectors.DefaultSelector()
        buffers = {}
        for s in socks:
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ)
            buffers[s] = b""
        answered = {}
        deadline = time.monotonic() + 60
        while len(answered) < len(socks) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                chunk = key.fileobj.recv(65536)
                buffers[key.fileobj] += chunk
                if b"\r\n" in buffers[key.fileobj] or not chunk:
                    answered[key.fileobj] = buffers[key.fileobj].split(b"\r\n")[0]
                    selector.unregister(key.fileobj)
        selector.close()
        return answered

    def test_pipelined_requests(self):
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_bytes("PutRecord", {"StreamName": "front", "PartitionKey": "p",
                                                     "Data": b64(b"pipe-1")})
                         + request_bytes("PutRecord", {"StreamName": "front",
                                                       "PartitionKey": "p",
                                                       "Data": b64(b"pipe-2")})
                         + request_bytes("DescribeStreamSummary", {"StreamName": "front"}))
            first, second, third = (read_response(f) for _ in range(3))
        self.assertEqual((first[0], second[0], third[0]), (200, 200, 200))
        seq1 = json.loads(first[2])["SequenceNumber"]
        seq2 = json.loads(second[2])["SequenceNumber"]
        self.assertLess(int(seq1), int(seq2))
        self.assertIn("StreamDescriptionSummary", json.loads(third[2]))
        data = self.stored()
        self.assertLess(data.index(b"pipe-1"), data.index(b"pipe-2"))

    def test_keep_alive(self):
        sock, f = connect(self.server.port)
        with sock, f:
            for i in range(5):
                sock.sendall(request_bytes("ListStreams", {}))
                status, headers, body = read_response(f)
                self.assertEqual(status, 200)
                self.assertNotEqual(headers.get("connection", "").lower(), "close")
                self.assertIn("front", json.loads(body)["StreamNames"])

    def test_expect_100_continue(self):
        payload = json.dumps({"StreamName": "front", "PartitionKey": "p",
                              "Data": b64(b"continued")}).encode()
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_head("PutRecord", len(payload), ["Expect: 100-continue"]))
            status, _, _ = read_response(f)
            self.assertEqual(status, 100, "no 100 Continue before the body was sent")
            sock.sendall(payload)
            status, headers, body = read_response(f)
        self.assertEqual(status, 200, body)
        self.assertIn(b"continued", self.stored())

    def test_chunked_body(self):
        payload = json.dumps({"StreamName": "front", "PartitionKey": "p",
                              "Data": b64(b"chunked body")}).encode()
        pieces = [payload[i:i + 7] for i in range(0, len(payload), 7)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_head("PutRecord", None, ["Transfer-Encoding: chunked"]))
            for i in range(0, len(body), 11):     # in small writes, split mid-chunk
                sock.sendall(body[i:i + 11])
            status, headers, reply = read_response(f)
        self.assertEqual(status, 200, reply)
        self.assertIn("SequenceNumber", json.loads(reply))
        self.assertIn(b"chunked body", self.stored())

    def test_request_size_cap(self):
        before = self.stored()
        too_big = json.dumps({"StreamName": "front", "PartitionKey": "p",
                              "Data": b64(b"x" * MAX_REQUEST_BYTES)}).encode()
        # A declared length over the cap is refused on the headers alone.
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_head("PutRecord", len(too_big)))
            status, _, _ = read_response(f)
        self.assertEqual(status, 413)
        # A chunked body is refused once it grows past the cap.
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(too_big), too_big)
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_head("PutRecord", None, ["Transfer-Encoding: chunked"]))
            try:
                for i in range(0, len(chunked), 65536):
                    sock.sendall(chunked[i:i + 65536])
            except OSError:
                pass    # the server answered and closed before reading it all
            status, _, _ = read_response(f)
        self.assertEqual(status, 413)
        self.assertEqual(self.stored(), before)
        self.assertEqual(self.kinesis.list_streams()["StreamNames"], ["front"])

    def test_request_id_header(self):
        sock, f = connect(self.server.port)
        with sock, f:
            sock.sendall(request_bytes("ListStreams", {}))
            status, headers, _ = read_response(f)
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("x-amzn-requestid"))
        self.assertEqual(headers.get("content-type"), "application/x-amz-json-1.1")


class CommandLine(unittest.TestCase):

    def run_kinesd(self, *args):
        return subprocess.run([kinesd_bin()] + list(args), capture_output=True, timeout=10)

    def test_help(self):
        done = self.run_kinesd("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        text = done.stdout.decode()
        for flag in ("--listen", "--data-dir", "--durability", "--transition-ms",
                     "--shard-limit", "--max-request-bytes", "--help", "--version"):
            self.assertIn(flag, text)

    def test_version(self):
        done = self.run_kinesd("--version")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout.decode(), r"\d+\.\d+\.\d+")

    def test_bad_flag(self):
        done = self.run_kinesd("--no-such-flag")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--no-such-flag", done.stderr.decode())
        self.assertEqual(done.stdout, b"")


if __name__ == "__main__":
    unittest.main()
