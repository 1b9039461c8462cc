"""The scenario reference: written from the models, complete, and committed up to date."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from scenarios import Scenario
from scenarios.reference import DOC_PATH, REGENERATE, render

ROOT = Path(__file__).resolve().parents[2]


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> None:
    if model.__name__ in seen:
        return
    seen[model.__name__] = model
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _models(tp, seen)
            stack.extend(typing.get_args(tp))


def test_the_committed_reference_is_up_to_date() -> None:
    committed = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert committed == render(), f"{DOC_PATH} is stale: regenerate it with `{REGENERATE}`"


def test_every_field_of_every_model_has_a_row_and_a_meaning() -> None:
    text = render()
    models: dict[str, type[BaseModel]] = {}
    _models(Scenario, models)
    assert len(models) > 30
    for model in models.values():
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in text, f"{model.__name__}.{name} is not in the reference"


def test_sections_carry_ranges_units_and_defaults() -> None:
    text = render()
    assert "## site.compounds.buildings\n\n`[[site.compounds.buildings]]`" in text
    row = next(line for line in text.splitlines() if line.startswith("| `floors` |"))
    assert "≥ 1, ≤ 200" in row and "storeys above ground" in row
    row = next(line for line in text.splitlines() if line.startswith("| `heading_deg` |"))
    assert "| ° |" in row and "≥ 0, < 360" in row
    assert "| `port` | integer |  | `4840` | ≥ 0, ≤ 65,535 |" in text
    assert "pattern `^\\d{6}$`" in text
    assert "| `fire_alarm` | `fire_panel` |" in text
