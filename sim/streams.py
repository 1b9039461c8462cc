"""Named, seeded random streams: one numpy Generator per scope ("device/N1-fire", ...).

A stream's seed is derived from the run seed and a stable hash of its name (blake2b, never
Python's salted `hash`), so adding a device changes no other device's draws.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stable_id(scope: str) -> int:
    return int.from_bytes(hashlib.blake2b(scope.encode("utf-8"), digest_size=8).digest(), "big")


def stream(seed: int, scope: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stable_id(scope),)))
