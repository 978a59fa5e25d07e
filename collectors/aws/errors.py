"""Turning AWS failures into data: every failed call becomes a `CollectionError` entry.

Partial failure is normal in a large organization (a denied service, an opt-in region, a
service that does not exist in a region, throttling past retries). The collectors record
the failure, mark what it hid as `unknown`, and go on.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from snapshot.model import CollectionError
from snapshot.sanitize import safe_message

#: Codes a region answers every call with when it is not enabled for the account (opt-in
#: regions) or does not accept the credentials: nothing else in that region can succeed.
REGION_UNAVAILABLE_CODES = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
)


def error_code(exc: BaseException) -> str:
    """A short code for an exception: AWS's error code where there is one."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        return "EndpointUnreachable"
    if isinstance(exc, ReadTimeoutError):
        return "ReadTimeout"
    if isinstance(exc, NoCredentialsError):
        return "NoCredentials"
    if isinstance(exc, BotoCoreError):
        return type(exc).__name__
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    """The exception's text as stored and shown: one line, no controls, no secrets."""
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message") or str(exc)
    else:
        message = str(exc)
    return safe_message(message, 500)


def to_collection_error(
    exc: BaseException,
    *,
    account: str | None,
    region: str | None,
    service: str,
    operation: str,
) -> CollectionError:
    return CollectionError(
        account=account,
        region=region,
        service=service,
        operation=operation,
        code=error_code(exc),
        message=error_message(exc),
    )
