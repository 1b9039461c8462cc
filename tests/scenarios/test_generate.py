"""The synthetic community generator: exact size, determinism, valid and loadable output."""

from __future__ import annotations

from collections import Counter

import pytest

from scenarios import loads
from scenarios.generate import UNITS_PER_GATEWAY, generate, to_toml


@pytest.mark.parametrize("n", [1, 73, 1000])
def test_exact_household_count_and_device_rules(n: int) -> None:
    s = generate(n, seed=3)
    blds = s.buildings()
    assert sum(b.households for b in blds.values()) == n
    assert {b.floors for b in blds.values()} <= {6, 11, 18}
    kinds = Counter(d.kind for d in s.devices)
    assert kinds["electricity_meter"] == n
    assert kinds["fire_panel"] == len(blds)
    per_gw = Counter(d.gateway for d in s.devices)
    assert max(per_gw.values()) <= UNITS_PER_GATEWAY
    assert all(g.port == 0 for g in s.gateways)
    assert len({(d.gateway, d.unit) for d in s.devices}) == len(s.devices)


def test_same_seed_same_site_other_seed_other_site() -> None:
    assert generate(500, seed=7) == generate(500, seed=7)
    assert generate(500, seed=7) != generate(500, seed=8)


def test_toml_round_trip() -> None:
    s = generate(300, seed=1)
    text = to_toml(s, header="made by a test")
    assert text.startswith("# made by a test\n")
    assert loads(text, file="gen.toml") == s


def test_ten_thousand_households_are_quick_to_make() -> None:
    s = generate(10_000, seed=0)  # generation is vectorised enough to run in a unit test
    assert sum(b.households for b in s.buildings().values()) == 10_000
    assert len(s.site.cameras) > 500 and len(s.site.fire_detectors) > 10_000


def test_bad_size_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="households = 0"):
        generate(0)
