"""Gigabit fibre: the PON optical budget of every household's drop, and splitter legs.

A household is gigabit-capable when its drop hangs off a 10G-class (XGS-PON) port, holds one of
its splitter's legs, and the margin budget - (splitter losses + km x 0.4 + connectors x 0.5 +
splices x 0.1) is >= 0 (class budgets: ITU-T G.984.2, G.9807.1; the per-km, connector and
splice figures are planning conventions and parameters here). Splitters may cascade; losses and
lengths add up the chain. Legs are handed out in file order: downstream splitters first (they
are plant), then drops.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.model import Site
from scenarios.site_features import PON_BUDGET_DB, SPLITTER_LOSS_DB, TEN_G_CLASSES

# A margin computed as a float sum of tenths can land at -4e-15 when it is exactly 0.
_EPS_DB = 1e-9


@dataclass(frozen=True)
class FiberParams:
    fiber_db_per_km: float = 0.4
    connector_db: float = 0.5
    splice_db: float = 0.1


@dataclass(frozen=True)
class DropBudget:
    """The budget of one drop group: its households share the path, so one margin serves all.

    `with_leg` households got a free splitter leg; the rest of `households` did not.
    `pon_class` is None when the splitter chain does not reach an OLT port.
    """

    drop_id: str
    building: str
    households: int
    with_leg: int
    pon_class: str | None
    loss_db: float
    margin_db: float
    gigabit: int
    reason: str


def _chain(site: Site, splitter_id: str) -> tuple[list[str], str | None]:
    """Splitter ids from `splitter_id` up to the OLT, and the port class at the top."""
    splitters = {s.id: s for s in site.splitters}
    ports = {f"{o.id}/{p.id}": p.pon_class for o in site.olts for p in o.ports}
    chain: list[str] = []
    cur: str | None = splitter_id
    while cur is not None and cur in splitters and cur not in chain:
        chain.append(cur)
        cur = splitters[cur].feed
    return chain, ports.get(cur) if cur is not None else None


def drop_budgets(site: Site, params: FiberParams = FiberParams()) -> tuple[DropBudget, ...]:
    """Every fibre drop's optical budget, leg allocation and gigabit household count."""
    splitters = {s.id: s for s in site.splitters}
    legs: dict[str, int] = {s.id: s.ratio for s in site.splitters}
    for s in site.splitters:  # a cascaded splitter takes one leg of its upstream splitter
        if s.feed in legs:
            legs[s.feed] -= 1
    out: list[DropBudget] = []
    for d in site.fiber_drops:
        chain, pon = _chain(site, d.splitter)
        split_db = sum(SPLITTER_LOSS_DB[splitters[s].ratio] for s in chain)
        km = d.drop_km + sum(splitters[s].feeder_km for s in chain)
        conns = d.connectors + sum(splitters[s].connectors for s in chain)
        splices = d.splices + sum(splitters[s].splices for s in chain)
        loss = (split_db + km * params.fiber_db_per_km + conns * params.connector_db
                + splices * params.splice_db)
        budget = PON_BUDGET_DB.get(pon, 0.0) if pon else 0.0
        margin = budget - loss
        free = max(0, legs.get(d.splitter, 0))
        with_leg = min(d.households, free)
        if d.splitter in legs:
            legs[d.splitter] = free - with_leg
        reasons: list[str] = []
        if pon is None:
            reasons.append("splitter chain reaches no OLT port")
        elif pon not in TEN_G_CLASSES:
            reasons.append(f"{pon} port: 2.5G shared, not gigabit per household")
        if margin < -_EPS_DB:
            reasons.append(f"optical margin {margin:.2f} dB < 0 "
                           f"(budget {budget:.1f} dB, loss {loss:.2f} dB)")
        if with_leg < d.households:
            reasons.append(f"{d.households - with_leg} of {d.households} households "
                           f"find no free leg on splitter {d.splitter}")
        ok = pon in TEN_G_CLASSES and margin >= -_EPS_DB
        out.append(DropBudget(drop_id=d.id, building=d.building, households=d.households,
                              with_leg=with_leg, pon_class=pon, loss_db=loss,
                              margin_db=0.0 if abs(margin) < _EPS_DB else margin,
                              gigabit=with_leg if ok else 0, reason="; ".join(reasons)))
    return tuple(out)


def broadband_households(budgets: tuple[DropBudget, ...]) -> dict[str, int]:
    """Households per building with working broadband of any class (a leg and margin >= 0):
    what IPTV needs."""
    out: dict[str, int] = {}
    for b in budgets:
        if b.pon_class is not None and b.margin_db >= 0:
            out[b.building] = out.get(b.building, 0) + b.with_leg
    return out
