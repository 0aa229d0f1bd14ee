#!/usr/bin/env python3
"""lambda_invoke.py - Lambda invoke round trips against kinesd, cold and warm, per runtime.

For each runtime (provided: the compiled bench/lambda/bootstrap.c; python3.11 and nodejs20.x:
kinesd's runtime clients on a one-line handler) it creates a function, then times synchronous
Invoke calls (a 40-byte event, echoed back) over one keep-alive HTTP connection, unsigned apart
from a well-formed Authorization header (kinesd's open mode): --cold calls each on a new
execution environment (an UpdateFunctionConfiguration before each retires the warm one), then
--warm calls on the warm environment. Prints one line per runtime:
  lambda-invoke runtime=R cold_p50_ms=C cold_max_ms=M warm_p50_ms=W warm_p99_ms=X calls=N
The endpoint must be on loopback.

usage: lambda_invoke.py --endpoint http://127.0.0.1:PORT --bootstrap PATH [--cold N] [--warm N]
"""
import argparse
import http.client
import io
import json
import sys
import time
import urllib.parse
import zipfile

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDKINESDBENCH00000/20250101/us-east-1/lambda/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
ROLE = "arn:aws:iam::000000000000:role/bench"
PYTHON = "def handler(event, context):\n    return event\n"
NODE = "exports.handler = async (event) => event;\n"


def zip_of(name, data, mode):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        zf.writestr(info, data)
    return out.getvalue()


class Api:
    def __init__(self, endpoint):
        url = urllib.parse.urlparse(endpoint)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def call(self, method, path, body=b"", headers=None):
        sent = {"Authorization": AUTH, "X-Amz-Date": "20250101T000000Z",
                "Content-Type": "application/json"}
        sent.update(headers or {})
        self.conn.request(method, path, body=body, headers=sent)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, response.status, data[:200]))
        return data


def create(api, name, runtime, handler, code):
    import base64
    api.call("POST", "/2015-03-31/functions", json.dumps({
        "FunctionName": name, "Runtime": runtime, "Handler": handler, "Role": ROLE,
        "Code": {"ZipFile": base64.b64encode(code).decode()}}).encode())


def timed_invoke(api, name, event):
    start = time.perf_counter()
    answer = api.call("POST", "/2015-03-31/functions/%s/invocations" % name, event)
    elapsed = (time.perf_counter() - start) * 1000
    if json.loads(answer) != json.loads(event):
        raise RuntimeError("unexpected answer %r" % answer[:200])
    return elapsed


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def bench_runtime(api, label, runtime, handler, code, cold, warm):
    name = "bench-" + label.replace(".", "")
    create(api, name, runtime, handler, code)
    event = json.dumps({"bench": "x" * 24}).encode()
    colds = []
    for i in range(cold):
        api.call("PUT", "/2015-03-31/functions/%s/configuration" % name,
                 json.dumps({"Description": "cold %d" % i}).encode())
        colds.append(timed_invoke(api, name, event))
    warms = [timed_invoke(api, name, event) for _ in range(warm)]
    print("lambda-invoke runtime=%s cold_p50_ms=%.1f cold_max_ms=%.1f warm_p50_ms=%.2f "
          "warm_p99_ms=%.2f calls=%d" % (label, percentile(colds, 0.5), max(colds),
                                         percentile(warms, 0.5), percentile(warms, 0.99),
                                         cold + warm), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--warm", type=int, default=2000)
    args = parser.parse_args()
    if not args.endpoint.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        sys.exit("lambda_invoke.py: the endpoint must be on loopback")
    api = Api(args.endpoint)
    with open(args.bootstrap, "rb") as f:
        bench_runtime(api, "provided", "provided.al2023", "bootstrap",
                      zip_of("bootstrap", f.read(), 0o100755), args.cold, args.warm)
    bench_runtime(api, "python3.11", "python3.11", "app.handler", zip_of("app.py", PYTHON, 0o100644),
                  args.cold, args.warm // 4)
    bench_runtime(api, "nodejs20.x", "nodejs20.x", "index.handler",
                  zip_of("index.js", NODE, 0o100644), args.cold, args.warm // 4)


if __name__ == "__main__":
    main()
