"""docs/devices.md is generated from the code; this fails when someone forgets to regenerate."""

from __future__ import annotations

from pathlib import Path

import devices
from harness.contract.pointlist import DOC_PATH, kinds_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_devices_doc_is_up_to_date() -> None:
    committed = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert committed == kinds_markdown(), "run: python -m harness.contract.pointlist"


def test_every_kind_and_point_is_documented() -> None:
    text = kinds_markdown()
    for kind, cls in devices.KINDS.items():
        assert f"## `{kind}`" in text
        assert all(f"| `{p.name}` |" in text for p in cls.POINTS)
