"""test_tls.py - HTTPS on --listen-tls, as the stock clients use it.

The aws CLI with --ca-bundle, boto3 with verify=, curl --http2, Node's @aws-sdk/client-kinesis
SubscribeToShard (HTTP/2 over TLS) with NODE_EXTRA_CA_CERTS, Python's ssl for ALPN, protocol
versions and session resumption; a plain request on the TLS port and a TLS hello on the plain
port; the development CA kept across restarts; an operator's certificate (--tls-cert, --tls-key);
and aws:SecureTransport in verify mode. The certificate's renewal is unit-tested
(tests/unit/test_net_tls.c): it depends on the date.
"""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import warnings

from iam_fixture import VerifyTestCase
from kinesd_harness import ACCESS_KEY, AUTHORIZATION, REGION, SECRET_KEY, Kinesd, KinesdTestCase

JS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "js")


def tls_context(ca_file, alpn=None, maximum=None):
    """A client context that trusts CA_FILE as strictly as Python can verify."""
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if maximum:
        ctx.maximum_version = maximum
    return ctx


def list_streams_request():
    return (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n"
            b"X-Amz-Target: Kinesis_20131202.ListStreams\r\nX-Amz-Date: 20250101T000000Z\r\n"
            b"Authorization: " + AUTHORIZATION.encode() + b"\r\nContent-Length: 2\r\n\r\n{}")


class TlsTest(KinesdTestCase):
    SERVER_ARGS = {"tls": True}

    def https(self):
        return self.server.client(tls=True)

    def connect_tls(self, ctx, session=None):
        raw = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=10)
        return ctx.wrap_socket(raw, server_hostname="localhost", session=session)

    def test_aws_cli_with_ca_bundle(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_MAX_ATTEMPTS="1")
        base = ["aws", "--endpoint-url", self.server.tls_endpoint, "--ca-bundle",
                self.server.ca_file, "--output", "json", "kinesis"]

        def aws(*args):
            done = subprocess.run(base + list(args), env=env, capture_output=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr.decode())
            out = done.stdout.decode().strip()
            return json.loads(out) if out else None

        aws("create-stream", "--stream-name", "cli-tls", "--shard-count", "1")
        self.wait_active("cli-tls")
        put = aws("put-record", "--stream-name", "cli-tls", "--partition-key", "k", "--data",
                  "aGVsbG8=")
        it = aws("get-shard-iterator", "--stream-name", "cli-tls", "--shard-id", put["ShardId"],
                 "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
        records = aws("get-records", "--shard-iterator", it)["Records"]
        self.assertEqual([r["SequenceNumber"] for r in records], [put["SequenceNumber"]])
        # Without the CA the CLI refuses the certificate: it is the development CA's, not a public one.
        done = subprocess.run(base[:3] + ["--output", "json", "kinesis", "list-streams"], env=env,
                              capture_output=True, timeout=60)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", done.stderr.decode())

    def test_boto3_with_verify(self):
        kinesis = self.https()
        kinesis.create_stream(StreamName="boto-tls", ShardCount=2)
        self.wait_active("boto-tls")
        big = b"z" * 600000  # several TLS records each way
        out = kinesis.put_records(StreamName="boto-tls", Records=[
            {"Data": big, "PartitionKey": "a"}, {"Data": b"small", "PartitionKey": "b"}])
        self.assertEqual(out["FailedRecordCount"], 0)
        shard = out["Records"][0]["ShardId"]
        it = kinesis.get_shard_iterator(StreamName="boto-tls", ShardId=shard,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got = kinesis.get_records(ShardIterator=it)["Records"]
        self.assertIn(big, [r["Data"] for r in got])

    def test_curl_http2(self):
        if not shutil.which("curl"):
            self.skipTest("curl is not installed")
        done = subprocess.run(
            ["curl", "-sS", "--http2", "--cacert", self.server.ca_file,
             self.server.tls_endpoint + "/", "-H", "Content-Type: application/x-amz-json-1.1",
             "-H", "X-Amz-Target: Kinesis_20131202.ListStreams", "-H",
             "X-Amz-Date: 20250101T000000Z", "-H", "Authorization: " + AUTHORIZATION, "-d", "{}",
             "-w", "\n%{http_version} %{http_code}"], capture_output=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr.decode())
        body, status = done.stdout.decode().rsplit("\n", 1)
        self.assertEqual(status, "2 200")
        self.assertIn("StreamNames", json.loads(body))

    def test_node_subscribe_to_shard_over_https(self):
        if not shutil.which("node") or not os.path.isdir(
                os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-kinesis")):
            self.skipTest("node or @aws-sdk/client-kinesis is not installed (npm ci in tests/js)")
        kinesis = self.https()
        kinesis.create_stream(StreamName="node-tls", ShardCount=1)
        self.wait_active("node-tls")
        arn = kinesis.describe_stream_summary(StreamName="node-tls")[
            "StreamDescriptionSummary"]["StreamARN"]
        consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="node")
        consumer_arn = consumer["Consumer"]["ConsumerARN"]
        deadline = time.monotonic() + 10
        while kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        sent = ["record-%d" % i for i in range(5)]
        for text in sent:
            kinesis.put_record(StreamName="node-tls", Data=text.encode(), PartitionKey="p")
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=self.server.ca_file)
        done = subprocess.run(["node", os.path.join(JS_DIR, "subscribe.js"),
                               self.server.tls_endpoint, consumer_arn, "shardId-000000000000",
                               str(len(sent))], env=env, capture_output=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr.decode())
        out = json.loads(done.stdout.decode().strip().splitlines()[-1])
        self.assertEqual([r["data"] for r in out["records"]], sent)

    def test_alpn_versions_and_session_resumption(self):
        for alpn, chosen in ((["h2", "http/1.1"], "h2"), (["http/1.1"], "http/1.1"),
                             (["spdy/3"], None)):
            with self.connect_tls(tls_context(self.server.ca_file, alpn)) as s:
                self.assertEqual(s.selected_alpn_protocol(), chosen, alpn)
        for maximum in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
            ctx = tls_context(self.server.ca_file, maximum=maximum)
            session, reused = None, []
            for _ in range(3):
                with self.connect_tls(ctx, session) as s:
                    s.sendall(list_streams_request())
                    self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 OK"))
                    reused.append(s.session_reused)
                    session = s.session
            self.assertEqual(reused, [False, True, True], maximum)
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(self.server.ca_file)
        old.set_ciphers("DEFAULT:@SECLEVEL=0")  # so that this client may offer TLS 1.1 at all
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
        with self.assertRaises(ssl.SSLError) as caught:
            self.connect_tls(old)
        refused = str(caught.exception)
        if "NO_CIPHERS_AVAILABLE" not in refused and "NO_PROTOCOLS_AVAILABLE" not in refused:
            self.assertIn("PROTOCOL_VERSION", refused)  # the server's alert: 1.2 at least

    def test_plain_http_request_on_the_tls_port(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.tls_port, timeout=10)
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "Kinesis_20131202.ListStreams",
            "Content-Type": "application/x-amz-json-1.1"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        conn.close()
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["__type"], "InvalidProtocolException")
        self.assertIn("Use an https:// endpoint here", body["message"])

    def test_tls_hello_on_the_plain_port(self):
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        start = time.monotonic()
        with self.assertRaises(ssl.SSLError) as caught:
            tls_context(self.server.ca_file).wrap_socket(raw, server_hostname="localhost")
        raw.close()
        self.assertIn("HANDSHAKE_FAILURE", str(caught.exception))
        self.assertLess(time.monotonic() - start, 5.0, "refused at once, not at a timeout")
        deadline = time.monotonic() + 5
        while "a TLS handshake from 127.0.0.1 on the plain HTTP port" not in self.server.logs():
            self.assertLess(time.monotonic(), deadline, "the server logs why")
            time.sleep(0.05)

    def test_requests_over_both_ports_see_the_same_streams(self):
        self.create_stream("both-ports")
        names = self.https().list_streams()["StreamNames"]
        self.assertIn("both-ports", names)


class TlsFilesTest(unittest.TestCase):
    """The development CA across restarts; an operator's certificate; bad TLS flags."""

    def start(self, **kwargs):
        server = Kinesd(**kwargs)
        self.addCleanup(server.close)
        return server.start()

    def test_development_ca_is_kept_across_restarts(self):
        server = self.start(tls=True)
        with open(server.ca_file, "rb") as f:
            ca = f.read()
        key_mode = os.stat(os.path.join(server.data_dir, "tls", "ca.key")).st_mode & 0o777
        self.assertEqual(key_mode, 0o600)
        self.assertEqual(server.stop(), 0)
        server.restart()
        with open(server.ca_file, "rb") as f:
            self.assertEqual(f.read(), ca)
        self.assertEqual(server.client(tls=True).list_streams()["StreamNames"], [])

    def test_operator_certificate(self):
        if not shutil.which("openssl"):
            self.skipTest("openssl is not installed")
        tmp = tempfile.mkdtemp(prefix="kinesd-tls-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        server = self.start(tls=True, extra_args=["--tls-cert", cert, "--tls-key", key])
        self.assertFalse(os.path.exists(os.path.join(server.data_dir, "tls")))
        raw = socket.create_connection(("127.0.0.1", server.tls_port), timeout=10)
        ctx = ssl.create_default_context(cafile=cert)
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(list_streams_request())
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 OK"))

    def run_kinesd(self, *args):
        tmp = tempfile.mkdtemp(prefix="kinesd-tls-")
        self.addCleanup(shutil.rmtree, tmp, True)
        probe = Kinesd()
        self.addCleanup(shutil.rmtree, probe.root, True)
        return subprocess.run([probe.binary, "--listen", "127.0.0.1:0", "--data-dir",
                               os.path.join(tmp, "data")] + list(args),
                              capture_output=True, timeout=30)

    def test_bad_tls_flags(self):
        done = self.run_kinesd("--listen-tls", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--tls-cert and --tls-key must be given together", done.stderr.decode())
        done = self.run_kinesd("--tls-cert", "/a.pem", "--tls-key", "/b.pem")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--tls-cert needs --listen-tls", done.stderr.decode())
        done = self.run_kinesd("--listen-tls", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem",
                               "--tls-key", "/nonexistent.key")
        self.assertEqual(done.returncode, 1)
        self.assertIn("kinesd: TLS: cannot load the certificate /nonexistent.pem",
                      done.stderr.decode())


class SecureTransportTest(VerifyTestCase):
    """aws:SecureTransport is true over TLS and false over plain HTTP (verify mode)."""

    SERVER_ARGS = dict(VerifyTestCase.SERVER_ARGS, tls=True)

    def test_policy_condition_on_secure_transport(self):
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError

        self.kinesis.create_stream(StreamName="secure", ShardCount=1)
        creds = self.user_with_policy("tls-only", {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "kinesis:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})

        def client(endpoint, verify=None):
            return boto3.client("kinesis", endpoint_url=endpoint, verify=verify,
                                region_name=REGION, aws_access_key_id=creds[0],
                                aws_secret_access_key=creds[1],
                                config=Config(retries={"total_max_attempts": 1}))

        summary = client(self.server.tls_endpoint, self.server.ca_file).describe_stream_summary(
            StreamName="secure")
        self.assertEqual(summary["StreamDescriptionSummary"]["StreamName"], "secure")
        with self.assertRaises(ClientError) as caught:
            client(self.server.endpoint).describe_stream_summary(StreamName="secure")
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDeniedException")


if __name__ == "__main__":
    unittest.main()
