"""Lambda functions end to end with the stock aws CLI and boto3: a bash bootstrap speaking the
Runtime API with curl, Python and Node handlers through kinesd's runtime clients, Tail logs,
function errors, timeouts, a crashing runtime recycled, versions, concurrency and deletion."""

import base64
import json
import os
import sys
import tempfile
import unittest

from kinesd_harness import AUTHORIZATION
from lambda_fixtures import (BASH_BOOTSTRAP, NODE_HANDLER, PYTHON_HANDLER, ROLE, LambdaTestCase,
                             make_zip)
from test_kinesctl import EXIT_NOT_FOUND, kinesctl


class FunctionsTest(LambdaTestCase):
    SERVER_ARGS = {"transition_ms": 300,
                   "extra_args": ["--lambda-python", sys.executable]}

    def test_bash_bootstrap_with_the_aws_cli(self):
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = os.path.join(tmp, "function.zip")
            with open(zip_path, "wb") as f:
                f.write(make_zip({"bootstrap": BASH_BOOTSTRAP}))
            rc, created, err = self.server.aws(
                "create-function", "--function-name", "bash-fn", "--runtime", "provided.al2023",
                "--handler", "function.handler", "--role", ROLE,
                "--zip-file", "fileb://" + zip_path, service="lambda")
            self.assertEqual(rc, 0, err)
            self.assertEqual(created["State"], "Pending")  # --transition-ms 300
            rc, _, err = self.server.aws("wait", "function-active-v2", "--function-name",
                                         "bash-fn", service="lambda")
            self.assertEqual(rc, 0, err)
            out_path = os.path.join(tmp, "out.json")
            rc, answer, err = self.server.aws(
                "invoke", "--function-name", "bash-fn", "--payload", '{"n": 1}',
                "--log-type", "Tail", out_path, service="lambda")
            self.assertEqual(rc, 0, err)
            with open(out_path) as f:
                self.assertEqual(json.load(f), {"echo": {"n": 1}, "handler": "function.handler"})
        self.assertEqual(answer["StatusCode"], 200)
        self.assertEqual(answer["ExecutedVersion"], "$LATEST")
        log = base64.b64decode(answer["LogResult"]).decode()
        self.assertRegex(log, r"^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n")
        self.assertIn('bash runtime got: {"n": 1}', log)
        self.assertRegex(log, r"END RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\t"
                              r"Duration: [0-9.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB"
                              r"\tMax Memory Used: \d+ MB\t")

    def test_log_route_reads_only_the_callers_own_account(self):
        """kinesd's log route (kinesctl logs, the console) wants a signed request, and a caller
        reads the logs of its own account's functions only."""
        self.create_function("logged-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER})
        self.invoke("logged-fn", {})
        path = "/_kinesd/lambda/logs/000000000000/us-east-1/logged-fn"
        cases = [({}, 400, b"MissingAuthenticationTokenException"),
                 ({"Authorization": AUTHORIZATION.replace("AKIDEXAMPLE", "111111111111")}, 403,
                  b""),
                 ({"Authorization": AUTHORIZATION}, 200, b"START RequestId")]
        for headers, status, text in cases:
            with self.subTest(headers=headers):
                conn = self.server.connection()
                conn.request("GET", path, headers=dict(headers, **{"X-Amz-Date": "20250101T000000Z"}))
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                self.assertEqual(resp.status, status)
                self.assertIn(text, body)

    def test_python_handler(self):
        self.create_function("py-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER},
                             Environment={"Variables": {"GREETING": "hi"}})
        response, body = self.invoke("py-fn", {"a": [1, 2]}, LogType="Tail")
        self.assertNotIn("FunctionError", response)
        self.assertEqual(body["echo"], {"a": [1, 2]})
        self.assertEqual(body["function"], "py-fn")
        self.assertEqual(body["memory"], "128")
        self.assertEqual(body["greeting"], "hi")
        self.assertEqual(body["region"], "us-east-1")
        self.assertTrue(body["remaining_ok"])
        self.assertEqual(body["request_id"],
                         response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"])
        self.assertIn('python handler got {"a": [1, 2]}',
                      base64.b64decode(response["LogResult"]).decode())
        # warm: the same environment answers again
        response, body = self.invoke("py-fn", {"fail": True})
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "python says no")
        self.assertIsInstance(body["stackTrace"], list)

    def test_node_handlers(self):
        self.create_function("node-fn", "nodejs20.x", "index.handler", {"index.js": NODE_HANDLER})
        response, body = self.invoke("node-fn", {"b": 2})
        self.assertEqual(body["echo"], {"b": 2})
        self.assertEqual(body["functionName"], "node-fn")
        self.assertTrue(body["remainingOk"])
        response, body = self.invoke("node-fn", {"fail": 1})
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual((body["errorType"], body["errorMessage"]), ("TypeError", "node says no"))
        self.assertTrue(body["stackTrace"][0].startswith("TypeError: node says no"))
        self.lam.update_function_configuration(FunctionName="node-fn",
                                               Handler="index.withCallback")
        self.lam.get_waiter("function_updated_v2").wait(
            FunctionName="node-fn", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        response, body = self.invoke("node-fn", {"c": 3})
        self.assertEqual(body, {"callback": {"c": 3}})

    def test_timeout_kills_the_environment(self):
        self.create_function("slow-fn", "provided.al2", "x", {"bootstrap": BASH_BOOTSTRAP},
                             Timeout=1)
        response, body = self.invoke("slow-fn", {"sleep": 5}, LogType="Tail")
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(body["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 1.00 seconds", body["errorMessage"])
        self.assertIn("Task timed out after 1.00 seconds",
                      base64.b64decode(response["LogResult"]).decode())
        response, body = self.invoke("slow-fn", {"sleep": 0})  # a new environment answers
        self.assertEqual(body["echo"], {"sleep": 0})

    def test_memory_size_is_enforced(self):
        self.create_function("hog-fn", "python3.11", "lambda_function.hog",
                             {"lambda_function.py": PYTHON_HANDLER}, MemorySize=128, Timeout=10)
        response, body = self.invoke("hog-fn", {})
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.OutOfMemory")

    def test_crashing_runtime_is_recycled(self):
        self.create_function("crash-fn", "provided.al2023", "x", {"bootstrap": BASH_BOOTSTRAP})
        self.assertEqual(self.invoke("crash-fn", {"ok": 1})[1]["echo"], {"ok": 1})
        response, body = self.invoke("crash-fn", {"crash": True})
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertIn("Runtime exited with error: exit status 3", body["errorMessage"])
        self.assertEqual(self.invoke("crash-fn", {"ok": 2})[1]["echo"], {"ok": 2})

    def test_missing_module_is_an_init_error(self):
        self.create_function("nomodule-fn", "python3.12", "missing.handler",
                             {"lambda_function.py": PYTHON_HANDLER})
        response, body = self.invoke("nomodule-fn", {})
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertIn("Unable to import module 'missing'", body["errorMessage"])

    def test_versions_concurrency_and_delete(self):
        self.create_function("ver-fn", "python3.11", "lambda_function.lambda_handler",
                             {"lambda_function.py": PYTHON_HANDLER}, Publish=True)
        versions = self.lam.list_versions_by_function(FunctionName="ver-fn")["Versions"]
        self.assertEqual([v["Version"] for v in versions], ["$LATEST", "1"])
        self.lam.update_function_configuration(FunctionName="ver-fn",
                                               Environment={"Variables": {"GREETING": "v2"}})
        self.lam.get_waiter("function_updated_v2").wait(
            FunctionName="ver-fn", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(self.lam.publish_version(FunctionName="ver-fn")["Version"], "2")
        response, body = self.invoke("ver-fn", {}, Qualifier="1")
        self.assertEqual((response["ExecutedVersion"], body["greeting"]), ("1", None))
        response, body = self.invoke("ver-fn:2", {})
        self.assertEqual((response["ExecutedVersion"], body["greeting"]), ("2", "v2"))
        self.lam.put_function_concurrency(FunctionName="ver-fn", ReservedConcurrentExecutions=0)
        self.assertEqual(self.lam.get_function(FunctionName="ver-fn")["Concurrency"],
                         {"ReservedConcurrentExecutions": 0})
        with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as ctx:
            self.invoke("ver-fn", {})
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.lam.delete_function_concurrency(FunctionName="ver-fn")
        self.lam.delete_function(FunctionName="ver-fn", Qualifier="1")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName="ver-fn", Qualifier="1")
        self.lam.delete_function(FunctionName="ver-fn")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
            self.invoke("ver-fn", {})
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ver-fn")
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertNotIn("ver-fn", names)

    def test_kinesctl_function_commands(self):
        endpoint = self.server.endpoint
        with tempfile.TemporaryDirectory() as code:
            with open(os.path.join(code, "lambda_function.py"), "w") as f:
                f.write(PYTHON_HANDLER)
            rc, out, err = kinesctl(endpoint, "function", "create", "ctl-fn", "--runtime",
                                    "python3.11", "--handler", "lambda_function.lambda_handler",
                                    "--code", code, "--output", "json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["State"], "Active")
        rc, out, err = kinesctl(endpoint, "function", "invoke", "ctl-fn", '{"k": 1}', "--log")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["echo"], {"k": 1})
        self.assertIn("START RequestId:", err)
        rc, out, err = kinesctl(endpoint, "function", "invoke", "ctl-fn", '{"fail": 1}')
        self.assertEqual((rc, json.loads(out)["errorType"]), (1, "ValueError"))
        rc, out, err = kinesctl(endpoint, "function", "list")
        self.assertIn("ctl-fn\tpython3.11", out)
        rc, out, err = kinesctl(endpoint, "logs", "ctl-fn")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.count("REPORT RequestId:"), 2)
        self.assertIn('python handler got {"k": 1}', out)
        self.assertEqual(kinesctl(endpoint, "function", "delete", "ctl-fn")[0], 0)
        self.assertEqual(kinesctl(endpoint, "function", "invoke", "ctl-fn")[0], EXIT_NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
