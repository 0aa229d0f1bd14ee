"""Bad input to the Lambda API: hostile zips (../ entries, symbolic links out of the tree, zip
bombs), missing handlers, unknown runtimes, payloads over the quotas, malformed JSON. Each gets
AWS's error type and status, and nothing is half-created: the function is not listed and its
directory does not exist."""

import json
import os
import unittest

from lambda_fixtures import (BASH_BOOTSTRAP, ROLE, LambdaTestCase, make_zip, zip_bomb)

CODE_LIMIT = 4 << 20


class BadInputTest(LambdaTestCase):
    SERVER_ARGS = {"extra_args": ["--lambda-code-limit-bytes", str(CODE_LIMIT)]}

    def refused(self, error_type, status, name="bad-fn", **kwargs):
        """Creates a function expecting error_type; checks nothing was left behind."""
        args = dict(FunctionName=name, Runtime="provided.al2023", Handler="x", Role=ROLE,
                    Code={"ZipFile": make_zip({"bootstrap": BASH_BOOTSTRAP})})
        args.update(kwargs)
        with self.assertRaises(self.lam.exceptions.ClientError) as ctx:
            self.lam.create_function(**args)
        error = ctx.exception.response
        self.assertEqual(error["Error"]["Code"], error_type, error)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"], error_type)
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertNotIn(name, names)
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "functions", "000000000000",
                                                     "us-east-1", name)))
        return error["Error"]["Message"]

    def test_zip_with_parent_entries(self):
        message = self.refused("InvalidParameterValueException", 400, Code={"ZipFile": make_zip(
            {"bootstrap": BASH_BOOTSTRAP, "../../escaped.txt": "x"})})
        self.assertIn("../../escaped.txt", message)
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "escaped.txt")))

    def test_absolute_entry(self):
        self.refused("InvalidParameterValueException", 400,
                     Code={"ZipFile": make_zip({"/tmp/kinesd-abs.txt": "x"})})

    def test_symlink_out_of_the_tree(self):
        message = self.refused("InvalidParameterValueException", 400, Code={"ZipFile": make_zip(
            {"bootstrap": BASH_BOOTSTRAP}, symlinks={"lib/passwd": "../../../../etc/passwd"})})
        self.assertIn("symbolic link", message)

    def test_symlink_inside_the_tree_is_fine(self):
        self.lam.create_function(
            FunctionName="link-fn", Runtime="provided.al2023", Handler="x", Role=ROLE,
            Code={"ZipFile": make_zip({"bootstrap": BASH_BOOTSTRAP},
                                      symlinks={"lib/boot": "../bootstrap"})})
        self.lam.delete_function(FunctionName="link-fn")

    def test_zip_bomb(self):
        message = self.refused("InvalidParameterValueException", 400,
                               Code={"ZipFile": zip_bomb(2 * CODE_LIMIT)})
        self.assertEqual(message, "Unzipped size must be smaller than %d bytes" % CODE_LIMIT)

    def test_not_a_zip(self):
        self.refused("InvalidParameterValueException", 400, Code={"ZipFile": b"not a zip file"})

    def test_missing_handler(self):
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.create_function(FunctionName="nohandler-fn", Runtime="python3.11", Role=ROLE,
                                     Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Runtime and Handler are mandatory parameters for functions created "
                         "with deployment packages.")

    def test_unknown_runtimes(self):
        message = self.refused("InvalidParameterValueException", 400, Runtime="java21")
        self.assertIn("java21", message)
        self.refused("ValidationException", 400, Runtime="python9")

    def test_reserved_environment_variable(self):
        message = self.refused("InvalidParameterValueException", 400,
                               Environment={"Variables": {"AWS_REGION": "x"}})
        self.assertTrue(message.endswith("Reserved keys used in this request: AWS_REGION"))

    def test_duplicate_function(self):
        self.lam.create_function(FunctionName="dup-fn", Runtime="provided.al2023", Handler="x",
                                 Role=ROLE, Code={"ZipFile": make_zip({"bootstrap": "x"})})
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as ctx:
            self.lam.create_function(FunctionName="dup-fn", Runtime="provided.al2023",
                                     Handler="x", Role=ROLE,
                                     Code={"ZipFile": make_zip({"bootstrap": "x"})})
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.lam.delete_function(FunctionName="dup-fn")

    def test_payloads(self):
        self.lam.create_function(FunctionName="payload-fn", Runtime="provided.al2023",
                                 Handler="x", Role=ROLE,
                                 Code={"ZipFile": make_zip({"bootstrap": BASH_BOOTSTRAP})})
        with self.assertRaises(self.lam.exceptions.RequestTooLargeException) as ctx:
            self.lam.invoke(FunctionName="payload-fn",
                            Payload=json.dumps("x" * (6 * 1024 * 1024)).encode())
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="payload-fn", Payload=b"{not json")
        dry = self.lam.invoke(FunctionName="payload-fn", InvocationType="DryRun")
        self.assertEqual(dry["StatusCode"], 204)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="payload-fn", Qualifier="7")
        self.lam.delete_function(FunctionName="payload-fn")

    def test_errors_on_the_wire(self):
        """The REST-JSON error as Lambda sends it: x-amzn-ErrorType and {Type, message}."""
        conn = self.server.connection()
        conn.request("GET", "/2015-03-31/functions/absent-fn", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/"
                             "aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            "X-Amz-Date": "20250101T000000Z"})
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
        self.assertEqual(response.status, 404)
        self.assertEqual(response.getheader("x-amzn-ErrorType"), "ResourceNotFoundException")
        self.assertEqual(body, {"Type": "User", "message": "Function not found: arn:aws:lambda:"
                                                          "us-east-1:000000000000:function:absent-fn"})


if __name__ == "__main__":
    unittest.main()
