"""Commands refuse bad input with one line and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import main


def invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'version = 1\n[run]\nduration_s = inf\n"\xff" = 1\n')
    return path


@pytest.mark.parametrize("command", [["rehearse", "--virtual"], ["serve"], ["coverage",
                                                                            "--no-maps"]])
def test_a_bad_scenario_file_is_one_line_and_status_2(command: list[str], bad: Path,
                                                      tmp_path: Path) -> None:
    code, out = invoke(*command, str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert out == "Error: bad.toml: <file> = 'byte 36': not valid UTF-8 (invalid start byte)\n"


def test_several_problems_still_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('version = 1\n[run]\nduration_s = inf\n', encoding="utf-8")
    code, out = invoke("coverage", str(path), "--out", str(tmp_path / "o"), "--no-maps")
    assert code == 2 and out.count("\n") == 1
    assert out.startswith("Error: bad.toml: ") and "more: " in out


@pytest.mark.parametrize("option,value,rule", [
    ("--duration", "inf", "run.duration_s = inf: input should be a finite number"),
    ("--duration", "1e308", "run.duration_s = 1e+308: input should be less than or equal to"),
    ("--speed", "nan", "run.speed = nan: input should be a finite number"),
])
def test_bad_numbers_on_the_command_line(option: str, value: str, rule: str,
                                         tmp_path: Path) -> None:
    code, out = invoke("rehearse", "demo", "--virtual", option, value,
                       "--out", str(tmp_path / "o"))
    assert code == 2 and out.count("\n") == 1
    assert out.startswith("Error: <command line>: ") and rule in out


@pytest.mark.parametrize("n", ["0", "100001"])
def test_generate_refuses_sizes_past_its_limit(n: str, tmp_path: Path) -> None:
    code, out = invoke("generate", "--households", n, "--out", str(tmp_path / "g.toml"))
    assert code == 2
    assert out == f"Error: households = {n}: must be between 1 and 100,000\n"
    assert not (tmp_path / "g.toml").exists()
