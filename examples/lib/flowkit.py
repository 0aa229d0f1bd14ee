"""flowkit - what the example flows (examples/<flow>/) share: where a flow runs and the calls
every flow makes there.

A flow runs against a Target: a kinesd this module starts from the build tree (the default of
each flow's `run`), a kinesd already running (--endpoint-url URL), or AWS itself (--aws: no
endpoint, the credentials and region of the environment). Every call goes through the stock
clients (boto3, the aws CLI) or the example's own programs, with nothing but the endpoint
changed, so that the same flow runs on AWS.
"""

import argparse
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTENING = re.compile(r"kinesd listening on ([^ ]+):(\d+) ")
START_TIMEOUT_S = 10


def build_dir():
    """Where kinesd, kinesctl and the examples' programs were built: $KINESD_BUILD_DIR, else
    <repo>/build."""
    return os.path.abspath(os.environ.get("KINESD_BUILD_DIR") or os.path.join(REPO, "build"))


def wait_until(check, timeout_s, what, every_s=0.1):
    """Calls check() until it returns something true, which is returned; raises TimeoutError
    naming WHAT after TIMEOUT_S."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError("%s: not within %.0f s" % (what, timeout_s))
        time.sleep(every_s)


class Target:
    """Where a flow runs. endpoint None: AWS. credentials: (key id, secret) or None for the
    environment's. role: the execution role functions are created with."""

    def __init__(self, endpoint, region, credentials=None, role=None, account="000000000000"):
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.account = account
        self.role = role or "arn:aws:iam::%s:role/kinesd-flow" % account

    def client(self, service, credentials=None):
        """A boto3 client of SERVICE, signed with CREDENTIALS (default: the target's)."""
        import boto3
        from botocore.config import Config

        key = credentials or self.credentials
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=key[0] if key else None,
                            aws_secret_access_key=key[1] if key else None,
                            config=Config(retries={"max_attempts": 3}, read_timeout=60))

    def env(self, credentials=None, **extra):
        """The environment of a program run against the target (the stock aws CLI, kinesctl,
        the examples' programs): its endpoint, region and credentials."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") or self.endpoint is None}
        env.update(AWS_REGION=self.region, AWS_DEFAULT_REGION=self.region, AWS_PAGER="")
        if self.endpoint:
            env.update(AWS_ENDPOINT_URL=self.endpoint, AWS_CONFIG_FILE=os.devnull,
                       AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        key = credentials or self.credentials
        if key:
            env.update(AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1])
        env.update(extra)
        return env

    def run(self, argv, credentials=None, stdin=None, timeout=120, **extra_env):
        """Runs a program against the target; returns (exit code, stdout, stderr) as text."""
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=self.env(credentials, **extra_env))
        return done.returncode, done.stdout, done.stderr

    def aws(self, *args, credentials=None):
        """The stock aws CLI; returns (exit code, parsed JSON output or None, stderr)."""
        rc, out, err = self.run(["aws", "--output", "json"] + list(args), credentials)
        return rc, json.loads(out) if out.strip() else None, err

    def program(self, name):
        """The path of a program built from examples/ (build/examples/NAME)."""
        path = os.path.join(build_dir(), "examples", name)
        if not os.path.exists(path):
            raise FileNotFoundError("%s is not built: run `make build` first" % path)
        return path

    def kinesctl(self, *args, credentials=None, stdin=None):
        return self.run([os.path.join(build_dir(), "kinesctl")] + list(args), credentials, stdin)


# ---- running kinesd ------------------------------------------------------------------------------

class LocalKinesd:
    """A kinesd started from the build tree on a free loopback port, with a temporary data
    directory that goes when it stops. verify: --auth verify with a root key of its own."""

    ROOT = ("AKIAKINESDFLOWROOT01", "kinesd-flow-root-secret-000000000000000")

    def __init__(self, verify=False, extra_args=()):
        self.root_dir = tempfile.mkdtemp(prefix="kinesd-flow-")
        self.log_path = os.path.join(self.root_dir, "kinesd.log")
        args = [os.path.join(build_dir(), "kinesd"), "--listen", "127.0.0.1:0", "--data-dir",
                os.path.join(self.root_dir, "data"), "--transition-ms", "0",
                "--lambda-retry-delay-ms", "200"] + list(extra_args)
        env = dict(os.environ)
        if verify:
            args += ["--auth", "verify"]
            env.update(KINESD_ROOT_ACCESS_KEY_ID=self.ROOT[0],
                       KINESD_ROOT_SECRET_ACCESS_KEY=self.ROOT[1])
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                         env=env)
        found = wait_until(self._listening, START_TIMEOUT_S, "kinesd start-up", 0.02)
        self.endpoint = "http://%s:%s" % found.groups()
        self.credentials = self.ROOT if verify else ("AKIDFLOWEXAMPLE", "flow-secret")

    def _listening(self):
        if self.proc.poll() is not None:
            raise RuntimeError("kinesd exited during start-up:\n" + self.log())
        return LISTENING.search(self.log())

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        shutil.rmtree(self.root_dir, ignore_errors=True)


def main(description, flow, verify=False):
    """A flow's `run`: parses --endpoint-url / --aws / --region, starts a local kinesd unless
    told otherwise, and calls flow(target); exits 0 when it returns True."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--endpoint-url", help="a kinesd already running (default: start one)")
    parser.add_argument("--aws", action="store_true",
                        help="run against AWS: no endpoint, the environment's credentials")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--role", help="execution role of the functions (AWS)")
    opts = parser.parse_args()
    local = None
    if opts.aws:
        target = Target(None, opts.region, role=opts.role, account=aws_account())
    elif opts.endpoint_url:
        target = Target(opts.endpoint_url, opts.region,
                        (os.environ.get("AWS_ACCESS_KEY_ID", "AKIDFLOWEXAMPLE"),
                         os.environ.get("AWS_SECRET_ACCESS_KEY", "flow-secret")))
    else:
        local = LocalKinesd(verify=verify)
        print("kinesd on %s (log %s)" % (local.endpoint, local.log_path))
        target = Target(local.endpoint, opts.region, local.credentials)
    try:
        ok = flow(target)
    finally:
        if local:
            local.stop()
    sys.exit(0 if ok else 1)


def aws_account():
    import boto3

    return boto3.client("sts").get_caller_identity()["Account"]


# ---- Kinesis, Lambda, SQS --------------------------------------------------------------------------

def create_stream(target, name, shards=1):
    kinesis = target.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                              WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def read_stream(target, name, credentials=None):
    """Every record of the stream, shard by shard (a parent before its children), each as
    {"shard", "sequence", "key", "data" (bytes)}."""
    kinesis = target.client("kinesis", credentials)
    records = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = kinesis.get_records(ShardIterator=it, Limit=10000)
            records += [{"shard": shard["ShardId"], "sequence": r["SequenceNumber"],
                         "key": r["PartitionKey"], "data": r["Data"]} for r in page["Records"]]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
    return records


def zip_dir(directory, extra=None):
    """The bytes of a zip of every file under DIRECTORY (plus EXTRA: {name: text})."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(directory):
            for name in files:
                path = os.path.join(root, name)
                z.write(path, os.path.relpath(path, directory))
        for name, text in (extra or {}).items():
            z.writestr(name, text)
    return out.getvalue()


LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
     "Action": "sts:AssumeRole"}]}


def execution_role(target, statements):
    """On kinesd, makes the target's execution role (a role Lambda may assume, allowed
    STATEMENTS) unless it exists, then gives it STATEMENTS; in verify mode functions run as
    it. On AWS the role is the one given with --role, left as it is."""
    if not target.endpoint:
        return
    iam = target.client("iam")
    name = target.role.rsplit("/", 1)[1]
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.put_role_policy(RoleName=name, PolicyName="flow", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))


def create_function(target, name, code_dir, handler, runtime="python3.12", timeout=30,
                    variables=None, extra_files=None):
    """Creates (or replaces) function NAME from CODE_DIR and waits until it is Active."""
    lam = target.client("lambda")
    try:
        lam.delete_function(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        pass
    lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=target.role,
                        Code={"ZipFile": zip_dir(code_dir, extra_files)}, Timeout=timeout,
                        Environment={"Variables": variables or {}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return lam.get_function_configuration(FunctionName=name)["FunctionArn"]
