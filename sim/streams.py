"""Named, seeded random streams: one numpy Generator per scope ("device/N1-fire", ...).

A stream's seed is derived from the run seed and a stable hash of its name (blake2b, never
Python's salted `hash`), so adding a device changes no other device's draws. Deriving a stream
costs ~25 us (hash, SeedSequence, PCG64); `lazy_stream` defers that until the first draw, so a
30,000-device world whose meters are never read does not pay it 30,000 times.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

import numpy as np


def stable_id(scope: str) -> int:
    return int.from_bytes(hashlib.blake2b(scope.encode("utf-8"), digest_size=8).digest(), "big")


def stream(seed: int, scope: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stable_id(scope),)))


class _LazyStream:
    """Stands in for `stream(seed, scope)` and becomes it on the first attribute use."""

    __slots__ = ("_rng", "_scope", "_seed")

    def __init__(self, seed: int, scope: str) -> None:
        self._seed = seed
        self._scope = scope
        self._rng: np.random.Generator | None = None

    def __getattr__(self, name: str) -> Any:
        if self._rng is None:
            self._rng = stream(self._seed, self._scope)
        return getattr(self._rng, name)


def lazy_stream(seed: int, scope: str) -> np.random.Generator:
    """`stream(seed, scope)`, derived on first use (same draws, same order)."""
    return cast(np.random.Generator, _LazyStream(seed, scope))
