"""`commtwin schema`: the JSON Schema editors use accepts the bundled scenarios, refuses typos."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from harness.cli import main
from scenarios import resolve


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Draft202012Validator:
    out = tmp_path_factory.mktemp("schema") / "scenario.schema.json"
    result = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def scenario(name: str) -> dict[str, Any]:
    return tomllib.loads(resolve(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["demo", "jiahe"])
def test_the_bundled_scenarios_are_valid(validator: Draft202012Validator, name: str) -> None:
    errors = [e.message for e in validator.iter_errors(scenario(name))]
    assert errors == []


def test_an_unknown_key_is_refused_where_it_is(validator: Draft202012Validator) -> None:
    data = scenario("demo")
    data["run"]["sped"] = 120
    errors = list(validator.iter_errors(data))
    assert [(list(e.absolute_path), e.validator) for e in errors] == [
        (["run"], "additionalProperties")]
    assert "'sped' was unexpected" in errors[0].message


def test_a_value_out_of_range_is_refused(validator: Draft202012Validator) -> None:
    data = scenario("demo")
    data["site"]["compounds"][0]["buildings"][0]["floors"] = -2
    errors = list(validator.iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [
        ["site", "compounds", 0, "buildings", 0, "floors"]]


def test_without_out_it_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "commtwin scenario, schema version 1"
