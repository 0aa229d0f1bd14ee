"""test_resource_ops - stream tags (AddTagsToStream, RemoveTagsFromStream, ListTagsForStream,
TagResource, UntagResource, ListTagsForResource) and resource policies (PutResourcePolicy,
GetResourcePolicy, DeleteResourcePolicy) against a real kinesd.

The happy paths go through boto3 and the aws CLI, by StreamName and by StreamARN; every refused
request goes through raw HTTP (boto3 validates client-side) and is checked for its exact error
type and text and for having changed nothing. Texts are AWS's as recorded by kinesalite's tests
against the real service (tag alphabet, '%', 50-tag limit with AWS's current count) and the
service model (validation); where AWS's text is not on record only the type is checked.
"""

import re
import unittest

from kinesd_harness import (ACCOUNT, KinesdTestCase, access_denied, stream_arn,
                            stream_not_found)

TAGGED = "tagged"     # the stream every tag test works on; tearDown empties its tags again
POLICED = "policed"   # the stream the policy tests work on
INVALID_CHARS = ("Some tags contain invalid characters. Valid characters: Unicode letters, "
                 "digits, white space, _ . / = + - % @ :.")
MUST_NOT_BE_NULL = "Value null at '%s' failed to satisfy constraint: Member must not be null"
KEY_LENGTHS = ("[Member must have length less than or equal to 128, "
               "Member must have length greater than or equal to 1]")
POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
          '{"AWS":"arn:aws:iam::%s:root"},"Action":"kinesis:GetRecords","Resource":"*"}]}'
          % ACCOUNT)


def illegal_chars(verb, name):
    return ("Failed to %s stream %s under account %s because some tags contained illegal "
            "characters. The allowed characters are Unicode letters, white-spaces, "
            "'_',',','/','=','+','-','@',':'." % (verb, name, ACCOUNT))


class ResourceOps(KinesdTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name in (TAGGED, POLICED):
            cls.kinesis.create_stream(StreamName=name, ShardCount=1)
        for name in (TAGGED, POLICED):
            cls.kinesis.get_waiter("stream_exists").wait(
                StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})

    def tearDown(self):
        keys = list(self.tags(TAGGED))
        for start in range(0, len(keys), 50):
            self.kinesis.remove_tags_from_stream(StreamName=TAGGED,
                                                 TagKeys=keys[start:start + 50])

    def tags(self, name):
        """The stream's tags as a dict, following ListTagsForStream's pages."""
        found, start = {}, None
        while True:
            args = dict(StreamName=name, Limit=50)
            if start:
                args["ExclusiveStartTagKey"] = start
            page = self.kinesis.list_tags_for_stream(**args)
            found.update({t["Key"]: t["Value"] for t in page["Tags"]})
            if not page["HasMoreTags"]:
                return found
            start = page["Tags"][-1]["Key"]

    def assert_refused_unchanged(self, cases, name=TAGGED):
        """CASES: (op, body, error type, text as for assert_refused); the stream's tags stay put."""
        before = self.tags(name)
        for op, body, error_type, message in cases:
            with self.subTest(op=op, body=body):
                self.assert_refused(op, body, error_type, message)
                self.assertEqual(self.tags(name), before)

    # ---- tags: happy paths ---------------------------------------------------------------------

    def test_add_list_remove_by_name(self):
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags={"team": "data", "env": "dev"})
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags={"env": "prod", "ü0 _.": "a",
                                                                  "/=+-@:": ""})
        self.assertEqual(self.tags(TAGGED), {"team": "data", "env": "prod", "ü0 _.": "a",
                                             "/=+-@:": ""})
        # Removing keys that are not there is not an error.
        self.kinesis.remove_tags_from_stream(StreamName=TAGGED, TagKeys=["env", "ü0 _.", "none"])
        self.assertEqual(self.tags(TAGGED), {"team": "data", "/=+-@:": ""})

    def test_lengths_count_characters_not_bytes(self):
        longest = {"é" * 128: "日" * 256, "k": ""}
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags=longest)
        self.assertEqual(self.tags(TAGGED), longest)
        past_end = self.kinesis.list_tags_for_stream(StreamName=TAGGED,
                                                     ExclusiveStartTagKey="\u00ff" * 128)
        self.assertEqual((past_end["Tags"], past_end["HasMoreTags"]), ([], False))

    def test_addressing_by_stream_arn(self):
        arn = stream_arn(TAGGED)
        self.kinesis.add_tags_to_stream(StreamARN=arn, Tags={"a": "1", "b": "2"})
        listed = self.kinesis.list_tags_for_stream(StreamARN=arn)
        self.assertEqual(listed["Tags"], [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.assertFalse(listed["HasMoreTags"])
        self.kinesis.remove_tags_from_stream(StreamARN=arn, TagKeys=["a"])
        self.assertEqual(self.tags(TAGGED), {"b": "2"})
        self.assert_refused("AddTagsToStream", {"StreamName": POLICED, "StreamARN": arn,
                                              "Tags": {"c": "3"}},
                          "InvalidArgumentException",
                          "StreamARN %s does not match StreamName %s." % (arn, POLICED))
        self.assertEqual(self.tags(TAGGED), {"b": "2"})
        self.assertEqual(self.tags(POLICED), {})

    def test_list_pages(self):
        self.kinesis.add_tags_to_stream(StreamName=TAGGED,
                                        Tags={"k%02d" % i: str(i) for i in range(7)})
        seen, start = [], None
        for _ in range(10):
            args = dict(StreamName=TAGGED, Limit=3)
            if start:
                args["ExclusiveStartTagKey"] = start
            page = self.kinesis.list_tags_for_stream(**args)
            self.assertLessEqual(len(page["Tags"]), 3)
            seen += [t["Key"] for t in page["Tags"]]
            if not page["HasMoreTags"]:
                break
            start = page["Tags"][-1]["Key"]
        self.assertEqual(seen, ["k%02d" % i for i in range(7)])

    def test_tag_resource_twins(self):
        arn = stream_arn(TAGGED)
        self.kinesis.tag_resource(ResourceARN=arn, Tags={"x": "1", "y": "2"})
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "x", "Value": "1"}, {"Key": "y", "Value": "2"}])
        self.assertEqual(self.tags(TAGGED), {"x": "1", "y": "2"})  # one set of tags
        self.kinesis.untag_resource(ResourceARN=arn, TagKeys=["x", "never-there"])
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "y", "Value": "2"}])

    def test_aws_cli(self):
        rc, _, err = self.server.aws("add-tags-to-stream", "--stream-name", TAGGED,
                                     "--tags", "owner=me,cost=42")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws("list-tags-for-stream", "--stream-name", TAGGED)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Tags"], [{"Key": "cost", "Value": "42"},
                                       {"Key": "owner", "Value": "me"}])
        rc, _, err = self.server.aws("remove-tags-from-stream", "--stream-name", TAGGED,
                                     "--tag-keys", "cost")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws("list-tags-for-resource",
                                       "--resource-arn", stream_arn(TAGGED))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Tags"], [{"Key": "owner", "Value": "me"}])

    def test_create_stream_with_tags_and_recreate(self):
        name = "born-tagged"
        self.create_stream(name, Tags={"born": "yes"})
        self.assertEqual(self.tags(name), {"born": "yes"})
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)
        self.create_stream(name)
        self.assertEqual(self.tags(name), {}, "a recreated stream inherited the old tags")
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)

    # ---- tags: limits --------------------------------------------------------------------------

    def test_fifty_tags_per_stream(self):
        self.kinesis.add_tags_to_stream(StreamName=TAGGED,
                                        Tags={"t%02d" % i: "v" for i in range(49)})
        too_many = ("Failed to add tags to stream %s under account %s because a given stream "
                    "cannot have more than 50 tags associated with it." % (TAGGED, ACCOUNT))
        self.assert_refused_unchanged([
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"new1": "v", "new2": "v"}},
             "InvalidArgumentException", too_many),
            ("TagResource", {"ResourceARN": stream_arn(TAGGED), "Tags": {"n1": "v", "n2": "v"}},
             "InvalidArgumentException", too_many),
        ])
        # Overwriting existing keys does not count; the 50th tag fits.
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags={"t00": "w", "new1": "v"})
        self.assertEqual(len(self.tags(TAGGED)), 50)
        self.assertEqual(self.tags(TAGGED)["t00"], "w")

    def test_model_violations(self):
        long_key, long_value = "k" * 129, "v" * 257
        tags_201 = {"k%d" % i: "v" for i in range(201)}
        keys_51 = [str(i) for i in range(51)]
        cases = [
            ("AddTagsToStream", {}, [MUST_NOT_BE_NULL % "tags"]),
            ("AddTagsToStream", {"StreamName": "", "Tags": {}}, [
                "Value '{}' at 'tags' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1",
                "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: [a-zA-Z0-9_.-]+",
                "Value '' at 'streamName' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1"]),
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {long_key: "x"}}, [
                "Value '{%s=x}' at 'tags' failed to satisfy constraint: Map keys must satisfy "
                "constraint: %s" % (long_key, KEY_LENGTHS)]),
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"": "x"}}, [
                "Value '{=x}' at 'tags' failed to satisfy constraint: Map keys must satisfy "
                "constraint: %s" % KEY_LENGTHS]),
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": tags_201}, [
                "Value '{%s}' at 'tags' failed to satisfy constraint: Member must have length "
                "less than or equal to 200" % ", ".join("%s=v" % k for k in tags_201)]),
            ("RemoveTagsFromStream", {}, [MUST_NOT_BE_NULL % "tagKeys"]),
            ("RemoveTagsFromStream", {"StreamName": TAGGED, "TagKeys": []}, [
                "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1"]),
            ("RemoveTagsFromStream", {"StreamName": TAGGED, "TagKeys": ["a", long_key, "b"]}, [
                "Value '[a, %s, b]' at 'tagKeys' failed to satisfy constraint: Member must "
                "satisfy constraint: %s" % (long_key, KEY_LENGTHS)]),
            ("RemoveTagsFromStream", {"StreamName": TAGGED, "TagKeys": keys_51}, [
                "Value '[%s]' at 'tagKeys' failed to satisfy constraint: Member must have "
                "length less than or equal to 50" % ", ".join(keys_51)]),
            ("ListTagsForStream", {"StreamName": "", "ExclusiveStartTagKey": "", "Limit": 0}, [
                "Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                "greater than or equal to 1",
                "Value '' at 'exclusiveStartTagKey' failed to satisfy constraint: Member must "
                "have length greater than or equal to 1",
                "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: [a-zA-Z0-9_.-]+",
                "Value '' at 'streamName' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1"]),
            ("ListTagsForStream", {"StreamName": TAGGED, "Limit": 51}, [
                "Value '51' at 'limit' failed to satisfy constraint: Member must have value "
                "less than or equal to 50"]),
            ("TagResource", {"ResourceARN": "bogus", "Tags": {"a": "b"}}, [
                "Value 'bogus' at 'resourceARN' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+"]),
            ("UntagResource", {"Tags": {"a": "b"}}, [
                MUST_NOT_BE_NULL % "resourceARN", MUST_NOT_BE_NULL % "tagKeys"]),
            ("ListTagsForResource", {}, [MUST_NOT_BE_NULL % "resourceARN"]),
        ]
        before = self.tags(TAGGED)
        for op, body, violations in cases:
            with self.subTest(op=op, body=str(body)[:80]):
                self.assert_violations(self.server.post(op, body), violations)
        self.assertEqual(self.tags(TAGGED), before)

    def test_value_too_long(self):
        # AWS's text for a map value over 256 characters is not on record: type and member.
        self.assert_refused("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"k": "v" * 257}},
                          "ValidationException", re.compile(r"^1 validation error detected: "
                          r"Value '\{k=v+\}' at 'tags' failed to satisfy constraint: "))
        self.assertEqual(self.tags(TAGGED), {})

    def test_invalid_characters(self):
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags={"keep": "me"})
        cases = []
        for bad in ("abc;def", "abc\tdef", "abc\ndef", "abc,def"):
            cases += [
                ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {bad: "v"}},
                 "InvalidArgumentException", INVALID_CHARS),
                ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"k": bad}},
                 "InvalidArgumentException", INVALID_CHARS),
                ("TagResource", {"ResourceARN": stream_arn(TAGGED), "Tags": {bad: "v"}},
                 "InvalidArgumentException", INVALID_CHARS),
                ("RemoveTagsFromStream", {"StreamName": TAGGED, "TagKeys": ["keep", bad]},
                 "InvalidArgumentException", INVALID_CHARS),
            ]
        cases += [
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"abc%def": "v"}},
             "InvalidArgumentException", illegal_chars("add tags to", TAGGED)),
            ("AddTagsToStream", {"StreamName": TAGGED, "Tags": {"k": "50%"}},
             "InvalidArgumentException", illegal_chars("add tags to", TAGGED)),
            ("RemoveTagsFromStream", {"StreamName": TAGGED, "TagKeys": ["keep", "abc%def"]},
             "InvalidArgumentException", illegal_chars("remove tags from", TAGGED)),
        ]
        self.assert_refused_unchanged(cases)

    # ---- tags: which stream --------------------------------------------------------------------

    def test_unknown_and_foreign_streams(self):
        self.kinesis.add_tags_to_stream(StreamName=TAGGED, Tags={"keep": "me"})
        foreign = stream_arn(TAGGED, account="111111111111")
        elsewhere = stream_arn(TAGGED, region="eu-west-1")
        consumer = stream_arn(TAGGED) + "/consumer/c:1"
        foreign_consumer = foreign + "/consumer/c:1"
        cases = [
            ("AddTagsToStream", {"StreamName": "nope", "Tags": {"a": "b"}},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("RemoveTagsFromStream", {"StreamName": "nope", "TagKeys": [";"]},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("ListTagsForStream", {"StreamName": "nope", "ExclusiveStartTagKey": "a",
                                   "Limit": 1},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("AddTagsToStream", {"StreamARN": stream_arn("nope"), "Tags": {"a": "b"}},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("AddTagsToStream", {"Tags": {"a": "b"}},
             "InvalidArgumentException", "Either StreamName or StreamARN must be provided."),
            ("TagResource", {"ResourceARN": stream_arn("nope"), "Tags": {"a": "b"}},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("UntagResource", {"ResourceARN": stream_arn("nope"), "TagKeys": ["keep"]},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("ListTagsForResource", {"ResourceARN": stream_arn("nope")},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("TagResource", {"ResourceARN": foreign, "Tags": {"a": "b"}},
             "AccessDeniedException", access_denied(foreign)),
            ("UntagResource", {"ResourceARN": foreign, "TagKeys": ["keep"]},
             "AccessDeniedException", access_denied(foreign)),
            ("AddTagsToStream", {"StreamARN": foreign, "Tags": {"a": "b"}},
             "AccessDeniedException", access_denied(foreign)),
            ("RemoveTagsFromStream", {"StreamARN": elsewhere, "TagKeys": ["keep"]},
             "ResourceNotFoundException", stream_not_found(TAGGED)),
            ("TagResource", {"ResourceARN": elsewhere, "Tags": {"a": "b"}},
             "ResourceNotFoundException", stream_not_found(TAGGED)),
            ("TagResource", {"ResourceARN": consumer, "Tags": {"a": "b"}},
             "ResourceNotFoundException", "Resource %s not found." % consumer),
            ("TagResource", {"ResourceARN": foreign_consumer, "Tags": {"a": "b"}},
             "AccessDeniedException", access_denied(foreign_consumer)),
        ]
        self.assert_refused_unchanged(cases)

    # ---- resource policies ---------------------------------------------------------------------

    def policy(self, name=POLICED):
        return self.kinesis.get_resource_policy(ResourceARN=stream_arn(name))["Policy"]

    def test_policy_round_trip(self):
        arn = stream_arn(POLICED)
        self.assertEqual(self.policy(), "{}")
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=POLICY)
        self.assertEqual(self.policy(), POLICY)
        replaced = POLICY.replace("GetRecords", "DescribeStream")
        rc, _, err = self.server.aws("put-resource-policy", "--resource-arn", arn,
                                     "--policy", replaced)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws("get-resource-policy", "--resource-arn", arn)
        self.assertEqual((rc, out), (0, {"Policy": replaced}), err)
        self.assertEqual(self.policy(TAGGED), "{}", "the policy leaked to another stream")
        self.kinesis.delete_resource_policy(ResourceARN=arn)
        self.assertEqual(self.policy(), "{}")
        self.assert_refused("DeleteResourcePolicy", {"ResourceARN": arn},
                          "ResourceNotFoundException",
                          "No resource policy found for resource %s." % arn)

    def test_policy_refusals_change_nothing(self):
        arn = stream_arn(POLICED)
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=POLICY)
        foreign = stream_arn(POLICED, account="111111111111")
        cases = [
            ("PutResourcePolicy", {"ResourceARN": arn, "Policy": "not json"},
             "InvalidArgumentException", None),
            ("PutResourcePolicy", {"ResourceARN": arn, "Policy": "[1, 2]"},
             "InvalidArgumentException", None),
            ("PutResourcePolicy", {"ResourceARN": arn, "Policy": POLICY + " trailing"},
             "InvalidArgumentException", None),
            ("PutResourcePolicy", {"ResourceARN": foreign, "Policy": "{}"},
             "AccessDeniedException", access_denied(foreign)),
            ("DeleteResourcePolicy", {"ResourceARN": foreign},
             "AccessDeniedException", access_denied(foreign)),
            ("GetResourcePolicy", {"ResourceARN": foreign},
             "AccessDeniedException", access_denied(foreign)),
            ("PutResourcePolicy", {"ResourceARN": stream_arn("nope"), "Policy": "{}"},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("GetResourcePolicy", {"ResourceARN": stream_arn("nope")},
             "ResourceNotFoundException", stream_not_found("nope")),
            ("DeleteResourcePolicy", {"ResourceARN": stream_arn("nope")},
             "ResourceNotFoundException", stream_not_found("nope")),
        ]
        for op, body, error_type, message in cases:
            with self.subTest(op=op, body=body):
                self.assert_refused(op, body, error_type, message)
                self.assertEqual(self.policy(), POLICY)
        for op, body, violations in (
                ("PutResourcePolicy", {}, [MUST_NOT_BE_NULL % "resourceARN",
                                           MUST_NOT_BE_NULL % "policy"]),
                ("GetResourcePolicy", {}, [MUST_NOT_BE_NULL % "resourceARN"]),
                ("DeleteResourcePolicy", {"ResourceARN": ""}, [
                    "Value '' at 'resourceARN' failed to satisfy constraint: Member must "
                    "satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/"
                    "\\S+",
                    "Value '' at 'resourceARN' failed to satisfy constraint: Member must have "
                    "length greater than or equal to 1"])):
            with self.subTest(op=op, body=body):
                self.assert_violations(self.server.post(op, body), violations)
        self.assertEqual(self.policy(), POLICY)
        self.kinesis.delete_resource_policy(ResourceARN=arn)

    def test_one_policy_however_the_arn_is_spelled(self):
        # The pattern lets the partition vary (arn:aws.*:); kinesd once filed the policy under the
        # ARN text as sent, so one stream had a policy per spelling.
        spelled = stream_arn(POLICED).replace("arn:aws:", "arn:aws-us-gov:")
        self.kinesis.put_resource_policy(ResourceARN=spelled, Policy=POLICY)
        self.assertEqual(self.policy(), POLICY)
        self.kinesis.delete_resource_policy(ResourceARN=stream_arn(POLICED))
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=spelled)["Policy"], "{}")

    def test_tags_and_policy_survive_kill9(self):
        name = "lasting"
        self.create_stream(name, Tags={"a": "1"})
        self.kinesis.tag_resource(ResourceARN=stream_arn(name), Tags={"b": "2", "c": "3"})
        self.kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["c"])
        self.kinesis.put_resource_policy(ResourceARN=stream_arn(name), Policy=POLICY)
        self.server.kill9()
        self.server.restart()
        self.wait_active(name)
        self.assertEqual(self.tags(name), {"a": "1", "b": "2"})
        self.assertEqual(self.policy(name), POLICY)
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)

    def test_recreated_stream_has_no_policy(self):
        name = "policy-reborn"
        self.create_stream(name)
        self.kinesis.put_resource_policy(ResourceARN=stream_arn(name), Policy=POLICY)
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)
        self.create_stream(name)
        self.assertEqual(self.policy(name), "{}", "a recreated stream inherited the old policy")
        self.kinesis.delete_stream(StreamName=name)
        self.wait_gone(name)


if __name__ == "__main__":
    unittest.main()
