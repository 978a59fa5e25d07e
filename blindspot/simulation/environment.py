"""Start and stop the simulated AWS (moto, in process) that the demo organization lives in.

Why in process (`moto.mock_aws`) rather than a `ThreadedMotoServer` on 127.0.0.1: both run
moto in this process, but `mock_aws` answers boto3 inside botocore's send hook, with no HTTP
round trip, so the build and the collection are faster (moto-matrix.md measured the server
read pass ~1.5x slower) and botocore never retries moto's HTML 500s. The collectors' code path
is unchanged: they make ordinary boto3 clients through `collectors.aws.session.AwsContext`
from ordinary credentials; only the transport below botocore differs.

What the context manager pins, and why:
* `MOTO_AMIS_PATH` -> a three-image catalogue shipped beside this module. moto's default
  catalogue (hundreds of images per region) makes every EC2 backend slow to build and
  `describe_images` listings long. moto reads it when `moto.ec2.models` is first imported,
  so it is set before anything imports moto.
* `MOTO_ACCOUNT_ID` is removed: when set, moto collapses every account into one and the
  organization's accounts would no longer have separate backends.
* `AWS_PROFILE`, `AWS_ENDPOINT_URL*` are removed and fake credentials set, so that a user's
  real AWS configuration can never be touched or leak into the simulation.
* `MOTO_IAM_LOAD_MANAGED_POLICIES=true`, so the AWS managed policies the demo attaches
  exist as in AWS. moto would copy all ~1,600 of them into every account's IAM backend
  (~1.5 s an account), so only the ones in `MANAGED_POLICIES` are offered to it.
* moto's random generator is seeded, so that ids (accounts, VPCs, instances) repeat for a
  given seed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: The small AMI catalogue moto loads instead of its default one.
AMIS_PATH = Path(__file__).with_name("amis.json")

#: Variables removed while the simulation runs (restored afterwards).
_REMOVED = (
    "MOTO_ACCOUNT_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)

#: Variables set while the simulation runs.
_PINNED = {
    "AWS_ACCESS_KEY_ID": "AKIADEMOBLINDSPOT000",
    "AWS_SECRET_ACCESS_KEY": "blindspot-demo-not-a-secret",
    "AWS_SESSION_TOKEN": "blindspot-demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    # Roles attach AWS managed policies (AWSLambdaBasicExecutionRole ...) by ARN, and the
    # probes read their documents, as in AWS; moto only knows them when asked to load them
    # (a subset: see `_managed_policy_subset`).
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


#: AWS managed policies the demo attaches (their real documents come from moto's copy).
MANAGED_POLICIES = (
    "AdministratorAccess",
    "AWSLambdaBasicExecutionRole",
    "AmazonDynamoDBFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
    "CloudWatchLogsFullAccess",
    "ReadOnlyAccess",
    "SecurityAudit",
)


@contextlib.contextmanager
def _managed_policy_subset() -> Iterator[None]:
    from moto.iam import models as iam_models

    original = iam_models.aws_managed_policies_data
    everything = json.loads(original)
    subset = {name: everything[name] for name in MANAGED_POLICIES if name in everything}
    iam_models.aws_managed_policies_data = json.dumps(subset)
    try:
        yield
    finally:
        iam_models.aws_managed_policies_data = original


@contextlib.contextmanager
def _ssm_without_agents() -> Iterator[None]:
    """`ssm:DescribeInstanceInformation` answers, with no managed instance.

    moto does not implement it (nor `ssm:GetInventory`); in the simulated organization no
    SSM agent runs, so the true answer is an empty list. The CloudWatch agent probe needs
    it: an instance SSM does not manage has no SSM inventory to hide the agent in, so a
    failed GetInventory does not stop it from being `missing`.
    """
    from moto.ssm.responses import SimpleSystemManagerResponse

    def describe_instance_information(self: Any) -> str:
        return json.dumps({"InstanceInformationList": []})

    had = "describe_instance_information" in vars(SimpleSystemManagerResponse)
    SimpleSystemManagerResponse.describe_instance_information = (  # type: ignore[attr-defined]
        describe_instance_information
    )
    try:
        yield
    finally:
        if not had:
            delattr(SimpleSystemManagerResponse, "describe_instance_information")


def prepare_environment() -> None:
    """Point moto at the small AMI catalogue; call before anything imports moto's EC2."""
    os.environ.setdefault("MOTO_AMIS_PATH", str(AMIS_PATH))


@contextlib.contextmanager
def restored_environment(names: Iterable[str]) -> Iterator[None]:
    """On exit, put these environment variables back as they were (unset if they were)."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _pinned_environment() -> Iterator[None]:
    with restored_environment((*_REMOVED, *_PINNED, "MOTO_AMIS_PATH")):
        for name in _REMOVED:
            os.environ.pop(name, None)
        os.environ.update(_PINNED)
        prepare_environment()
        yield


#: moto services the organization uses; imported up front (see `_import_backends`).
SERVICES = (
    "apigateway",
    "apigatewayv2",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "config",
    "dynamodb",
    "ec2",
    "elbv2",
    "guardduty",
    "iam",
    "awslambda",
    "logs",
    "organizations",
    "rds",
    "route53",
    "route53resolver",
    "s3",
    "securityhub",
    "stepfunctions",
    "sts",
    "wafv2",
)


def _import_backends() -> None:
    """Import moto's service modules before seeding: some draw random numbers on import,
    which would make the first build in a process differ from later ones with one seed."""
    from moto.backends import get_backend

    for service in SERVICES:
        get_backend(service)  # type: ignore[call-overload]


def _forget_accounts() -> None:
    """Drop every account's backends, so the next run creates them afresh, after the seed.

    moto's reset on stop re-initialises existing region backends in place (drawing ids for
    their default VPCs then) and some of them outlive the reset; a second build in one
    process would then find them and draw fewer ids than the first, and drift.
    """
    from moto.backends import get_backend

    for service in SERVICES:
        get_backend(service).clear()  # type: ignore[call-overload]


@contextlib.contextmanager
def simulated_aws(seed: int = 0) -> Iterator[None]:
    """Run the body against a fresh, empty, seeded moto (every AWS service, in process).

    Any boto3 client created inside, in any thread, talks to moto. Everything is discarded
    on exit.
    """
    with _pinned_environment():
        from moto import mock_aws
        from moto.moto_api._internal import mock_random

        _import_backends()
        mock = mock_aws()
        with _managed_policy_subset(), _ssm_without_agents():
            mock.start()
            _forget_accounts()
            try:
                mock_random.seed(seed)
                yield
            finally:
                mock.stop()
