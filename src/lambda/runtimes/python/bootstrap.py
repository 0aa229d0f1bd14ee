"""kinesd's runtime interface client for Python functions (python3.11, 3.12, 3.13).

kinesd starts it in the function's directory (LAMBDA_TASK_ROOT) with AWS_LAMBDA_RUNTIME_API
naming the execution environment's own Runtime API. It loads _HANDLER ("module.function", the
module path may have slashes), then loops: GET .../invocation/next, call the handler with the
event and a context object, POST the result to .../response or the error to .../error as
{errorMessage, errorType, requestId, stackTrace}. A handler that cannot be loaded is reported to
.../init/error (Runtime.ImportModuleError, Runtime.HandlerNotFound, ...) and the process exits.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = "/2018-06-01/runtime"


class RuntimeClient:
    """One keep-alive connection to the Runtime API (reopened when it drops)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, API + path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        return None, b""

    def next(self):
        return self.call("GET", "/invocation/next")

    def post(self, path, payload, error_type=None):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.call("POST", path, json.dumps(payload).encode("utf-8"), headers)


class Context:
    """What Lambda hands a Python handler as its second argument."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = json.loads(client_context) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def error_body(exc, error_type=None, request_id=None):
    body = {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__))[1:]
        if exc.__traceback__ else [],
    }
    if request_id:
        body["requestId"] = request_id
    return body


def load_handler(spec, task_root):
    module_path, _, function_name = spec.rpartition(".")
    if not module_path:
        raise InitError("Runtime.MalformedHandlerName",
                        "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
    sys.path.insert(0, task_root)
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InitError("Runtime.ImportModuleError",
                        "Unable to import module '%s': %s" % (module_name, exc)) from None
    except SyntaxError as exc:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s"
                        % (module_name, exc)) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound",
                        "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


class RequestIdFilter(logging.Filter):
    """Stamps the current request id on log records, as Lambda's log format shows it."""

    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def set_up_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def serve(client, handler):
    while True:
        response, body = client.next()
        if response is None or response.status != 200:
            sys.exit(0)  # the environment is going away
        request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        RequestIdFilter.request_id = request_id
        context = Context(request_id, int(response.getheader("Lambda-Runtime-Deadline-Ms", "0")),
                          response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                          response.getheader("Lambda-Runtime-Client-Context"))
        os.environ["_X_AMZN_TRACE_ID"] = response.getheader("Lambda-Runtime-Trace-Id", "")
        try:
            result = handler(json.loads(body) if body else None, context)
            payload = json.dumps(result).encode("utf-8")
        except Exception as exc:  # the function's error, reported as Lambda reports it
            error = error_body(exc, request_id=request_id)
            print("[ERROR] %s: %s" % (error["errorType"], error["errorMessage"]), flush=True)
            client.post("/invocation/%s/error" % request_id, error, error["errorType"])
            continue
        sys.stdout.flush()
        client.call("POST", "/invocation/%s/response" % request_id, payload,
                    {"Content-Type": "application/json"})


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    set_up_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""),
                               os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    except InitError as exc:
        print("[ERROR] %s: %s" % (exc.error_type, exc), flush=True)
        client.post("/init/error", error_body(exc, exc.error_type), exc.error_type)
        sys.exit(1)
    except Exception as exc:  # the module raised while it was imported
        client.post("/init/error", error_body(exc), type(exc).__name__)
        sys.exit(1)
    serve(client, handler)


if __name__ == "__main__":
    main()
