"""PON budget at the edge, splitter legs, port classes and the TV indicator built on them."""

from __future__ import annotations

from typing import Any

import pytest
from sitekit import building, scenario

from geometry.fiber import drop_budgets
from geometry.indicators import broadcast_tv, gigabit_fiber


def plant(port: str = "XGS-PON-N1", ratio: int = 64, feeder_km: float = 9.5,
          households: int = 10, drop_km: float = 0.5, splices: int = 25,
          **extra: Any) -> Any:
    # 1:64 20.5 dB + 10 km x 0.4 + 4 connectors x 0.5 + 25 splices x 0.1 = 29.0 dB = N1 budget.
    return scenario(
        buildings=[building("B", 10, 10, 70, 24, households=households)],
        olts=[{"id": "O", "ports": [{"id": "0", "pon_class": port}]}],
        splitters=[{"id": "S", "ratio": ratio, "feed": "O/0", "feeder_km": feeder_km,
                    "connectors": 2, "splices": splices}],
        fiber_drops=[{"id": "D", "building": "B", "splitter": "S", "households": households,
                      "drop_km": drop_km, "connectors": 2}], **extra)


def test_margin_exactly_zero_is_gigabit_capable() -> None:
    (b,) = drop_budgets(plant().site)
    assert b.loss_db == pytest.approx(29.0)
    assert b.margin_db == 0.0
    assert b.gigabit == 10 and b.reason == ""
    assert gigabit_fiber(plant().site).ratio == 1.0


def test_margin_a_hundredth_below_zero_is_not() -> None:
    s = plant(drop_km=0.525).site  # 0.025 km more fibre = 0.01 dB more loss
    (b,) = drop_budgets(s)
    assert b.margin_db == pytest.approx(-0.01)
    assert b.gigabit == 0
    assert "optical margin -0.01 dB < 0" in b.reason
    r = gigabit_fiber(s)
    assert r.ratio == 0.0 and r.status == "not_met"
    assert r.evidence[0].place == "drop D (10 households of B)"


def test_gpon_ports_are_not_gigabit_per_household() -> None:
    (b,) = drop_budgets(plant(port="GPON-C+").site)
    assert b.gigabit == 0 and "2.5G shared" in b.reason


def test_households_beyond_the_splitter_legs_are_not_served() -> None:
    s = plant(ratio=8, feeder_km=0.0, splices=0, households=12).site
    (b,) = drop_budgets(s)
    assert (b.with_leg, b.gigabit) == (8, 8)
    assert "4 of 12 households find no free leg on splitter S" in b.reason


def test_cascaded_splitters_add_losses_and_use_a_leg_upstream() -> None:
    s = scenario(
        buildings=[building("B", 10, 10, 70, 24, households=20)],
        olts=[{"id": "O", "ports": [{"id": "0", "pon_class": "XGS-PON-E1"}]}],
        splitters=[{"id": "S1", "ratio": 8, "feed": "O/0"},
                   {"id": "S2", "ratio": 8, "feed": "S1"}],
        fiber_drops=[{"id": "D1", "building": "B", "splitter": "S1", "households": 8},
                     {"id": "D2", "building": "B", "splitter": "S2", "households": 8}])
    d1, d2 = drop_budgets(s.site)
    assert d1.with_leg == 7  # one of S1's eight legs feeds S2
    assert d2.loss_db == pytest.approx(10.5 + 10.5 + 2 * 0.5)
    assert d2.margin_db == pytest.approx(33.0 - 22.0)
    r = gigabit_fiber(s.site)
    assert r.numerator == 15 and r.denominator == 20
    assert any("no fibre drop" in e.reason for e in r.evidence)


def test_tv_counts_each_household_once() -> None:
    both = plant(tv_services=[{"building": "B", "cable_tv": True, "iptv": True}]).site
    assert broadcast_tv(both).numerator == 10
    iptv_only = plant(drop_km=0.525,
                      tv_services=[{"building": "B", "cable_tv": False, "iptv": True}]).site
    r = broadcast_tv(iptv_only)
    assert r.numerator == 0  # IPTV needs a working drop; this one is 0.01 dB short
    assert "IPTV offered but only 0 households" in r.evidence[0].reason
    assert broadcast_tv(plant().site).evidence[0].reason.endswith("no cable TV and no IPTV service")
