"""Functions in verify mode run as their execution role: an environment gets a session of the
function's Role as Lambda assumes it (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, session named after the function), so its SDK calls to kinesd can do exactly
what the role allows; a role Lambda cannot assume is refused at CreateFunction and
UpdateFunctionConfiguration (and one the caller may not pass, iam:PassRole), and an event source
mapping whose role cannot read its stream is refused at CreateEventSourceMapping (and one whose
role loses that permission holds its records until it has it again). A stream's resource policy
that names the role grants it as the role's own policies do.

AWS texts: "The role defined for the function cannot be assumed by Lambda." and "Cannot access
stream ARN. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream,
ListShards, and ListStreams Actions on your stream in IAM." were confirmed from AWS answers
quoted in public issue threads."""

import json
import sys
import time
import unittest

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn
from lambda_fixtures import PYTHON_HANDLER, make_zip

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
READ_STREAM = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
               "kinesis:ListShards"]
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def role_arn(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


def grants(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}
        for actions, resource in statements]})


class FunctionRoles(VerifyTestCase):
    SERVER_ARGS = dict(VerifyTestCase.SERVER_ARGS,
                       extra_args=VerifyTestCase.SERVER_ARGS["extra_args"]
                       + ["--lambda-python", sys.executable])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.as_(ROOT, "lambda", read_timeout=60)
        # writes to verify-sink only, reads verify-source
        cls.iam.create_role(RoleName="writer", AssumeRolePolicyDocument=LAMBDA_TRUST)
        cls.iam.put_role_policy(RoleName="writer", PolicyName="write", PolicyDocument=grants(
            ("kinesis:PutRecord", stream_arn("verify-sink"))))
        cls.iam.put_role_policy(RoleName="writer", PolicyName="read", PolicyDocument=grants(
            (READ_STREAM, stream_arn("verify-source"))))
        cls.iam.create_role(RoleName="untrusting", AssumeRolePolicyDocument=json.dumps({
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                           "Action": "sts:AssumeRole"}]}))

    def create(self, name, role, stream):
        self.lam.create_function(FunctionName=name, Runtime="python3.12",
                                 Handler="lambda_function.to_stream", Role=role,
                                 Code={"ZipFile": make_zip({"lambda_function.py": PYTHON_HANDLER})},
                                 Environment={"Variables": {"STREAM": stream}})
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                       WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    def wait_for(self, condition, why, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while not condition():
            self.assertLess(time.monotonic(), deadline, why)
            time.sleep(0.2)

    def sink(self):
        records, _ = self.read_shard("verify-sink", "shardId-000000000000")
        return [json.loads(r["Data"]) for r in records]

    def test_function_does_what_its_role_allows(self):
        for name in ("verify-sink", "verify-source", "verify-elsewhere"):
            self.create_stream(name)
        self.create("verify-fn", role_arn("writer"), "verify-sink")
        answer = self.lam.invoke(FunctionName="verify-fn", Payload=b'{"direct": 1}')
        self.assertNotIn("FunctionError", answer, answer["Payload"].read())
        self.assertEqual(self.sink(), [{"direct": 1}])

        self.create("verify-astray", role_arn("writer"), "verify-elsewhere")
        answer = self.lam.invoke(FunctionName="verify-astray", Payload=b'{"direct": 2}')
        self.assertEqual(answer.get("FunctionError"), "Unhandled")
        error = json.loads(answer["Payload"].read())
        self.assertIn("AccessDeniedException", error["errorMessage"])
        self.assertIn(denied("arn:aws:sts::%s:assumed-role/writer/verify-astray" % ACCOUNT,
                             "kinesis:PutRecord", stream_arn("verify-elsewhere")),
                      error["errorMessage"])

        # a mapping whose role reads the stream works; one whose role cannot is refused
        uuid = self.lam.create_event_source_mapping(
            FunctionName="verify-fn", StartingPosition="TRIM_HORIZON",
            EventSourceArn=stream_arn("verify-source"))["UUID"]
        self.kinesis.put_record(StreamName="verify-source", PartitionKey="k", Data=b"via-esm")
        self.wait_for(lambda: len(self.sink()) == 2, "the function wrote %r" % self.sink())
        self.assertEqual(self.sink()[1]["Records"][0]["kinesis"]["partitionKey"], "k")
        # the role's read permission taken away: the mapping holds its records, then goes on
        self.iam.delete_role_policy(RoleName="writer", PolicyName="read")
        self.kinesis.put_record(StreamName="verify-source", PartitionKey="held", Data=b"held")
        self.wait_for(lambda: self.lam.get_event_source_mapping(UUID=uuid)[
            "LastProcessingResult"].startswith("PROBLEM: Cannot access stream"),
            "the mapping went on without the role's permission")
        self.assertEqual(len(self.sink()), 2)
        self.iam.put_role_policy(RoleName="writer", PolicyName="read", PolicyDocument=grants(
            (READ_STREAM, stream_arn("verify-source"))))
        self.wait_for(lambda: len(self.sink()) == 3, "the held record never came")
        self.assertEqual(self.sink()[2]["Records"][0]["kinesis"]["partitionKey"], "held")
        self.assert_client_error(
            lambda: self.lam.create_event_source_mapping(
                FunctionName="verify-astray", StartingPosition="TRIM_HORIZON",
                EventSourceArn=stream_arn("verify-elsewhere")),
            "InvalidParameterValueException",
            "Cannot access stream %s. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your "
            "stream in IAM." % stream_arn("verify-elsewhere"), 400)
        mappings = self.lam.list_event_source_mappings(FunctionName="verify-astray")
        self.assertEqual(mappings["EventSourceMappings"], [])

    def test_stream_policies_grant_the_role_as_its_own_policies_do(self):
        """The streams' resource policies count for the role, as they do on AWS: the source's
        lets the mapping read it, the sink's lets the function write to it."""
        for name in ("verify-granted-source", "verify-granted-sink"):
            self.create_stream(name)
        self.create("verify-granted", role_arn("writer"), "verify-granted-sink")
        source = stream_arn("verify-granted-source")
        self.assert_client_error(
            lambda: self.lam.create_event_source_mapping(
                FunctionName="verify-granted", StartingPosition="TRIM_HORIZON",
                EventSourceArn=source),
            "InvalidParameterValueException", None, 400)

        def policy(actions, arn):
            return json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": role_arn("writer")}, "Action": actions,
                "Resource": arn}]})
        self.kinesis.put_resource_policy(ResourceARN=source, Policy=policy(READ_STREAM, source))
        sink = stream_arn("verify-granted-sink")
        self.kinesis.put_resource_policy(ResourceARN=sink, Policy=policy("kinesis:PutRecord", sink))
        self.lam.create_event_source_mapping(FunctionName="verify-granted",
                                             StartingPosition="TRIM_HORIZON", EventSourceArn=source)
        self.kinesis.put_record(StreamName="verify-granted-source", PartitionKey="granted",
                                Data=b"x")

        def written():
            records, _ = self.read_shard("verify-granted-sink", "shardId-000000000000")
            return [json.loads(r["Data"]) for r in records]
        self.wait_for(lambda: len(written()) == 1, "the function wrote %r" % written())
        self.assertEqual(written()[0]["Records"][0]["kinesis"]["partitionKey"], "granted")

    def test_a_role_lambda_cannot_assume_is_refused(self):
        code = {"ZipFile": make_zip({"lambda_function.py": PYTHON_HANDLER})}
        for role in (role_arn("missing"), role_arn("untrusting")):
            with self.subTest(role=role):
                self.assert_client_error(
                    lambda: self.lam.create_function(FunctionName="refused", Runtime="python3.12",
                                                     Handler="lambda_function.lambda_handler",
                                                     Role=role, Code=code),
                    "InvalidParameterValueException", CANNOT_ASSUME, 400)
        self.assert_client_error(lambda: self.lam.get_function(FunctionName="refused"),
                                 "ResourceNotFoundException")
        self.lam.create_function(FunctionName="kept-role", Runtime="python3.12",
                                 Handler="lambda_function.lambda_handler",
                                 Role=role_arn("writer"), Code=code)
        self.lam.get_waiter("function_active_v2").wait(FunctionName="kept-role",
                                                       WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assert_client_error(
            lambda: self.lam.update_function_configuration(FunctionName="kept-role",
                                                           Role=role_arn("untrusting")),
            "InvalidParameterValueException", CANNOT_ASSUME, 400)
        self.assertEqual(self.lam.get_function_configuration(FunctionName="kept-role")["Role"],
                         role_arn("writer"))

    def test_passing_a_role_takes_iam_pass_role(self):
        code = {"ZipFile": make_zip({"lambda_function.py": PYTHON_HANDLER})}
        deployer = self.user_with_policy("deployer", grants(
            ("lambda:*", "*"), ("iam:PassRole", role_arn("writer"))))
        lam = self.as_(deployer, "lambda")
        self.assert_client_error(
            lambda: lam.create_function(FunctionName="escalate", Runtime="python3.12",
                                        Handler="lambda_function.lambda_handler",
                                        Role=role_arn("untrusting"), Code=code),
            "AccessDeniedException",
            denied("arn:aws:iam::%s:user/deployer" % ACCOUNT, "iam:PassRole",
                   role_arn("untrusting")), 403)
        self.assert_client_error(lambda: self.lam.get_function(FunctionName="escalate"),
                                 "ResourceNotFoundException")
        lam.create_function(FunctionName="passed", Runtime="python3.12",
                            Handler="lambda_function.lambda_handler", Role=role_arn("writer"),
                            Code=code)


if __name__ == "__main__":
    unittest.main()
