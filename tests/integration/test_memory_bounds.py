"""test_memory_bounds.py - kinesd's memory stays bounded whatever its clients do.

Each test starts its own kinesd with a small --memory-budget, runs one attack from raw sockets
(HTTP/1 by hand, HTTP/2 from hand-built frames) for a few seconds while a thread samples the
server's VmRSS, and checks that the peak stays under the budget plus a margin, that a normal
request on a fresh connection is answered meanwhile, and, once the attackers are gone, that the
memory went back to the system. Also: the per-request deadline of HTTP/2 streams, keep-alive
requests sent while the server was stopped (SIGSTOP) longer than its idle timeout, and the 503
answer to a body the budget cannot take; and two of the attacks over TLS (--listen-tls), whose
buffers count too. Under ASan (a shadow heap and a quarantine of freed
memory) the RSS figures mean nothing: there only the behaviour is checked.
"""
import json
import os
import select
import signal
import socket
import ssl
import struct
import threading
import time
import unittest

from kinesd_harness import AUTHORIZATION, Kinesd, b64

MIB = 1 << 20
BUDGET = 64 * MIB
MARGIN = 64 * MIB     # the server's own memory (threads, SQLite, model) and the allocator's slack
IDLE_RSS_SLACK = 24 * MIB  # how far above its idle RSS the server may stay once attackers left
RECORD_BYTES = 1000
RECORDS = 1000        # about 1 MB of records: a GetRecords answer is about 1.4 MB of JSON
ANSWER_DEADLINE_S = 5.0


def target_headers(target, length):
    return [("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "Kinesis_20131202." + target),
            ("x-amz-date", "20250101T000000Z"),
            ("authorization", AUTHORIZATION),
            ("content-length", str(length))]


def http1_request(target, body, length=None):
    """The raw bytes of a POST to TARGET (Content-Length LENGTH, default the body's)."""
    length = len(body) if length is None else length
    head = "".join("%s: %s\r\n" % h for h in target_headers(target, length))
    return b"POST / HTTP/1.1\r\nHost: x\r\n" + head.encode() + b"\r\n" + body


# ---- HTTP/2 by hand -------------------------------------------------------------------------------

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 7, 8
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
INITIAL_WINDOW_SIZE = 4
FILLER = b"x" * 16384


def h2_frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_int(n):
    """An HPACK integer with a 7-bit prefix (the H bit clear: no Huffman coding)."""
    if n < 127:
        return bytes([n])
    out, n = [127], n - 127
    while n >= 128:
        out.append(n % 128 + 128)
        n //= 128
    return bytes(out + [n])


def hpack_block(fields):
    """Literal header fields without indexing, new names: the simplest HPACK there is."""
    out = b""
    for name, value in fields:
        name, value = name.encode(), value.encode()
        out += b"\x00" + hpack_int(len(name)) + name + hpack_int(len(value)) + value
    return out


class H2Client:
    """A raw HTTP/2 connection that sends what the test says and tracks the server's flow-control
    windows, resets and GOAWAY from the frames it reads (it decodes no header block)."""

    def __init__(self, server, initial_window=None):
        self.sock = socket.create_connection((server.host, server.port), timeout=10)
        settings = b"" if initial_window is None else struct.pack(">HI", INITIAL_WINDOW_SIZE,
                                                                   initial_window)
        self.sock.sendall(PREFACE + h2_frame(SETTINGS, 0, 0, settings))
        self.sock.setblocking(False)
        self.inbox = b""
        self.conn_window = 65535
        self.initial_stream_window = 65535
        self.windows = {}
        self.reset = set()
        self.ended = set()  # streams whose answer ended (END_STREAM)
        self.gone = False

    def open_stream(self, stream, fields, end_stream=False):
        flags = END_HEADERS | (END_STREAM if end_stream else 0)
        self.sendall(h2_frame(HEADERS, flags, stream, hpack_block(fields)))
        self.windows[stream] = self.initial_stream_window

    def request(self, stream, target, body):
        fields = [(":method", "POST"), (":scheme", "http"), (":path", "/"),
                  (":authority", "x")] + target_headers(target, len(body))
        self.open_stream(stream, fields)
        self.sendall(h2_frame(DATA, END_STREAM, stream, body))

    def sendall(self, data):
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        finally:
            self.sock.setblocking(False)

    def try_send(self, data):
        """Sends what the socket takes now; the number of bytes sent (0 when it is full)."""
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError:
            self.gone = True
            return 0

    def pump(self, timeout=0.0):
        """Reads and handles the frames that arrived (waiting up to TIMEOUT for the first)."""
        if not select.select([self.sock], [], [], timeout)[0]:
            return
        try:
            chunk = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except ConnectionError:
            chunk = b""
        if not chunk:
            self.gone = True
            return
        self.inbox += chunk
        while len(self.inbox) >= 9:
            length = int.from_bytes(self.inbox[:3], "big")
            if len(self.inbox) < 9 + length:
                break
            kind, flags = self.inbox[3], self.inbox[4]
            stream = int.from_bytes(self.inbox[5:9], "big") & 0x7FFFFFFF
            payload, self.inbox = self.inbox[9:9 + length], self.inbox[9 + length:]
            self.handle(kind, flags, stream, payload)

    def handle(self, kind, flags, stream, payload):
        if kind == SETTINGS and not flags & ACK:
            for i in range(0, len(payload), 6):
                key, value = struct.unpack(">HI", payload[i:i + 6])
                if key == INITIAL_WINDOW_SIZE:
                    for s in self.windows:
                        self.windows[s] += value - self.initial_stream_window
                    self.initial_stream_window = value
            self.sendall(h2_frame(SETTINGS, ACK, 0))
        elif kind == WINDOW_UPDATE:
            increment = int.from_bytes(payload, "big") & 0x7FFFFFFF
            if stream == 0:
                self.conn_window += increment
            elif stream in self.windows:
                self.windows[stream] += increment
        elif kind in (DATA, HEADERS) and flags & END_STREAM:
            self.ended.add(stream)
        elif kind == RST_STREAM:
            self.reset.add(stream)
        elif kind == GOAWAY:
            self.gone = True

    def send_data(self, streams, frame_size=16384):
        """One DATA frame on each of STREAMS, as far as the windows allow, in one write (the
        socket may block for up to its timeout); the bytes of data sent."""
        frames, total = [], 0
        for stream in streams:
            size = min(frame_size, self.conn_window, self.windows.get(stream, 0))
            if size <= 0 or stream in self.reset:
                continue
            frames.append(h2_frame(DATA, 0, stream, FILLER[:size]))
            self.conn_window -= size
            self.windows[stream] -= size
            total += size
        if frames:
            try:
                self.sendall(b"".join(frames))
            except OSError:
                self.gone = True
        return total

    def close(self):
        self.sock.close()


# ---- the server and its memory ----------------------------------------------------------------


def vm_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class RssSampler(threading.Thread):
    """Samples the server's VmRSS every 20 ms until stopped; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, vm_rss(self.pid))
            self.done.wait(0.02)

    def stop(self):
        self.done.set()
        self.join()
        self.peak = max(self.peak, vm_rss(self.pid))
        return self.peak


class ServerCase(unittest.TestCase):
    """One kinesd per test (IDLE_TIMEOUT_MS, a BUDGET of memory, a TLS port with TLS) and the
    checks on its memory."""
    IDLE_TIMEOUT_MS = 30000
    TLS = False

    def setUp(self):
        self.server = Kinesd(durability="none", tls=self.TLS, extra_args=[
            "--memory-budget", str(BUDGET), "--threads", "2",
            "--idle-timeout-ms", str(self.IDLE_TIMEOUT_MS)])
        self.server.start()
        self.addCleanup(self.stop_server)
        self.pid = self.server.proc.pid
        with open(self.server.binary, "rb") as f:
            self.sanitized = b"__asan_init" in f.read()  # static or shared ASan runtime
        self.sockets = []

    def stop_server(self):
        for s in self.sockets:
            s.close()
        rc = self.server.close()
        self.assertEqual(rc, 0, "kinesd did not exit 0")

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before and hasattr(self, "server"):
            print("\n--- kinesd log (tail) ---\n%s" % self.server.logs(4000))
        return outcome

    def seed_records(self):
        """A 1-shard stream holding about RECORDS x RECORD_BYTES; returns a GetRecords body."""
        kinesis = self.server.client()
        kinesis.create_stream(StreamName="mem", ShardCount=1)
        deadline = time.monotonic() + 10
        while kinesis.describe_stream_summary(StreamName="mem")[
                "StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "stream not ACTIVE")
            time.sleep(0.05)
        for start in range(0, RECORDS, 500):
            kinesis.put_records(StreamName="mem", Records=[
                {"Data": bytes([65 + i % 26]) * RECORD_BYTES, "PartitionKey": "k%d" % i}
                for i in range(start, min(RECORDS, start + 500))])
        shard = kinesis.list_shards(StreamName="mem")["Shards"][0]["ShardId"]
        iterator = kinesis.get_shard_iterator(StreamName="mem", ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return json.dumps({"ShardIterator": iterator}).encode()

    def assert_normal_request_answered(self):
        start = time.monotonic()
        status, _, body = self.server.post("ListStreams", {}, timeout=ANSWER_DEADLINE_S)
        self.assertEqual(status, 200, body)
        self.assertLess(time.monotonic() - start, ANSWER_DEADLINE_S)

    def assert_peak_bounded(self, peak, attack):
        print("\n%s: peak RSS %.1f MiB (budget %d MiB)" % (attack, peak / MIB, BUDGET // MIB))
        if not self.sanitized:
            self.assertLess(peak, BUDGET + MARGIN, "%s: peak RSS %.0f MiB" % (attack, peak / MIB))

    def assert_memory_returned(self, idle_rss, attack):
        """After the attackers left, RSS falls back near what it was before."""
        deadline = time.monotonic() + 10
        while vm_rss(self.pid) > idle_rss + IDLE_RSS_SLACK and time.monotonic() < deadline:
            time.sleep(0.1)
        after = vm_rss(self.pid)
        print("%s: RSS %.1f MiB before, %.1f MiB after" % (attack, idle_rss / MIB, after / MIB))
        if not self.sanitized:
            self.assertLess(after, idle_rss + IDLE_RSS_SLACK,
                            "%s: RSS stayed at %.0f MiB" % (attack, after / MIB))

    def connect(self, rcvbuf=None):
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect((self.server.host, self.server.port))
        self.sockets.append(s)
        return s

    def close_attackers(self, sockets):
        for s in sockets:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            self.sockets.remove(s)

    def feed(self, sockets, payloads, seconds):
        """Sends each socket its payload, as far as the server takes it within SECONDS (less
        once the server took nothing for a second)."""
        sent = {s: 0 for s in sockets}
        for s in sockets:
            s.setblocking(False)
        deadline = time.monotonic() + seconds
        last_progress = time.monotonic()
        while time.monotonic() < min(deadline, last_progress + 1.0):
            pending = [s for s in sockets if s in sent and sent[s] < len(payloads[s])]
            if not pending:
                break
            _, writable, _ = select.select([], pending, [], 0.1)
            for s in writable:
                try:
                    sent[s] += s.send(payloads[s][sent[s]:sent[s] + (256 << 10)])
                    last_progress = time.monotonic()
                except BlockingIOError:
                    pass
                except OSError:  # refused (503) and closed
                    del sent[s]
        return sent


class MemoryBoundsTest(ServerCase):
    """The attacks."""

    def test_http1_large_bodies_held_almost_complete(self):
        """200 connections each send most of a 12 MB body and hold it."""
        idle = vm_rss(self.pid)
        length = 12 * 1000 * 1000
        payload = http1_request("PutRecord", b"x" * (length - 1), length)
        attackers = [self.connect() for _ in range(200)]
        sampler = RssSampler(self.pid)
        sampler.start()
        self.feed(attackers, {s: payload for s in attackers}, 6)
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "HTTP/1 bodies")
        self.close_attackers(attackers)
        self.assert_memory_returned(idle, "HTTP/1 bodies")

    def test_http1_pipelining_clients_that_never_read(self):
        """20 connections pipeline GetRecords (1.4 MB answers) and never read."""
        request = http1_request("GetRecords", self.seed_records())
        idle = vm_rss(self.pid)
        attackers = [self.connect(rcvbuf=4096) for _ in range(20)]
        sampler = RssSampler(self.pid)
        sampler.start()
        self.feed(attackers, {s: request * 200 for s in attackers}, 3)
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "HTTP/1 unread responses")
        self.close_attackers(attackers)
        self.assert_memory_returned(idle, "HTTP/1 unread responses")

    def test_http2_endless_bodies_on_every_stream(self):
        """Two HTTP/2 connections send never-ending bodies on 128 streams each, as fast as the
        server's flow control lets them."""
        idle = vm_rss(self.pid)
        fields = [(":method", "POST"), (":scheme", "http"), (":path", "/"), (":authority", "x"),
                  ("x-amz-target", "Kinesis_20131202.PutRecord"),
                  ("content-type", "application/x-amz-json-1.1")]
        clients = [H2Client(self.server) for _ in range(2)]
        streams = range(1, 257, 2)
        for client in clients:
            for stream in streams:
                client.open_stream(stream, fields)
        sampler = RssSampler(self.pid)
        sampler.start()
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            progressed = False
            for client in clients:
                client.pump()
                progressed = client.send_data(streams) > 0 or progressed
            if not progressed:
                for client in clients:
                    client.pump(0.05)
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "HTTP/2 endless bodies")
        for client in clients:
            client.close()
        self.assert_memory_returned(idle, "HTTP/2 endless bodies")

    def test_http2_zero_window_client(self):
        """One HTTP/2 connection with a zero receive window asks for 128 GetRecords."""
        body = self.seed_records()
        idle = vm_rss(self.pid)
        client = H2Client(self.server, initial_window=0)
        sampler = RssSampler(self.pid)
        sampler.start()
        for stream in range(1, 257, 2):
            client.request(stream, "GetRecords", body)
        time.sleep(3)  # never reads: the answers cannot leave
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "HTTP/2 zero window")
        client.close()
        self.assert_memory_returned(idle, "HTTP/2 zero window")

    def test_budget_refuses_a_body_it_cannot_hold(self):
        """Declared bodies are counted in full once admitted: past 3/4 of the budget a large
        one is answered 503 at once, before it is sent, and nothing of it is stored."""
        kinesis = self.server.client()
        kinesis.create_stream(StreamName="refused", ShardCount=1)
        filler = [self.connect() for _ in range(4)]  # 4 x 12 MB admitted: 46 of the 48 MiB
        for s in filler:
            s.sendall(http1_request("PutRecord", b"", 12 * 1000 * 1000))
        record = json.dumps({"StreamName": "refused", "PartitionKey": "k",
                             "Data": b64(b"y" * (3 * MIB))}).encode()
        with socket.create_connection((self.server.host, self.server.port), timeout=10) as s:
            head = http1_request("PutRecord", b"", len(record))
            s.sendall(head[:-4] + b"\r\nExpect: 100-continue\r\n\r\n")
            answer = s.recv(65536)
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                more = s.recv(65536)
                if not more:
                    break
                answer += more
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 503 "), head)
        self.assertIn(b"\r\nConnection: close", head)
        error = json.loads(body)
        self.assertEqual(error["__type"], "ServiceUnavailable")
        self.assertIn("Retry", error["message"])
        self.close_attackers(filler)
        shard = kinesis.list_shards(StreamName="refused")["Shards"][0]["ShardId"]
        iterator = kinesis.get_shard_iterator(StreamName="refused", ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(kinesis.get_records(ShardIterator=iterator)["Records"], [])


class TlsMemoryBoundsTest(ServerCase):
    """Attacks over TLS: what the server holds encrypted or not yet decrypted is counted too.
    Each attacker finishes its handshake first (Python's ssl over memory buffers), then feeds
    its requests as ciphertext through the raw socket."""
    TLS = True

    def tls_attacker(self, payload, rcvbuf=None):
        """A socket with a finished TLS handshake, and PAYLOAD encrypted for it."""
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", self.server.tls_port))
        self.sockets.append(sock)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ssl.create_default_context(cafile=self.server.ca_file).wrap_bio(
            incoming, outgoing, server_hostname="localhost")
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        sock.sendall(outgoing.read())
        tls.write(payload)
        return sock, outgoing.read()

    def test_tls_pipelining_clients_that_never_read(self):
        """20 TLS connections pipeline GetRecords (1.4 MB answers) and never read."""
        request = http1_request("GetRecords", self.seed_records())
        idle = vm_rss(self.pid)
        attackers = dict(self.tls_attacker(request * 200, rcvbuf=4096) for _ in range(20))
        sampler = RssSampler(self.pid)
        sampler.start()
        self.feed(list(attackers), attackers, 3)
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "TLS unread responses")
        self.close_attackers(list(attackers))
        self.assert_memory_returned(idle, "TLS unread responses")

    def test_tls_large_bodies_held_almost_complete(self):
        """40 TLS connections each send most of a 4 MB body and hold it."""
        idle = vm_rss(self.pid)
        length = 4 * 1000 * 1000
        payload = http1_request("PutRecord", b"x" * (length - 1), length)
        attackers = dict(self.tls_attacker(payload) for _ in range(40))
        sampler = RssSampler(self.pid)
        sampler.start()
        self.feed(list(attackers), attackers, 6)
        self.assert_normal_request_answered()
        self.assert_peak_bounded(sampler.stop(), "TLS bodies")
        self.close_attackers(list(attackers))
        self.assert_memory_returned(idle, "TLS bodies")


class DeadlinesTest(ServerCase):
    """Timeouts, with a short idle timeout."""
    IDLE_TIMEOUT_MS = 1500

    def test_http2_trickling_request_is_reset(self):
        """A stream whose body trickles in, a byte every 0.5 s, is reset once idle_timeout_ms
        passed since its first byte; the connection goes on."""
        client = H2Client(self.server)
        client.open_stream(1, [(":method", "POST"), (":scheme", "http"), (":path", "/"),
                               (":authority", "x")])
        start = time.monotonic()
        while 1 not in client.reset and time.monotonic() - start < 8:
            client.send_data([1], 1)
            client.pump(0.5)
        self.assertIn(1, client.reset, "the trickling stream was never reset")
        self.assertGreater(time.monotonic() - start, 1.0)
        self.assertFalse(client.gone)
        client.request(3, "ListStreams", b"{}")
        deadline = time.monotonic() + ANSWER_DEADLINE_S
        while 3 not in client.ended and not client.gone and time.monotonic() < deadline:
            client.pump(0.1)
        self.assertIn(3, client.ended, "no answer on the connection after the reset")
        client.close()

    def test_keep_alive_requests_sent_while_stopped_are_answered(self):
        """Requests sent on idle keep-alive connections while kinesd is stopped (SIGSTOP) for
        longer than its idle timeout are answered after SIGCONT, not reset."""
        request = http1_request("ListStreams", b"{}")
        conns = [self.connect() for _ in range(4)]
        for s in conns:
            s.settimeout(10)
            s.sendall(request)
            self.assertTrue(read_response(s).startswith(b"HTTP/1.1 200 "))
        time.sleep(0.5)  # idle, part of the timeout gone
        os.kill(self.pid, signal.SIGSTOP)
        try:
            for s in conns:
                s.sendall(request)
            time.sleep(2.0)
        finally:
            os.kill(self.pid, signal.SIGCONT)
        for s in conns:
            self.assertTrue(read_response(s).startswith(b"HTTP/1.1 200 "))


def read_response(sock):
    """One whole response (head and Content-Length body) from SOCK; b"" on EOF or reset."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return b""
            body += chunk
        return data
    except ConnectionError:
        return b""


if __name__ == "__main__":
    unittest.main()
