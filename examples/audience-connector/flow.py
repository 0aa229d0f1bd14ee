#!/usr/bin/env python3
"""Audience activation connector: audience membership changes become one message per partner
id on the partner's stream, put with a key that may do nothing else.

    examples/audience-connector/flow.py        # starts a kinesd (--auth verify) from build/
    examples/audience-connector/flow.py --aws  # on AWS (see README.md)

The steps (each a function the integration test calls too):
  1. the partner's stream `audience-activation` (2 shards);
  2. the connector's identity: an IAM user whose only permission is kinesis:PutRecord(s) on that
     stream, and its access key;
  3. the connector's configuration (name, partner number, the key, region, stream name);
  4. `connector` turns changes.jsonl into messages and puts them;
  5. the partner reads them back: every message valid against the schema;
  6. the connector's key cannot read the stream (nor write anywhere else).
"""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import flowkit  # noqa: E402

STREAM = "audience-activation"
USER = "audience-connector"
SCHEMA = os.path.join(HERE, "schemas", "activation-message.schema.json")
CHANGES = os.path.join(HERE, "changes.jsonl")
PARTNER_NUMBER = "P-4711"


def put_only_policy(stream_arn):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ConnectorPutsToItsStreamOnly", "Effect": "Allow",
         "Action": ["kinesis:PutRecord", "kinesis:PutRecords"], "Resource": stream_arn}]}


def setup(target):
    """The stream and the connector's user; returns (stream ARN, (key id, secret))."""
    arn = flowkit.create_stream(target, STREAM, shards=2)["StreamARN"]
    iam = target.client("iam")
    iam.create_user(UserName=USER)
    iam.put_user_policy(UserName=USER, PolicyName="put-only",
                        PolicyDocument=json.dumps(put_only_policy(arn)))
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    return arn, (key["AccessKeyId"], key["SecretAccessKey"])


def write_config(directory, key, target, **changes):
    """The connector's configuration file; CHANGES replace (None: remove) settings."""
    config = {"name": "acme-audiences", "partnerNumber": PARTNER_NUMBER, "accessKey": key[0],
              "secretKey": key[1], "region": target.region, "streamName": STREAM}
    config.update(changes)
    config = {k: v for k, v in config.items() if v is not None}
    path = os.path.join(directory, "connector.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def connect(target, config_path, changes_text):
    """Runs the connector (with no credentials but its configuration's); returns (exit code,
    delivery lines, stderr)."""
    rc, out, err = target.run([target.program("audience-connector/connector"), config_path,
                               SCHEMA], credentials=("unused", "unused"), stdin=changes_text)
    return rc, [json.loads(line) for line in out.splitlines()], err


def messages(target):
    """The messages on the stream, read as the partner (the target's credentials)."""
    return [dict(json.loads(r["data"]), _key=r["key"], _sequence=r["sequence"])
            for r in flowkit.read_stream(target, STREAM)]


def connector_may_read(target, key):
    """What the connector's key gets when it tries to read: the aws CLI's exit code and error."""
    shard = "shardId-000000000000"
    rc, _, err = target.aws("kinesis", "get-shard-iterator", "--stream-name", STREAM,
                            "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON",
                            credentials=key)
    return rc, err.strip()


def flow(target):
    print("1-2. stream %s and the connector's put-only user %s" % (STREAM, USER))
    arn, key = setup(target)
    print("     policy: %s" % json.dumps(put_only_policy(arn)))
    with tempfile.TemporaryDirectory() as tmp:
        print("3. a configuration without its region is refused, naming it:")
        rc, _, err = connect(target, write_config(tmp, key, target, region=None), "")
        print("   exit %d: %s" % (rc, err.strip()))
        print("4. connector < %s" % os.path.relpath(CHANGES))
        with open(CHANGES) as f:
            rc, delivered, err = connect(target, write_config(tmp, key, target), f.read())
    for line in delivered:
        print("   line %(line)d: %(callType)s for partner %(partnerId)s of %(profileId)s" % line)
    print("   exit %d; stderr:\n   %s" % (rc, err.strip().replace("\n", "\n   ")))
    print("5. the partner reads the stream:")
    for m in messages(target):
        print("   " + json.dumps({k: v for k, v in m.items() if not k.startswith("_")}))
    rc, err = connector_may_read(target, key)
    print("6. the connector's key reading the stream: exit %d %s" % (rc, err))
    return bool(delivered) and rc != 0


if __name__ == "__main__":
    flowkit.main(__doc__.splitlines()[0], flow, verify=True)
