"""The `commtwin` command line: one click group; each sub-command lives near what it drives."""

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


from harness.run_cli import points, rehearse, report_command, serve  # noqa: E402

main.add_command(rehearse)
main.add_command(report_command)
main.add_command(serve)
main.add_command(points)

from harness.coverage import coverage, generate  # noqa: E402

main.add_command(coverage)
main.add_command(generate)

from harness.gis_cli import import_geojson  # noqa: E402

main.add_command(import_geojson)
