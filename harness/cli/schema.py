"""`commtwin schema`: the scenario's JSON Schema, for editors that complete and check TOML.

Even Better TOML (VS Code) and other taplo-based editors read a `#:schema ./scenario.schema.json`
line at the top of a scenario file, or a `.taplo.toml` rule (docs/your-community.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from scenarios.reference import json_schema


@click.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="file to write (default: standard output)")
def schema(out_file: Path | None) -> None:
    """Write the JSON Schema of scenario files (to FILE or standard output)."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        click.echo(text, nl=False)
        return
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_file}: {exc.strerror}") from None
    click.echo(f"{out_file}: JSON Schema of scenario files (schema version 1)")
