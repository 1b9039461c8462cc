"""`commtwin trust`: move client certificates the OPC UA server rejected into its trust list.

DIR is the run's `--out` folder (or its `opcua/` or `opcua/pki/` folder). Without thumbprints
it lists what was rejected; `--all` or thumbprints trust them. Trusting takes effect at the
client's next connection, also while the server runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli.errors import BadInput
from harness.faces.opcua.pki import Pki, load_der, thumbprint


def find_pki(folder: Path) -> Pki:
    for root in (folder / "opcua" / "pki", folder / "pki", folder):
        if (root / "rejected").is_dir() or (root / "trusted").is_dir():
            return Pki(root)
    raise BadInput(f"{folder}: no OPC UA PKI folder (opcua/pki/rejected) in it")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("thumbprints", nargs=-1)
@click.option("--all", "trust_all", is_flag=True, help="trust every rejected certificate")
def trust(folder: Path, thumbprints: tuple[str, ...], trust_all: bool) -> None:
    """Trust client certificates the OPC UA server of the run in FOLDER rejected."""
    pki = find_pki(folder)
    if trust_all and thumbprints:
        raise BadInput("give --all or thumbprints, not both")
    if not trust_all and not thumbprints:
        rejected = sorted(pki.rejected.glob("*.der")) if pki.rejected.is_dir() else []
        for path in rejected:
            der = load_der(path)
            click.echo(f"{thumbprint(der) if der else path.stem}  {path}")
        click.echo(f"{len(rejected)} rejected in {pki.rejected}; trust them with "
                   "--all or by thumbprint")
        return
    try:
        moved = pki.trust_rejected(None if trust_all else thumbprints)
    except KeyError as exc:
        raise BadInput(f"{exc.args[0]}: no such certificate in {pki.rejected}") from None
    for path in moved:
        click.echo(f"trusted {path}")
    click.echo(f"{len(moved)} certificates trusted in {pki.trusted}")
