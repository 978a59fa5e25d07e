"""Refuse answers that are not real AWS answers, before a probe reads them as "none exist".

A proxy, a captive portal or a broken VPC endpoint can answer HTTP 200 with an empty body,
an HTML page or a body cut short. botocore parses all three into `{}` for the JSON
protocols (and an HTML page into `{}` for the XML ones), and a probe that reads an absent
`trailList` as "no trails" would then record `missing`: a verdict with no evidence. This
module checks each 200 answer against its operation's output shape in botocore's model and
raises `MalformedResponseError` when it cannot be a real answer, so the probes (which
already treat any `BotoCoreError` as a failed call) record `unknown` plus an error entry.

The rule, derived from the model rather than listed by hand per operation:

* an operation whose output has members carried in the body must have a body: AWS always
  sends at least `{}` (JSON) or a root element (XML), so an empty body is no answer;
* a JSON-protocol body must be a complete JSON object (a truncated or HTML body is not);
* an XML-protocol body must be well-formed XML whose root is not an HTML page, and for the
  query and EC2 protocols the root is `<OperationName>Response`, as AWS always sends it;
* for the JSON protocols, members the model marks `required` in the output must be
  present (a `{}` from a stub endpoint is no answer to GuardDuty's ListDetectors). Not for
  the XML protocols: their models mark members required that the services omit (Route 53's
  ListHostedZones `Marker` on a first page), and a false `unknown` everywhere is a defect too.

Stubbed answers (botocore's Stubber, `before-call`) carry no raw body and are not checked:
they are test data, already validated against the model by the Stubber itself.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from botocore.exceptions import BotoCoreError

#: botocore protocols whose bodies are JSON documents.
_JSON_PROTOCOLS = frozenset({"json", "rest-json"})
#: botocore protocols whose bodies are XML documents.
_XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})
#: XML protocols whose root element is always `<OperationName>Response`.
_RESPONSE_ROOT_PROTOCOLS = frozenset({"query", "ec2"})
#: Member locations that are not in the body.
_NON_BODY_LOCATIONS = frozenset({"header", "headers", "statusCode"})


class MalformedResponseError(BotoCoreError):
    """An HTTP 200 answer that cannot be the service's real answer (empty, HTML, cut short)."""

    fmt = "{service} {operation}: not a real AWS answer ({reason}); HTTP 200 from {endpoint}"


def _body_members(output_shape: Any) -> list[str]:
    """Names of the output members carried in the body (not headers or the status code)."""
    if output_shape is None:
        return []
    if output_shape.serialization.get("payload"):
        return []  # a blob or streaming payload: any bytes are a valid answer
    return [
        name
        for name, member in output_shape.members.items()
        if member.serialization.get("location") not in _NON_BODY_LOCATIONS
    ]


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def problem(protocol: str, operation: str, output_shape: Any, body: bytes, parsed: Any) -> str:
    """Why a 200 answer with this body cannot be real, or "" when it may be."""
    members = _body_members(output_shape)
    if not members:
        return ""
    text = body.strip()
    if not text:
        return "empty body"
    if protocol in _JSON_PROTOCOLS:
        try:
            document = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            kind = "an HTML page" if text[:1] == b"<" else "not JSON, or cut short"
            return f"body is {kind}"
        if not isinstance(document, dict):
            return "body is not a JSON object"
        missing = [name for name in output_shape.required_members if name not in parsed]
        if missing:
            return "no " + ", ".join(missing[:3])
    elif protocol in _XML_PROTOCOLS:
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return "body is not well-formed XML, or cut short"
        name = _local_name(root.tag)
        if name.lower() in ("html", "body", "head"):
            return "body is an HTML page"
        if protocol in _RESPONSE_ROOT_PROTOCOLS and name != f"{operation}Response":
            return f"XML root is <{name[:40]}>, not <{operation}Response>"
    return ""


def check_answer(http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
    """`after-call` handler: raise `MalformedResponseError` on a 200 that is no answer."""
    if http_response is None or getattr(http_response, "raw", None) is None:
        return  # stubbed: no bytes came from anywhere
    if not 200 <= http_response.status_code < 300 or not isinstance(parsed, dict):
        return  # errors are botocore's to raise
    reason = problem(
        model.service_model.protocol, model.name, model.output_shape, http_response.content, parsed
    )
    if reason:
        raise MalformedResponseError(
            service=model.service_model.service_name,
            operation=model.name,
            reason=reason,
            endpoint=_endpoint(http_response),
        )


def _endpoint(http_response: Any) -> str:
    """The answering endpoint, scheme://host[:port] only (no path, query or userinfo)."""
    try:
        parts = urlsplit(str(http_response.url or ""))
        host = parts.hostname or "?"
        return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "?"


def install_answer_check(client: Any) -> Any:
    """Register `check_answer` on a boto3 client; returns it."""
    client.meta.events.register("after-call.*.*", check_answer, unique_id="blindspot-answer-check")
    return client
