"""At most N calls in flight to one service of one account; accounts run side by side.

Clients are made by `AwsContext` against moto (`mock_aws`); a `before-send` hook stands in
for a slow AWS answer (it sleeps while it counts the requests in flight, per account), so
the overlap of calls is measured where the request is sent, below every blindspot hook.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from collectors.aws import concurrency
from collectors.aws.concurrency import ServiceLimiter, configured_limit, use_service_concurrency
from collectors.aws.deadlines import RegionBudgetExceeded
from collectors.aws.limits import Limits
from collectors.aws.session import AwsContext, WriteRefused
from snapshot.settings import SettingError

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
#: Requests are told apart by region: account A works in two regions, B in a third.
REGION_ACCOUNT = {"us-east-1": ACCOUNT_A, "us-west-2": ACCOUNT_A, "eu-west-1": ACCOUNT_B}


class SlowAws:
    """A `before-send` hook: each request takes `seconds`; the most in flight per account."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0

    def __call__(self, request, **_) -> None:
        region = next(r for r in REGION_ACCOUNT if f".{r}." in request.url)
        account = REGION_ACCOUNT[region]
        with self.lock:
            self.now[account] += 1
            self.peak[account] = max(self.peak[account], self.now[account])
            self.peak_total = max(self.peak_total, sum(self.now.values()))
        time.sleep(self.seconds)
        with self.lock:
            self.now[account] -= 1


@pytest.fixture
def session(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _contexts(session, limiter: ServiceLimiter, **kwargs):
    return (
        AwsContext(session, account=ACCOUNT_A, limiter=limiter, **kwargs),
        AwsContext(session, account=ACCOUNT_B, limiter=limiter, **kwargs),
    )


def _finishes(function, seconds: float = 20.0) -> None:
    """Run `function` in a thread; fail (instead of hanging) when it does not return."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            function()
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "a call is still waiting for a slot: one was lost"
    if failed:
        raise failed[0]


def test_one_service_of_one_account_never_exceeds_the_limit_while_accounts_overlap(session):
    slow = SlowAws(0.05)
    session.events.register_first("before-send.ec2.*", slow)
    limiter = ServiceLimiter(3)
    a, b = _contexts(session, limiter)
    calls = [(a, "us-east-1"), (a, "us-west-2"), (b, "eu-west-1")] * 16

    def call(job) -> None:
        aws, region = job
        aws.client("ec2", region).describe_vpcs()

    with ThreadPoolExecutor(max_workers=24) as pool:
        list(pool.map(call, calls))

    # Both regions of account A share its three slots; B has three of its own.
    assert slow.peak[ACCOUNT_A] == 3
    assert slow.peak[ACCOUNT_B] == 3
    assert slow.peak_total > 3  # the two accounts ran at the same time
    assert limiter.peak == 3 and limiter.waited > 0
    assert limiter.in_flight((ACCOUNT_A, "ec2")) == 0


def test_services_of_one_account_have_their_own_slots(session):
    """The EC2 call waits, holding its slot, until the SQS call has been sent."""
    sqs_sent = threading.Event()
    met: list[bool] = []

    def hook(request, **_) -> None:
        if "sqs." in request.url:
            sqs_sent.set()
        else:
            met.append(sqs_sent.wait(10))

    session.events.register_first("before-send.*.*", hook)
    limiter = ServiceLimiter(1)
    a, _ = _contexts(session, limiter)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ec2 = pool.submit(lambda: a.client("ec2", "us-east-1").describe_vpcs())
        sqs = pool.submit(lambda: a.client("sqs", "us-east-1").list_queues())
        ec2.result(), sqs.result()
    assert met == [True]  # one slot each: SQS went while EC2's only slot was held


def test_a_slot_comes_back_whatever_way_the_call_ends(session):
    limiter = ServiceLimiter(1)
    a, _ = _contexts(session, limiter)
    ec2 = a.client("ec2", "us-east-1")
    # Same account, its own region clock: a budget spent after the first call.
    spent = AwsContext(
        session, account=ACCOUNT_A, limiter=limiter, limits=Limits(region_budget=0.05)
    ).client("ec2", "eu-west-1")

    def every_ending() -> None:
        # refused before sending by the read-only guard (a `before-call` hook that raises)
        with pytest.raises(WriteRefused):
            ec2.create_vpc(CidrBlock="10.0.0.0/16")
        # an error answer
        with pytest.raises(ClientError):
            ec2.describe_vpcs(VpcIds=["vpc-00000000"])

        # the transport fails (after-call-error; not retried)
        def broken(**_):
            raise RuntimeError("the connection broke")

        ec2.meta.events.register_first("before-send.ec2.DescribeSubnets", broken)
        with pytest.raises(RuntimeError):
            ec2.describe_subnets()
        # the region's budget is spent (the deadline's `before-call` hook raises)
        with contextlib.suppress(RegionBudgetExceeded):  # a slow first call may spend it
            spent.describe_vpcs()
        time.sleep(0.1)
        with pytest.raises(RegionBudgetExceeded):
            spent.describe_vpcs()

    _finishes(every_ending)
    assert limiter.in_flight((ACCOUNT_A, "ec2")) == 0
    # With the only slot free again, a call of another thread goes through at once.
    other = a.client("ec2", "us-west-2")
    _finishes(lambda: other.describe_vpcs(), seconds=5)


def test_a_call_made_inside_a_call_does_not_wait_for_its_own_slot(session):
    limiter = ServiceLimiter(1)
    a, _ = _contexts(session, limiter)
    outer = a.client("ec2", "us-east-1")
    inner = a.client("ec2", "us-west-2")
    nested: list[int] = []

    def call_inside(**_) -> None:
        if not nested:
            nested.append(len(inner.describe_vpcs()["Vpcs"]))

    outer.meta.events.register_first("before-send.ec2.DescribeVpcs", call_inside)
    _finishes(lambda: outer.describe_vpcs(), seconds=10)
    assert nested == [1]  # the default VPC of us-west-2, read while the slot was held


def test_the_limit_comes_from_the_environment(monkeypatch, session):
    monkeypatch.delenv("BLINDSPOT_SERVICE_CONCURRENCY", raising=False)
    assert configured_limit() == concurrency.DEFAULT_SERVICE_CONCURRENCY == 4
    monkeypatch.setenv("BLINDSPOT_SERVICE_CONCURRENCY", "2")
    assert configured_limit() == 2
    monkeypatch.setenv("BLINDSPOT_SERVICE_CONCURRENCY", "many")
    with pytest.raises(SettingError):
        configured_limit()
    monkeypatch.delenv("BLINDSPOT_SERVICE_CONCURRENCY")
    # 0: no limit, the client is left as botocore made it.
    a, _ = _contexts(session, ServiceLimiter(0))
    ec2 = a.client("ec2", "us-east-1")
    assert "_make_api_call" not in vars(ec2)
    assert AwsContext(session).limiter is concurrency.shared_limiter()


def test_a_command_line_limit_applies_to_the_contexts_made_inside_it(session):
    before = concurrency.shared_limiter()
    with use_service_concurrency(2) as limiter:
        assert AwsContext(session).limiter is limiter
        assert limiter.limit == 2
    assert concurrency.shared_limiter() is before
