"""Reads and decisions several probe modules make the same way (recording is in `..records`).

`config_first` is the coverage engine's split of a control's items: those AWS Config's own
record decides (the item holds the deciding field) are decided from the item, with no call,
whatever credential the run has; only the others need the control's call, and without a
credential for the account that call is not made (`unknown`, naming it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from ...inventory.api._common import paginate
from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS
from ..items import from_config, has, is_config_source
from ..records import call_failed_each, skipped

T = TypeVar("T")


def list_all(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under `key` of every page of a paginated read, as one list.

    Probes read a whole listing before deciding, so a failed page raises here, inside the
    probe's `try`, before any resource is recorded.
    """
    return list(paginate(client, operation, key, **kwargs))


@dataclass
class Split:
    """A control's items split by `config_first`: those AWS Config's record decides
    (`deciding`) and those that need the control's call (`rest`; empty without a
    credential, they are `unknown` then)."""

    ctx: ProbeContext
    control_id: str
    types: tuple[str, ...]
    deciding: list[CollectedResource]
    rest: list[CollectedResource]

    def needs_call(self) -> bool:
        """Whether the API read is still needed (`needs_call`)."""
        return needs_call(self.ctx, self.types, self.rest)

    def lists(self) -> bool:
        """Whether the API must list the types: the inventory is not their complete record."""
        return needs_call(self.ctx, self.types, [])

    def listed_or_rest(
        self, listing: Callable[[], list[T]], entry: Callable[[CollectedResource], T]
    ) -> list[T]:
        """`listing()` where the API must list the types (`lists`); else, with no listing,
        the entries (`entry(item)`) of the items that lack the field."""
        return listing() if self.lists() else [entry(item) for item in self.rest]

    def read_listing(
        self,
        call: str,
        service: str,
        listing: tuple[str, str],
        entry: Callable[[CollectedResource], dict[str, Any]],
        *,
        key: Callable[[dict[str, Any]], str] | None = None,
    ) -> list[dict[str, Any]] | None:
        """The entries the API still has to decide: `service`'s paginated `listing`
        (operation, result key) where the API must list the types, else the entries of the
        items that lack the field (`listed_or_rest`), through `read`. None when no call is
        needed (`needs_call`) or the read failed."""
        if not self.needs_call():
            return None
        client = self.ctx.client(service)
        return self.read(
            call,
            lambda: self.listed_or_rest(lambda: list_all(client, *listing), entry),
            key=key,
        )

    def read(
        self,
        call: str,
        read: Callable[[], list[T]],
        *,
        key: Callable[[T], str] | None = None,
        operation: str | None = None,
        what: str | None = None,
    ) -> list[T] | None:
        """`read()`: the API read of what the items did not decide.

        With `key`, the entries whose key (an ARN) names a `deciding` item are dropped: the
        item decided them. A failed read marks each of `rest` `unknown`
        (`call_failed_each`, naming `call`) and returns None.
        """
        try:
            found = read()
        except CALL_ERRORS as exc:
            ids = [item.id for item in self.rest]
            call_failed_each(
                self.ctx, ids, self.control_id, exc, call, operation=operation, what=what
            )
            return None
        if key is None:
            return found
        decided = {item.id for item in self.deciding}
        return [entry for entry in found if key(entry) not in decided]


def config_first(
    ctx: ProbeContext,
    types: Iterable[str],
    control_id: str,
    *fields: str | tuple[str, ...],
    supplementary: bool = False,
    holds: Callable[[CollectedResource], bool] | None = None,
) -> Split:
    """The inventory's items of `types` split into those decided by the item and those
    needing the call.

    An item decides when it is AWS Config's record (`from_config`) and its `configuration`
    (`supplementaryConfiguration` with `supplementary`) holds any of `fields` (a name, or a
    path of names as a tuple), or, given `holds`, when `holds(item)` says so. Without a
    credential the others cannot be read: they are recorded `unknown` here (`skipped`,
    naming the control's call) and `rest` is empty.
    """
    types = tuple(types)
    deciding: list[CollectedResource] = []
    rest: list[CollectedResource] = []
    paths = [(name,) if isinstance(name, str) else name for name in fields]
    for item in ctx.inventory.of_type(*types):
        source = item.supplementary if supplementary else item.configuration
        held = holds(item) if holds else any(has(source, *path) for path in paths)
        (deciding if from_config(ctx.aws, item) and held else rest).append(item)
    if ctx.aws is None:
        skipped(ctx, [item.id for item in rest], control_id)
        rest = []
    return Split(ctx, control_id, types, deciding, rest)


def needs_call(ctx: ProbeContext, types: Iterable[str], rest: list[CollectedResource]) -> bool:
    """Whether the control's API read is still needed after `config_first`: there is a
    credential, and an item lacks the field, or the inventory is not AWS Config's complete
    record of the types (the direct-API source, or a type its recorder does not record)."""
    if ctx.aws is None:
        return False
    complete = is_config_source(ctx.inventory) and set(types) <= ctx.inventory.types_covered
    return bool(rest) or not complete


def in_batches(names: list[str], size: int, read: Callable[[list[str]], list[T]]) -> list[T]:
    """`read` over `names`, `size` at a time (APIs that take a bounded list of names)."""
    found: list[T] = []
    for start in range(0, len(names), size):
        found.extend(read(names[start : start + size]))
    return found


def shared_read(ctx: ProbeContext, key: str, read: Callable[[], T]) -> T:
    """`read()`'s answer, made once per account-region and kept in `ctx.shared[key]`.

    A failed read is kept too and raised again to every later asker, so one error is not
    made (and recorded) twice; the caller that records it decides which one does.
    """
    if key not in ctx.shared:
        try:
            ctx.shared[key] = read()
        except CALL_ERRORS as exc:
            ctx.shared[key] = exc
    answer = ctx.shared[key]
    if isinstance(answer, BaseException):
        raise answer
    return answer  # type: ignore[no-any-return]
