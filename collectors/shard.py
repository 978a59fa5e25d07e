"""`--shard I/N`: which part of an organization's accounts one collector takes.

Kept apart from `accounts` (which imports boto3) so that the command line can parse the
flag without paying for the AWS SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


@dataclass(frozen=True)
class Shard:
    """Part `index` of `count` (`--shard 2/4`): a deterministic share of the accounts.

    Accounts are ordered by id and dealt out in turn, so shards differ by at most one
    account and the same organization always gives the same split; every account is in
    exactly one shard, which is what `blindspot merge` relies on.
    """

    index: int  # 1-based, as typed
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count}: need 1 <= I <= N")

    @classmethod
    def parse(cls, text: str) -> Shard:
        index, sep, count = text.partition("/")
        if not sep or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"shard {text!r}: expected I/N, e.g. 1/4")
        return cls(int(index), int(count))

    def select(self, targets: list[T]) -> list[T]:
        ordered = sorted(targets, key=lambda target: target.id)
        return ordered[self.index - 1 :: self.count]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
