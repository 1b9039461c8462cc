"""Scenario loading: the demo is valid, and any one corrupted field is named in the error."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from scenarios import ScenarioError, from_dict, load
from scenarios.loader import format_path
from tests.conftest import demo_dict, tiny_dict

Path_ = tuple[str | int, ...]


def leaves(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every scalar in a TOML document, by path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, (*path, i))
    else:
        yield path


def tables(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every table (where an unknown key could be added), by path."""
    if isinstance(node, dict):
        yield path
        for key, value in node.items():
            yield from tables(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from tables(value, (*path, i))


def put(doc: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


DEMO = demo_dict()
LEAVES = sorted(leaves(DEMO), key=format_path)


def test_demo_loads_by_name(demo: scenarios.Scenario) -> None:
    assert demo.name == "demo"
    assert len(demo.devices) >= 60
    assert {d.kind for d in demo.devices} >= {"fire_panel", "call_button", "electricity_meter"}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(path=st.sampled_from(LEAVES),
       corruption=st.sampled_from([{"bogus": 1}, [[["nested"]]]]))
def test_any_corrupted_field_is_named(path: Path_, corruption: Any) -> None:
    doc = copy.deepcopy(DEMO)
    put(doc, path, corruption)
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    where = format_path(path)
    assert any(p == where or p.startswith(where + ".") or p.startswith(where + "[")
               for p in err.value.paths), (where, err.value.paths)
    assert str(err.value).startswith("demo.toml: ")


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from(sorted(tables(DEMO), key=format_path)))
def test_unknown_keys_are_errors_naming_their_path(path: Path_) -> None:
    doc = copy.deepcopy(DEMO)
    node: Any = doc
    for part in path:
        node = node[part]
    node["colour"] = "blue"
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    assert format_path((*path, "colour")) in err.value.paths


def test_message_names_file_path_value_and_rule() -> None:
    doc = demo_dict()
    doc["site"]["compounds"][0]["buildings"][2]["floors"] = -2
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    assert str(err.value) == ("demo.toml: site.compounds[0].buildings[2].floors = -2: "
                              "input should be greater than or equal to 1")


@pytest.mark.parametrize("mutate,path,rule", [
    (lambda d: d["devices"][0].update(gateway="nowhere"), "devices[0].gateway", "no such gateway"),
    (lambda d: d["devices"][1].update(unit=d["devices"][0]["unit"]), "devices[1].unit",
     "already used"),
    (lambda d: d["devices"][0].update(building="X9"), "devices[0].building", "no such building"),
    (lambda d: d["devices"][2].update(id=d["devices"][0]["id"]), "devices[2].id", "unique"),
    (lambda d: d["incidents"]["scripted"][0].update(target="ghost"),
     "incidents.scripted[0].target", "no such device"),
    (lambda d: d["incidents"]["scripted"][0].update(kind="meter_fault"),
     "incidents.scripted[0].target", "needs a electricity_meter"),
    (lambda d: d["incidents"]["scripted"][0].update(at=1e6), "incidents.scripted[0].at",
     "must be <= run.duration_s"),
    (lambda d: d["run"].update(speed=0.5), "run.speed", "greater than or equal to 1"),
])
def test_cross_reference_rules(mutate: Any, path: str, rule: str) -> None:
    doc = demo_dict()
    mutate(doc)
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    assert path in err.value.paths
    assert rule in str(err.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"cannot be read.*bundled scenarios: .*demo"):
        load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("site = [", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^bad.toml: <toml> = None: not valid TOML"):
        load(bad)


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(tomli_w.dumps(tiny_dict()), encoding="utf-8")
    s = load(path)
    assert [d.id for d in s.devices] == ["fire", "call", "meter"]
    with pytest.raises(Exception, match="frozen"):
        s.run.seed = 5  # type: ignore[misc]


@pytest.mark.parametrize("acceptance,path,rule", [
    ({"profile": "gold"}, "acceptance.profile", "must be one of basic, growth, benchmark"),
    ({"overrides": {"mobile_5g_typo": 0.95}}, "acceptance.overrides.mobile_5g_typo",
     "no such threshold"),
])
def test_acceptance_section_is_checked(acceptance: dict[str, Any], path: str, rule: str) -> None:
    doc = demo_dict()
    doc["acceptance"] = acceptance
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    assert path in err.value.paths and rule in str(err.value)


def test_a_threshold_override_changes_the_verdict() -> None:
    from harness.evidence.judge import Measurement, evaluate
    from scenarios.acceptance import load_catalogue, load_profile

    doc = demo_dict()
    doc["acceptance"] = {"profile": "basic", "overrides": {"mobile_5g": 0.95}}
    scenario = from_dict(doc)
    profile = load_profile(scenario.acceptance.profile).with_overrides(
        scenario.acceptance.overrides)
    (v,) = [v for v in evaluate(load_catalogue(), profile,
                                {"geometry.mobile_5g": Measurement(0.92)})
            if v.indicator.number == 2]
    assert v.status == "not_met" and "95%" in v.standard_en
