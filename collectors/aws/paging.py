"""Paging for the calls botocore has no paginator for (WAFv2, Detective, CloudFront real-time
log configs ...): one loop, so that every such listing stops the same way.

Where botocore has a paginator, use it (`client.get_paginator(op).paginate(...)`): it knows
the operation's own token names. These calls name theirs in three ways (`NextToken` in and
out; `NextMarker` in and out as WAF does; `Marker` in, `NextMarker` out, with `IsTruncated`,
as CloudFront does, inside a wrapper element), so the caller says which.

A listing ends when the answer carries no next token, or says it is not truncated. A token
that comes back unchanged would loop for ever: like botocore's paginators, that raises
`PaginationError`, which the callers turn into an `unknown` and an `errors` entry (an answer
that cannot be followed is not an empty list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from botocore.exceptions import PaginationError

#: A bound client method, e.g. `client.list_web_acls`.
Call = Callable[..., Mapping[str, Any]]


def pages(
    call: Call,
    *,
    token: str = "NextToken",
    request_token: str | None = None,
    within: str | None = None,
    **params: Any,
) -> Iterator[Mapping[str, Any]]:
    """Every page of `call(**params)`, following `token` from each answer.

    `request_token`: the request parameter that carries it back (default: `token`).
    `within`: the element of the answer that holds the page (CloudFront wraps its lists).
    """
    sent: set[str] = set()
    while True:
        answer = call(**params)
        page = (answer.get(within) or {}) if within else answer
        yield page
        following = page.get(token)
        if not following or page.get("IsTruncated") is False:
            return
        if following in sent:
            raise PaginationError(message=f"the same {token} was received twice: {following}")
        sent.add(following)
        params = {**params, request_token or token: following}


def items(call: Call, key: str, *, empty_page_ends: bool = False, **options: Any) -> Iterator[Any]:
    """The `key` list of every page (see `pages` for the options and the call's parameters).

    `empty_page_ends`: stop at a page without items, for services that hand out a marker
    even on the last page (WAF); the caller then passes `Limit`.
    """
    for page in pages(call, **options):
        found = page.get(key) or []
        yield from found
        if empty_page_ends and not found:
            return
