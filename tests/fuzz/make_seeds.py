#!/usr/bin/env python3
"""make_seeds - writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Run it again after a service model changes (the request-body seeds follow the models: one body per
operation with every member its input shape has, valid for Kinesis; in JSON for the JSON and
REST-JSON models, in CBOR for Kinesis and the RPC v2 CBOR models, form-encoded for the query
models) or to add seeds;
the corpora are committed, so CI and the fuzz runs start from them. Inputs that once found a bug
are kept as seeds too (named after what they found). Formats: see each target's file comment.
"""

import base64
import json
import os
import struct
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SPEC = os.path.join(ROOT, "spec")
ACCOUNT = "000000000000"
STREAM_ARN = "arn:aws:kinesis:us-east-1:%s:stream/s" % ACCOUNT
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Values that satisfy the model's patterns, by shape name.
SAMPLE_STRINGS = {
    "StreamName": "s",
    "ConsumerName": "c",
    "StreamARN": STREAM_ARN,
    "ResourceARN": STREAM_ARN,
    "ConsumerARN": STREAM_ARN + "/consumer/c:1700000000",
    "ShardId": "shardId-000000000000",
    "HashKey": "170141183460469231731687303715884105728",
    "SequenceNumber": "49" + "0" * 54,
    "StreamId": "a" * 20 + "-abc",
    "PartitionKey": "k",
    "TagKey": "team",
    "TagValue": "data",
    "Policy": "{}",
}


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- request bodies from the model --------------------------------------------------------------

def sample(shapes, name, depth=0):
    """A value of shape NAME that satisfies its constraints (a tagged tuple for the encoders)."""
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        return ("struct", [(member, sample(shapes, spec["shape"], depth + 1))
                           for member, spec in shape["members"].items() if depth < 4])
    if kind == "list":
        return ("list", [sample(shapes, shape["member"]["shape"], depth + 1)])
    if kind == "map":
        return ("map", [(SAMPLE_STRINGS["TagKey"], sample(shapes, shape["value"]["shape"],
                                                          depth + 1))])
    if kind == "string":
        if "enum" in shape:
            return ("text", shape["enum"][0])
        return ("text", SAMPLE_STRINGS.get(name, "x" * max(1, shape.get("min", 1))))
    if kind in ("integer", "long"):
        return ("int", max(1, shape.get("min", 1)))
    if kind == "blob":
        return ("blob", b"hello")
    if kind == "timestamp":
        return ("time", 1700000000123)
    if kind == "boolean":
        return ("bool", True)
    return ("float", 1.5)


def to_json(value):
    kind, v = value
    if kind in ("struct", "map"):
        return {k: to_json(x) for k, x in v}
    if kind == "list":
        return [to_json(x) for x in v]
    if kind == "blob":
        return base64.b64encode(v).decode()
    if kind == "time":
        return v / 1000.0
    return v


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | extra]) + struct.pack(fmt, n)
    raise ValueError(n)


def to_cbor(value, indefinite=False):
    """CBOR as the AWS SDK for Java writes it (INDEFINITE: maps and lists of indefinite length,
    as that SDK sends them; timestamps as tag 1 with epoch milliseconds)."""
    kind, v = value
    if kind in ("struct", "map"):
        body = b"".join(to_cbor(("text", k)) + to_cbor(x, indefinite) for k, x in v)
        return b"\xbf" + body + b"\xff" if indefinite else cbor_head(5, len(v)) + body
    if kind == "list":
        body = b"".join(to_cbor(x, indefinite) for x in v)
        return b"\x9f" + body + b"\xff" if indefinite else cbor_head(4, len(v)) + body
    if kind == "text":
        data = v.encode()
        return cbor_head(3, len(data)) + data
    if kind == "blob":
        return cbor_head(2, len(v)) + v
    if kind == "int":
        return cbor_head(0, v) if v >= 0 else cbor_head(1, -1 - v)
    if kind == "time":
        return b"\xc1" + cbor_head(0, v)
    if kind == "bool":
        return b"\xf5" if v else b"\xf4"
    return b"\xfb" + struct.pack(">d", v)


def to_form(value, prefix=""):
    """The query protocols' form pairs of a value: members joined with '.', lists as
    NAME.member.N, maps as NAME.entry.N.key / .value (N from 1)."""
    kind, v = value
    if kind == "map":
        return [pair for i, (k, x) in enumerate(v, 1)
                for pair in [("%s.entry.%d.key" % (prefix, i), k)]
                + to_form(x, "%s.entry.%d.value" % (prefix, i))]
    if kind == "struct":
        return [pair for k, x in v for pair in to_form(x, prefix + "." + k if prefix else k)]
    if kind == "list":
        return [pair for i, x in enumerate(v, 1)
                for pair in to_form(x, "%s.member.%d" % (prefix, i))]
    if kind == "blob":
        return [(prefix, base64.b64encode(v).decode())]
    if kind == "bool":
        return [(prefix, "true" if v else "false")]
    if kind == "time":
        return [(prefix, "2023-11-14T22:13:20Z")]
    return [(prefix, str(v))]


def request_bodies():
    for path in sorted(os.listdir(SPEC)):
        if not path.endswith(".service.json"):
            continue
        model = json.load(open(os.path.join(SPEC, path)))
        meta = model["metadata"]
        service = meta.get("signingName") or meta["endpointPrefix"]
        protocol = meta["protocol"]
        shapes = model["shapes"]
        for op, spec in sorted(model["operations"].items()):
            value = sample(shapes, spec["input"]["shape"]) if "input" in spec else ("struct", [])
            name = op if service == "kinesis" else "%s/%s" % (service, op)
            file_name = name.replace("/", "-")
            prefix = (name + "\n").encode()
            if protocol == "query":
                form = "&".join("%s=%s" % (k, urllib.parse.quote(x, safe=""))
                                for k, x in to_form(value))
                write("fuzz_proto_query", file_name, prefix + form.encode())
            if protocol in ("json", "rest-json"):
                write("fuzz_proto_json", file_name, prefix + json.dumps(to_json(value)).encode())
            if service == "kinesis" or protocol == "smithy-rpc-v2-cbor":
                write("fuzz_proto_cbor", file_name, prefix + to_cbor(value))
                write("fuzz_proto_cbor", file_name + "-indefinite",
                      prefix + to_cbor(value, indefinite=True))
    # inputs that found bugs (issue 6)
    write("fuzz_proto_json", "shard_count_2_63", b'CreateStream\n{"StreamName":"s",'
                                                 b'"ShardCount":9223372036854775807}')
    write("fuzz_proto_json", "nul_in_value", b'CreateStream\n{"StreamName":"a\\u0000b"}')
    write("fuzz_proto_json", "bad_base64_utf8", 'PutRecord\n{"Data":"a\u00e9d="}'.encode())
    write("fuzz_proto_json", "partition_key_not_utf8",
          b'PutRecord\n{"PartitionKey":"\xf6\xac\x8b\x92","Data":""}')
    write("fuzz_proto_query", "value_not_utf8", b"iam/GetPolicy\nPolicyArn=xxxx\xff\xff%FF")
    write("fuzz_proto_query", "timestamp_1e300", b"monitoring/GetMetricStatistics\nStartTime=1e300")
    write("fuzz_proto_cbor", "shard_count_2_64", b"CreateStream\n\xa1\x6aShardCount\x1b"
                                                 + b"\xff" * 8)
    write("fuzz_proto_cbor", "partition_key_not_utf8",
          b"PutRecord\n\xa2\x6cPartitionKey\x64\xff\xfe\x00\x6b\x64Data\x41x")
    write("fuzz_proto_cbor", "map_of_2_63_entries", b"ListStreams\n\xbb\x80" + b"\x00" * 7)
    write("fuzz_proto_cbor", "array_of_2_64_items",
          b"PutRecords\n\xa1\x67Records\x9b" + b"\xff" * 9)


# ---- HTTP/1.1 ---------------------------------------------------------------------------------

def http1_request(body=b'{"StreamName":"s"}', method="POST", url="/", extra=(), length=True):
    head = ["%s %s HTTP/1.1" % (method, url), "Host: localhost",
            "Content-Type: application/x-amz-json-1.1",
            "X-Amz-Target: Kinesis_20131202.DescribeStream"] + list(extra)
    if length:
        head.append("Content-Length: %d" % len(body))
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def http1_requests():
    write("fuzz_net_http1", "post", http1_request())
    write("fuzz_net_http1", "pipelined", http1_request() * 3 + http1_request(url="/empty"))
    write("fuzz_net_http1", "stream", http1_request(url="/stream"))
    write("fuzz_net_http1", "chunked", http1_request(
        b"5\r\nhello\r\n3;ext=1\r\n abc\r\n0\r\nTrailer: x\r\n\r\n", length=False,
        extra=["Transfer-Encoding: chunked"]))
    write("fuzz_net_http1", "expect_continue", http1_request(extra=["Expect: 100-continue"]))
    write("fuzz_net_http1", "close", http1_request(extra=["Connection: close"]) + http1_request())
    write("fuzz_net_http1", "http10", b"GET / HTTP/1.0\r\n\r\n")
    write("fuzz_net_http1", "too_large", http1_request(b"x" * 3100))
    write("fuzz_net_http1", "malformed", b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")
    write("fuzz_net_http1", "folded_header",
          b"POST / HTTP/1.1\r\nX-Amz-Target: a\r\n  b\r\nContent-Length: 0\r\n\r\n")
    # a HEAD and a request behind it: the HEAD's answer has no body, the next one is intact
    write("fuzz_net_http1", "head_pipelined", b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
                                              + http1_request())


# ---- HTTP/2 -------------------------------------------------------------------------------------

def h2_frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + \
        struct.pack(">I", stream) + payload


def hpack_literal(name, value):
    """A header field as a literal without indexing, new name, no Huffman coding."""
    return b"\x00" + bytes([len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


def h2_headers(stream, path="/", end_stream=False, method="POST"):
    block = b"".join(hpack_literal(n, v) for n, v in (
        (":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost"),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "Kinesis_20131202.DescribeStream")))
    return h2_frame(0x1, 0x4 | (0x1 if end_stream else 0), stream, block)


def h2_frames():
    settings = h2_frame(0x4, 0, 0)
    body = b'{"StreamName":"s"}'
    data_end = h2_frame(0x0, 0x1, 1, body)
    write("fuzz_net_h2", "post", settings + h2_headers(1) + data_end)
    write("fuzz_net_h2", "get", settings + h2_headers(1, end_stream=True, method="GET"))
    write("fuzz_net_h2", "stream", settings + h2_headers(1, "/stream") + data_end)
    write("fuzz_net_h2", "two_streams", settings + h2_headers(1) + h2_headers(3, "/empty")
          + h2_frame(0x0, 0x1, 3) + data_end)
    write("fuzz_net_h2", "reset", settings + h2_headers(1) + h2_frame(0x3, 0, 1, b"\0\0\0\x08"))
    write("fuzz_net_h2", "ping_window_goaway", settings + h2_frame(0x6, 0, 0, b"12345678")
          + h2_frame(0x8, 0, 0, b"\0\x01\0\0") + h2_headers(1) + data_end
          + h2_frame(0x7, 0, 0, b"\0\0\0\x01\0\0\0\0"))
    split = h2_headers(1)
    block = split[9:]
    write("fuzz_net_h2", "continuation", settings + h2_frame(0x1, 0, 1, block[:10])
          + h2_frame(0x9, 0x4, 1, block[10:]) + data_end)
    write("fuzz_net_h2", "too_large", settings + h2_headers(1)
          + h2_frame(0x0, 0, 1, b"x" * 3100) + h2_frame(0x0, 0x1, 1, b"y"))


# ---- the smaller targets ----------------------------------------------------------------------

def small_inputs():
    auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=00")
    write("fuzz_core_caller", "signed", b"\x01/\0" + auth.encode())
    write("fuzz_core_caller", "account_key", b"\x03/\0" + auth.replace(
        "AKIDEXAMPLE", "123456789012").encode())
    write("fuzz_core_caller", "region_with_account", b"\x01/\0" + auth.replace(
        "us-east-1", "us-east-1:111111111111").encode())
    write("fuzz_core_caller", "incomplete", b"\x00/\0AWS4-HMAC-SHA256 Credential=AKID")
    write("fuzz_core_caller", "presigned",
          b"\x04/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2F"
          b"eu-west-1%2Fkinesis%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Signature=00"
          b"&X-Amz-SignedHeaders=host\0")
    fields = [b"POST", b"/a/./b/../c//d", b"b=2&a=1&a=%20", b"eu-west-1", b"kinesis",
              b"20261126T070000Z", b"secret"]
    headers = [b"Host", b"kinesis.eu-west-1.amazonaws.com", b"X-Amz-Date", b"20261126T070000Z",
               b"My-Header", b"  a   b  "]
    write("fuzz_auth_sigv4", "request", b"\0".join(fields) + b"\0\x03" + b"\0".join(headers)
          + b"\0" + b'{"StreamName":"s"}')
    write("fuzz_auth_sigv4", "dot_dot_at_root", b"GET\0../a\0")
    seqno = b"49" + b"00000001764140000000" + b"0000000007" + b"000000000000000000001234"
    write("fuzz_kinesis_seqno", "issued", seqno)
    write("fuzz_kinesis_seqno", "fields", bytes(range(48)))
    write("fuzz_kinesis_iterator", "fields", struct.pack("<QQQQ", 7, 1, 99, 1764140000000)
          + b"orders")
    write("fuzz_kinesis_iterator", "token", base64.b64encode(b"1764140000000:s"))
    write("fuzz_proto_eventstream", "event", b"\x02\x00:event-type\0SubscribeToShardEvent\0"
          b":content-type\0application/json\0{}")
    write("fuzz_proto_eventstream", "long_value", b"\x81\x11name\0v\0payload")
    for name, text in [("arithmetic", b"(a + b) * -2 / (b - 1)"),
                       ("functions", b'SUM(FILL(METRICS("a"), LINEAR)) - AVG(RATE(DIFF(ABS(b))))'),
                       ("self", b"e + 1"),
                       ("if", b"IF(a > 3 AND NOT b == 0 || !(a <= b), a, -1)")]:
        write("fuzz_monitoring_math", name, text)


def main():
    request_bodies()
    http1_requests()
    h2_frames()
    small_inputs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
