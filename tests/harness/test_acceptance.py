"""Judging indicators: evidence-only is never met, unmeasured is never met, failing is not met."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.evidence.judge import Measurement, evaluate
from scenarios import ScenarioError
from scenarios.acceptance import load_catalogue, load_profile, standard_text

CATALOGUE = load_catalogue()
GROWTH = load_profile("growth", CATALOGUE)
MEASURES = sorted({c.measure for ind in CATALOGUE.indicator for c in ind.criteria})


def test_catalogue_has_the_28_indicators_of_the_notice() -> None:
    assert [ind.number for ind in CATALOGUE.indicator] == list(range(1, 29))
    evidence_only = {ind.number for ind in CATALOGUE.indicator if ind.method == ("E",)}
    assert evidence_only == {9, 12, 14, 18, 21, 22, 23, 24, 25, 27, 28}


def test_tiers_differ_where_the_sources_say() -> None:
    basic, bench = load_profile("basic"), load_profile("benchmark")
    assert (basic.thresholds["gigabit_fiber"], GROWTH.thresholds["gigabit_fiber"]) == (0.7, 0.8)
    assert (basic.thresholds["mobile_5g"], GROWTH.thresholds["mobile_5g"]) == (0.8, 0.9)
    assert bench.thresholds == GROWTH.thresholds
    assert standard_text("5G >= {mobile_5g:%}", basic) == "5G >= 80%"
    assert standard_text("{elderly_response_s:min} min", GROWTH) == "15 min"


@given(st.dictionaries(st.sampled_from(MEASURES), st.tuples(
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
    st.sampled_from(["measured", "modelled", "indicative"]))))
def test_no_indicator_is_met_without_every_measurement_or_with_documents_or_a_model(
        values: dict[str, tuple[float, str]]) -> None:
    verdicts = evaluate(CATALOGUE, GROWTH, {k: Measurement(v, basis=b)  # type: ignore[arg-type]
                                            for k, (v, b) in values.items()})
    assert len(verdicts) == 28
    for v in verdicts:
        if v.status == "met":
            assert not v.indicator.needs_evidence
            assert v.criteria and all(c.ok for c in v.criteria)
            assert all(c.criterion.measure in values for c in v.criteria)
            assert all(c.basis == "measured" for c in v.criteria)
        if any(c.ok is False and c.basis == "measured" for c in v.criteria):
            assert v.status == "not_met"
        if v.status in ("modelled", "indicative"):
            assert any(c.basis == v.status for c in v.criteria)


def test_all_measured_and_passing_is_met_and_one_failure_flips_it() -> None:
    values = {m: Measurement(1.0) for m in MEASURES if not m.startswith("live.")}
    values |= {m: Measurement(0.0) for m in MEASURES
               if m.startswith(("live.not_acknowledged", "live.resolved_max_s"))}
    values |= {m: Measurement(1.0) for m in MEASURES if m.startswith("live.acknowledged")}
    values["live.scenarios_exercised"] = Measurement(12)
    by_number = {v.indicator.number: v for v in evaluate(CATALOGUE, GROWTH, values)}
    assert by_number[2].status == "met"
    assert by_number[8].status == "needs_evidence"  # measured, but documents are part of it
    values["geometry.mobile_5g"] = Measurement(0.85, evidence=("cell (10, 20): -112 dBm",))
    flipped = {v.indicator.number: v for v in evaluate(CATALOGUE, GROWTH, values)}[2]
    assert flipped.status == "not_met"
    assert flipped.criteria[0].evidence == ("cell (10, 20): -112 dBm",)


def test_a_measuring_functions_own_verdict_decides() -> None:
    # e.g. every household within the walk, but no book corner: the standard is not met
    values = {"geometry.sports_walk": Measurement(1.0, verdict=False)}
    (v,) = [v for v in evaluate(CATALOGUE, GROWTH, values) if v.indicator.number == 11]
    assert v.status == "not_met"


def test_an_alternative_criterion_replaces_its_original_only_when_measured() -> None:
    # Indicator 10: a virtual run with responders measures the on-site share over replications
    # and is held to it instead of the slowest call; any other run keeps the slowest call.
    slowest = {"live.resolved_max_s.emergency_call": Measurement(600.0, "s"),
               "live.not_acknowledged.emergency_call": Measurement(0, "incidents")}
    (plain,) = [v for v in evaluate(CATALOGUE, GROWTH, slowest) if v.indicator.number == 10]
    assert [r.criterion.measure for r in plain.criteria] == [
        "live.resolved_max_s.emergency_call", "live.not_acknowledged.emergency_call"]
    assert plain.status == "met"
    share = slowest | {"model.onsite_share.emergency_call": Measurement(
        0.97, basis="modelled", interval=(0.93, 0.99))}
    (modelled,) = [v for v in evaluate(CATALOGUE, GROWTH, share) if v.indicator.number == 10]
    assert [r.criterion.measure for r in modelled.criteria] == [
        "model.onsite_share.emergency_call", "live.not_acknowledged.emergency_call"]
    # every call, as the standard says: 97% fails, and a model's figure is never met
    assert GROWTH.thresholds["elderly_response_share"] == 1.0
    assert modelled.status == "modelled" and modelled.criteria[0].ok is False
    assert modelled.criteria[0].interval == (0.93, 0.99)


def test_an_alternative_must_name_a_criterion_of_its_indicator(tmp_path: Path) -> None:
    text = (resources.files("scenarios") / "data" / "acceptance" / "catalogue.toml").read_text(
        "utf-8").replace('instead_of = "live.resolved_max_s.emergency_call"',
                         'instead_of = "live.resolved_max_s.fire_alarm"')
    bad = tmp_path / "catalogue.toml"
    bad.write_text(text, "utf-8")
    with pytest.raises(ScenarioError, match="instead_of"):
        load_catalogue(bad)
