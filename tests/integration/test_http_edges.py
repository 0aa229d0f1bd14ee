"""test_http_edges - what kinesd answers before it knows the operation, as AWS answers it.

Recorded AWS behaviour (and issue 11's list): CORS preflights and CORS headers, XML refusals of
methods other than POST, the legacy application/json coral envelope, 400s for unknown targets
and for content types AWS cannot name (answered in CBOR), the order of the checks (an unreadable
body before authentication, mistyped values after), presigned-query signature errors,
x-amz-id-2 on every answer, and empty bodies for operations without output.
"""

import base64
import json
import socket
import unittest

from kinesd_harness import AUTHORIZATION, KinesdTestCase

TARGET = "Kinesis_20131202.ListStreams"
JSON11 = "application/x-amz-json-1.1"


class HttpEdges(KinesdTestCase):
    SERVER_ARGS = {"transition_ms": 0}

    def request(self, method="POST", path="/", body=b"", headers=None):
        conn = self.server.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
        finally:
            conn.close()

    def signed(self, **extra):
        headers = {"Content-Type": JSON11, "X-Amz-Target": TARGET,
                   "X-Amz-Date": "20250101T000000Z", "Authorization": AUTHORIZATION}
        headers.update(extra)
        return {k: v for k, v in headers.items() if v is not None}

    def assert_ids(self, headers):
        self.assertRegex(headers["x-amzn-requestid"], r"^[0-9a-f-]{36}$")
        self.assertEqual(len(base64.b64decode(headers["x-amz-id-2"])), 72)

    def test_cors_preflight(self):
        status, headers, body = self.request("OPTIONS", headers={
            "Origin": "http://console.example", "Access-Control-Request-Headers": "a, b, c",
            "Access-Control-Request-Method": "POST"})
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(headers["access-control-allow-origin"], "*")
        self.assertEqual(headers["access-control-max-age"], "172800")
        self.assertEqual(headers["access-control-allow-headers"], "a, b, c")
        self.assertEqual(headers["access-control-allow-methods"], "POST")
        self.assertEqual(headers["content-length"], "0")
        self.assertNotIn("x-amz-id-2", headers)

    def test_cors_on_answers(self):
        status, headers, body = self.request(body=b"{}", headers=self.signed(Origin="http://x"))
        self.assertEqual(status, 200)
        self.assertEqual(headers["access-control-allow-origin"], "*")
        self.assertIn("x-amzn-RequestId", headers["access-control-expose-headers"])
        self.assertIn("x-amz-id-2", headers["access-control-expose-headers"])
        self.assert_ids(headers)
        _, plain, _ = self.request(body=b"{}", headers=self.signed())
        self.assertNotIn("access-control-allow-origin", plain)

    def test_methods_other_than_post_are_refused_in_xml(self):
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                status, headers, body = self.request(method, headers=self.signed())
                self.assertEqual(status, 403)
                self.assertNotIn("content-type", headers)
                self.assertEqual(body.decode(),
                                 "<AccessDeniedException>\n  <Message>Unable to determine "
                                 "service/operation name to be authorized</Message>\n"
                                 "</AccessDeniedException>\n")
                self.assert_ids(headers)

    def test_head_is_answered_with_headers_only(self):
        """RFC 9110 9.3.2: a HEAD's answer has GET's Content-Length and no body, so a request
        pipelined behind it reads intact."""
        _, get_headers, get_body = self.request("GET", headers=self.signed())
        request = ("%s / HTTP/1.1\r\nHost: x\r\nX-Amz-Date: 20250101T000000Z\r\n"
                   "Authorization: " + AUTHORIZATION + "\r\n%s\r\n")
        wire = (request % ("HEAD", "") + request % ("GET", "Connection: close\r\n")).encode()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as sock:
            sock.sendall(wire)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        head_answer, rest = received.split(b"\r\n\r\n", 1)
        self.assertIn(b"Content-Length: %d\r\n" % len(get_body), head_answer + b"\r\n")
        self.assertTrue(rest.startswith(b"HTTP/1.1 403 "), rest[:40])
        self.assertTrue(rest.endswith(b"\r\n\r\n" + get_body))
        self.assertEqual(get_headers["content-length"], str(len(get_body)))

    def test_unknown_target_and_empty_body(self):
        cases = [({"X-Amz-Target": None}, b"{}", "UnknownOperationException"),
                 ({"X-Amz-Target": "Kinesis_20131202.Nope"}, b"{}", "UnknownOperationException"),
                 ({}, b"", "SerializationException"),
                 ({"X-Amz-Target": "Nope.ListStreams"}, b"", "UnknownOperationException")]
        for extra, body, error in cases:
            with self.subTest(extra=extra, body=body):
                status, headers, raw = self.request(body=body, headers=self.signed(**extra))
                self.assertEqual(status, 400)
                self.assertEqual(headers["content-type"], JSON11)
                self.assertEqual(json.loads(raw), {"__type": error})

    def test_content_type_it_cannot_name_is_answered_in_cbor(self):
        for ct, target, error in (("text/plain", TARGET, b"SerializationException"),
                                  (None, TARGET, b"SerializationException"),
                                  ("text/plain", None, b"UnknownOperationException")):
            with self.subTest(ct=ct, target=target):
                status, headers, raw = self.request(
                    body=b"{}", headers=self.signed(**{"Content-Type": ct, "X-Amz-Target": target}))
                self.assertEqual(status, 400)
                self.assertEqual(headers["content-type"], "application/x-amz-cbor-1.1")
                self.assertIn(b"__type", raw)
                self.assertIn(error, raw)

    def test_legacy_json_gets_the_coral_envelope(self):
        status, headers, raw = self.request(
            body=b"{}", headers=self.signed(**{"Content-Type": "application/json"}))
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(json.loads(raw), {
            "Output": {"__type": "com.amazon.coral.service#UnknownOperationException",
                       "message": None}, "Version": "1.0"})
        status, _, raw = self.request(
            body=b"hello", headers=self.signed(**{"Content-Type": "application/json"}))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(raw), {
            "Output": {"__type": "com.amazon.coral.service#SerializationException",
                       "Message": None}, "Version": "1.0"})

    def test_unreadable_body_comes_before_authentication(self):
        status, _, raw = self.request(body=b"hello", headers=self.signed(Authorization=None))
        self.assertEqual((status, json.loads(raw)), (400, {"__type": "SerializationException"}))
        # A readable body of the wrong types is judged only once the caller is known.
        status, _, raw = self.request(body=b'{"Limit": "ten"}',
                                      headers=self.signed(Authorization=None))
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(raw)["__type"], "MissingAuthenticationTokenException")

    def test_presigned_query_errors(self):
        both = self.request(path="/?X-Amz-Algorithm", body=b"{}", headers=self.signed())
        self.assertEqual(json.loads(both[2]), {
            "__type": "InvalidSignatureException",
            "message": "Found both 'X-Amz-Algorithm' as a query-string param and "
                       "'Authorization' as HTTP header."})
        empty = self.request(path="/?X-Amz-Algorithm", body=b"{}",
                             headers=self.signed(Authorization=None))
        self.assertEqual(json.loads(empty[2]), {
            "__type": "IncompleteSignatureException",
            "message": "AWS query-string parameters must include 'X-Amz-Algorithm'. "
                       "AWS query-string parameters must include 'X-Amz-Credential'. "
                       "AWS query-string parameters must include 'X-Amz-Signature'. "
                       "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                       "AWS query-string parameters must include 'X-Amz-Date'. "
                       "Re-examine the query-string parameters."})
        one = self.request(path="/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c"
                                "&X-Amz-Date=d", body=b"{}",
                           headers=self.signed(Authorization=None))
        self.assertEqual(json.loads(one[2])["message"],
                         "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                         "Re-examine the query-string parameters.")
        none = self.request(path="/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c"
                                 "&X-Amz-Date=d", body=b"{}",
                            headers=self.signed(Authorization=None))
        self.assertEqual(json.loads(none[2])["__type"], "MissingAuthenticationTokenException")
        presigned = self.request(
            path="/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250101%2F"
                 "us-east-1%2Fkinesis%2Faws4_request&X-Amz-Signature=00&X-Amz-SignedHeaders=host"
                 "&X-Amz-Date=20250101T000000Z", body=b"{}",
            headers=self.signed(Authorization=None))
        self.assertEqual(presigned[0], 200)

    def test_operations_without_output_answer_an_empty_body(self):
        status, headers, raw = self.request(
            body=json.dumps({"StreamName": "empty-answer", "ShardCount": 1}).encode(),
            headers=self.signed(**{"X-Amz-Target": "Kinesis_20131202.CreateStream"}))
        self.assertEqual((status, raw, headers["content-length"]), (200, b"", "0"))
        self.assert_ids(headers)


if __name__ == "__main__":
    unittest.main()
