"""Resource policies and tags of consumers and queues, in verify mode, with boto3 and the aws CLI.

Consumers (as on AWS): RegisterStreamConsumer keeps its Tags; TagResource, UntagResource,
ListTagsForResource and Put/Get/DeleteResourcePolicy take a consumer's ARN; a consumer's policy
lets another account SubscribeToShard through it, and its tags answer aws:ResourceTag; its tags
and policy go with it. Queues: the Policy attribute is the queue's resource policy, so another
account may SendMessage (and only what the policy names). Every change is seen by the next call
(the authorizer's decision cache is refreshed). Bad input: the right error and nothing stored.

Texts AWS's documentation does not give (a tag refused on a consumer, an unknown consumer ARN)
follow the stream's wording; a policy change on a consumer that is not ACTIVE is refused with
the text AWS answered CloudFormation (aws-cloudformation/cloudformation-coverage-roadmap#2442).
"""

import json

from iam_fixture import ACCOUNT, ROOT, VerifyTestCase, denied
from kinesd_harness import stream_arn

ACCOUNT_B = "111111111111"
ROOT_B_ARN = "arn:aws:iam::%s:root" % ACCOUNT_B


def allow(principal, actions, resource, **extra):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions,
                 "Resource": resource}
    statement.update(extra)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class ResourcePolicies(VerifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root_b = cls.create_account(ACCOUNT_B)

    def consumer(self, stream, name, **kwargs):
        if stream not in self.kinesis.list_streams()["StreamNames"]:
            self.create_stream(stream)
        return self.kinesis.register_stream_consumer(
            StreamARN=stream_arn(stream), ConsumerName=name, **kwargs)["Consumer"]["ConsumerARN"]

    def tags(self, arn):
        return {t["Key"]: t["Value"]
                for t in self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]}

    def first_records(self, client, consumer_arn):
        """The data of the first event's records, from TRIM_HORIZON."""
        events = client.subscribe_to_shard(ConsumerARN=consumer_arn,
                                           ShardId="shardId-000000000000",
                                           StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
        for event in events:
            records = event["SubscribeToShardEvent"]["Records"]
            if records:
                events.close()
                return [r["Data"] for r in records]
        return []

    # ---- consumers: tags and policies ----------------------------------------------------------

    def test_consumer_tags(self):
        arn = self.consumer("tagged", "c1", Tags={"team": "data", "env": "dev"})
        self.assertEqual(self.tags(arn), {"team": "data", "env": "dev"})
        self.kinesis.tag_resource(ResourceARN=arn, Tags={"env": "prod", "tier": "1"})
        self.kinesis.untag_resource(ResourceARN=arn, TagKeys=["team"])
        self.assertEqual(self.tags(arn), {"env": "prod", "tier": "1"})
        self.assertEqual(self.tags(stream_arn("tagged")), {})  # the stream's are its own
        rc, out, err = self.server.aws("list-tags-for-resource", "--resource-arn", arn,
                                       credentials=ROOT)  # the stock aws CLI
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(t["Key"] for t in out["Tags"]), ["env", "tier"])
        self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        again = self.consumer("tagged", "c1")
        self.assertEqual(self.tags(again), {})  # gone with the consumer

    def test_consumer_tags_bad_input(self):
        arn = self.consumer("tagbad", "c1", Tags={"keep": "me"})
        self.assert_client_error(
            lambda: self.kinesis.tag_resource(ResourceARN=arn, Tags={"k": "50%"}),
            "InvalidArgumentException",
            "Failed to add tags to consumer c1 under account %s because some tags contained "
            "illegal characters. The allowed characters are Unicode letters, white-spaces, "
            "'_',',','/','=','+','-','@',':'." % ACCOUNT, 400)
        many = {"k%d" % i: "v" for i in range(50)}
        self.assert_client_error(
            lambda: self.kinesis.tag_resource(ResourceARN=arn, Tags=many),
            "InvalidArgumentException",
            "Failed to add tags to consumer c1 under account %s because a given consumer cannot "
            "have more than 50 tags associated with it." % ACCOUNT, 400)
        self.assert_client_error(
            lambda: self.consumer("tagbad", "c2", Tags={"bad\ttab": "v"}),
            "InvalidArgumentException", status=400)
        self.assertEqual(self.tags(arn), {"keep": "me"})
        names = [c["ConsumerName"] for c in self.kinesis.list_stream_consumers(
            StreamARN=stream_arn("tagbad"))["Consumers"]]
        self.assertEqual(names, ["c1"])  # the refused registration left nothing
        missing = stream_arn("tagbad") + "/consumer/nobody:1"
        self.assert_client_error(lambda: self.kinesis.list_tags_for_resource(ResourceARN=missing),
                                 "ResourceNotFoundException", "Resource %s not found." % missing)

    def test_consumer_policy_round_trip(self):
        arn = self.consumer("policed", "c1")
        policy = allow(ROOT_B_ARN, "kinesis:SubscribeToShard", arn)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], policy)
        self.assertEqual(self.kinesis.get_resource_policy(
            ResourceARN=stream_arn("policed"))["Policy"], "{}")
        self.assert_client_error(
            lambda: self.kinesis.put_resource_policy(ResourceARN=arn, Policy="[1]"),
            "InvalidArgumentException", "The policy document is not a valid JSON object.")
        self.kinesis.delete_resource_policy(ResourceARN=arn)
        self.assert_client_error(lambda: self.kinesis.delete_resource_policy(ResourceARN=arn),
                                 "ResourceNotFoundException",
                                 "No resource policy found for resource %s." % arn)

    # ---- consumers: authorization --------------------------------------------------------------

    def test_consumer_policy_lets_another_account_subscribe(self):
        arn = self.consumer("fanout", "shared")
        self.kinesis.put_record(StreamName="fanout", PartitionKey="k", Data=b"for-b")
        b = self.as_(self.root_b)
        self.assert_client_error(lambda: self.first_records(b, arn), "AccessDeniedException",
                                 denied(ROOT_B_ARN, "kinesis:SubscribeToShard", arn, "resource"))
        self.kinesis.put_resource_policy(
            ResourceARN=arn, Policy=allow(ROOT_B_ARN, "kinesis:SubscribeToShard", arn))
        self.assertEqual(self.first_records(b, arn), [b"for-b"])
        self.assert_client_error(  # the consumer's policy grants nothing on the stream
            lambda: b.describe_stream_summary(StreamARN=stream_arn("fanout")),
            "AccessDeniedException")
        self.kinesis.delete_resource_policy(ResourceARN=arn)
        # refused before the rule of one subscription per consumer and shard every 5 s applies
        self.assert_client_error(lambda: self.first_records(b, arn), "AccessDeniedException")

    def test_consumer_tags_in_conditions(self):
        tagged = self.consumer("conditioned", "tagged", Tags={"team": "data"})
        other = self.consumer("conditioned", "other")
        self.kinesis.put_record(StreamName="conditioned", PartitionKey="k", Data=b"x")
        reader = self.as_(self.user_with_policy("fanreader", {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "kinesis:SubscribeToShard", "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "data"}}}]}))
        self.assertEqual(self.first_records(reader, tagged), [b"x"])
        reader_arn = "arn:aws:iam::%s:user/fanreader" % ACCOUNT
        self.assert_client_error(lambda: self.first_records(reader, other),
                                 "AccessDeniedException",
                                 denied(reader_arn, "kinesis:SubscribeToShard", other))
        self.kinesis.untag_resource(ResourceARN=tagged, TagKeys=["team"])
        self.assert_client_error(lambda: self.first_records(reader, tagged),
                                 "AccessDeniedException")

    # ---- queues --------------------------------------------------------------------------------

    def test_queue_policy_lets_another_account_send(self):
        sqs = self.as_(ROOT, "sqs")
        url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:%s:inbox" % ACCOUNT
        b = self.as_(self.root_b, "sqs")
        self.assert_client_error(
            lambda: b.send_message(QueueUrl=url, MessageBody="early"), "AccessDenied",
            "User: %s is not authorized to perform: sqs:sendmessage on resource: %s because no "
            "resource-based policy allows the sqs:sendmessage action" % (ROOT_B_ARN, arn), 403)
        sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "Policy": allow(ACCOUNT_B, "sqs:SendMessage", arn)})
        rc, _, err = self.server.aws("send-message", "--queue-url", url, "--message-body",
                                     "from-b", service="sqs", credentials=self.root_b)
        self.assertEqual(rc, 0, err)
        b.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "batch-b"}])
        self.assert_client_error(lambda: b.receive_message(QueueUrl=url), "AccessDenied")
        self.assert_client_error(  # the queue's policy names SendMessage only
            lambda: b.get_queue_url(QueueName="inbox", QueueOwnerAWSAccountId=ACCOUNT),
            "AccessDenied")
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        self.assertEqual(sorted(m["Body"] for m in got["Messages"]), ["batch-b", "from-b"])
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        self.assert_client_error(lambda: b.send_message(QueueUrl=url, MessageBody="late"),
                                 "AccessDenied")
