"""Failure injection on blindspot's own AWS clients, at the HTTP layer, under moto.

`Injector.install(monkeypatch)` wraps `AwsContext.client` so that every client blindspot
creates (the caller's and every assumed member account's) gets a `before-send` hook,
registered *first* so it runs before moto's own responder. A rule decides, per
(account, region, service, operation, attempt), whether to answer with an AWS error
instead of letting moto answer.

Answering at `before-send` (not `before-call`) matters: the answer goes through botocore's
real response parsing and retry handler, so a throttling answer is retried exactly as a
real one would be (`AWS_MAX_ATTEMPTS`, retry mode), and the error code the collectors see is
the one botocore parses out of an AWS-shaped body for that service's protocol.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from botocore.awsrequest import AWSResponse

from collectors.aws.session import AwsContext


class _Raw(BytesIO):
    """The raw-body object botocore reads an AWSResponse's content from."""

    def stream(self, **_: Any):
        data = self.read()
        while data:
            yield data
            data = self.read()


@dataclass(frozen=True)
class Fault:
    """An AWS error answer: HTTP status and error code (message is free text)."""

    status: int
    code: str
    message: str = "injected by the reliability tests"


def error_response(protocol: str, url: str, fault: Fault) -> AWSResponse:
    """An error response shaped as the service's protocol sends it (botocore parses it)."""
    headers: dict[str, str] = {"x-amzn-RequestId": "rel-test"}
    if protocol == "ec2":
        body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error>"
            f"<Code>{fault.code}</Code><Message>{fault.message}</Message></Error></Errors>"
            f"<RequestID>rel-test</RequestID></Response>"
        )
    elif protocol in ("query", "rest-xml"):
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{fault.code}</Code>"
            f"<Message>{fault.message}</Message></Error><RequestId>rel-test</RequestId>"
            f"</ErrorResponse>"
        )
        headers["Content-Type"] = "text/xml"
    elif protocol in ("json", "rest-json"):
        body = json.dumps({"__type": fault.code, "message": fault.message})
        headers["x-amzn-ErrorType"] = fault.code
        headers["Content-Type"] = "application/x-amz-json-1.1"
    else:  # pragma: no cover - a protocol these tests never target
        raise AssertionError(f"no error shape for protocol {protocol}")
    return AWSResponse(url, fault.status, headers, _Raw(body.encode()))


def ok_response(url: str, document: dict[str, Any]) -> AWSResponse:
    """A successful JSON answer (for the one call moto 5.2 lacks, detective:ListGraphs)."""
    return AWSResponse(
        url, 200, {"Content-Type": "application/json"}, _Raw(json.dumps(document).encode())
    )


#: Reads moto 5.2 does not implement (it answers 404 "Not yet implemented"), answered here
#: as AWS answers an account that has never enabled Detective, so a run without injected
#: failures is complete and exit code 3 is always the injected failure's doing.
MOTO_GAPS: dict[tuple[str, str], dict[str, Any]] = {
    ("detective", "ListGraphs"): {"GraphList": []},
    ("detective", "ListInvitations"): {"Invitations": []},
}


@dataclass
class Call:
    account: str | None
    region: str | None
    service: str  # botocore service name, e.g. "ec2", "cloudtrail"
    operation: str  # e.g. "DescribeFlowLogs"
    attempt: int  # botocore's attempt number of this send: 1, then 2... on retries
    protocol: str = ""  # ec2 | query | json | rest-json | rest-xml
    body: str = ""  # the request body as sent (form-encoded or JSON)


Rule = Callable[[Call], Fault | None]


def never(_: Call) -> Fault | None:
    return None


@dataclass
class Injector:
    rule: Rule = never
    #: Every send seen, by (service, operation): proves retries happened.
    sends: Counter[tuple[str, str]] = field(default_factory=Counter)
    injected: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: (attempt, max attempts) of every send, from botocore's `amz-sdk-request` header.
    attempts: defaultdict[tuple[str, str], list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, monkeypatch: Any) -> Injector:
        original = AwsContext.client
        injector = self

        def client(context: AwsContext, service: str, region: str | None = None) -> Any:
            made = original(context, service, region)
            if not getattr(made, "_rel_injector", False):
                injector._hook(made, context, service, region)
                made._rel_injector = True
            return made

        monkeypatch.setattr(AwsContext, "client", client)
        return self

    def _hook(self, client: Any, context: AwsContext, service: str, region: str | None) -> None:
        protocol = client.meta.service_model.protocol

        def before_send(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
            operation = event_name.rsplit(".", 1)[-1]
            attempt, most = _attempt(request)
            with self.lock:
                self.sends[(service, operation)] += 1
                self.attempts[(service, operation)].append((attempt, most))
            raw = request.body
            body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
            call = Call(context.account, region, service, operation, attempt, protocol, body)
            fault = self.rule(call)
            if fault is not None:
                with self.lock:
                    self.injected[(service, operation, fault.code)] += 1
                return error_response(protocol, request.url, fault)
            if (service, operation) in MOTO_GAPS:
                return ok_response(request.url, MOTO_GAPS[(service, operation)])
            return None

        client.meta.events.register_first(f"before-send.{_service_id(client)}", before_send)


def _attempt(request: Any) -> tuple[int, int]:
    """(attempt, max) from the `amz-sdk-request: attempt=2; max=3` header botocore sends."""
    header = request.headers.get("amz-sdk-request", b"")
    text = header.decode() if isinstance(header, bytes) else str(header)
    fields = dict(part.strip().split("=", 1) for part in text.split(";") if "=" in part)
    return int(fields.get("attempt", 1)), int(fields.get("max", 0))


def _service_id(client: Any) -> str:
    """The event-name form of a client's service id (`before-send.<this>.<Operation>`)."""
    return client.meta.service_model.service_id.hyphenize()


# Common faults, with the HTTP status AWS uses for them.
ACCESS_DENIED_JSON = Fault(400, "AccessDeniedException", "User is not authorized")
ACCESS_DENIED_QUERY = Fault(403, "AccessDenied", "User is not authorized")
UNAUTHORIZED_EC2 = Fault(403, "UnauthorizedOperation", "You are not authorized")
THROTTLED_EC2 = Fault(503, "RequestLimitExceeded", "Request limit exceeded.")
OPT_IN_EC2 = Fault(401, "OptInRequired", "You are not subscribed to this service.")
UNRECOGNIZED_CLIENT = Fault(
    400, "UnrecognizedClientException", "The security token included in the request is invalid"
)
INVALID_TOKEN_QUERY = Fault(
    403, "InvalidClientTokenId", "The security token included in the request is invalid"
)


def region_not_enabled(call: Call) -> Fault:
    """The answer a region that is not enabled gives each service, by protocol.

    EC2 says OptInRequired; JSON services UnrecognizedClientException; query and XML services
    InvalidClientTokenId (the caller's token is not valid in a region it has not opted in to).
    """
    if call.protocol == "ec2":
        return OPT_IN_EC2
    if call.protocol in ("json", "rest-json"):
        return UNRECOGNIZED_CLIENT
    return INVALID_TOKEN_QUERY
