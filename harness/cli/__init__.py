"""The `commtwin` command line: one click group, one module per command group.

`run` (rehearse, serve), `report`, `points`, `export`, `coverage` (coverage, generate), `gis`
(import-geojson), `schema`, `sweep` (variants on Dask), `place` (cameras, 5G sites), `baseline`,
`control` (inject, platform), `trust`; `session` runs a world with its faces and platform for
any of them.
"""

from __future__ import annotations

import logging

import click


@click.group()
@click.version_option(package_name="commtwin")
def main() -> None:
    """commtwin: a digital twin of a smart community and a test harness for its platform."""
    # The libraries' own chatter (asyncua's revised subscription values, pymodbus' per-request
    # debug) would drown the progress display; their errors still show.
    logging.getLogger("asyncua").setLevel(logging.ERROR)
    logging.getLogger("pymodbus").setLevel(logging.ERROR)


from harness.cli.baseline import baseline  # noqa: E402
from harness.cli.control import inject, platform  # noqa: E402
from harness.cli.coverage import coverage, generate  # noqa: E402
from harness.cli.export import export_command  # noqa: E402
from harness.cli.gis import import_geojson  # noqa: E402
from harness.cli.place import place_command  # noqa: E402
from harness.cli.points import points  # noqa: E402
from harness.cli.report import report_command, verify  # noqa: E402
from harness.cli.run import rehearse, serve  # noqa: E402
from harness.cli.schema import schema  # noqa: E402
from harness.cli.sweep import sweep_command  # noqa: E402
from harness.cli.trust import trust  # noqa: E402

for command in (rehearse, report_command, serve, points, coverage, generate, import_geojson,
                export_command, baseline, inject, platform, verify, sweep_command, place_command,
                schema, trust):
    main.add_command(command)
