"""`commtwin import-geojson`: start a site from GIS data.

Reads a GeoJSON FeatureCollection (WGS 84 lat/lon: buildings, key locations, paths; see
`scenarios.geojson`), projects it into the scenario's local metric frame, adds it to the site and
writes a new scenario file, validated like any other (a bad feature or a dangling compound id is
an error naming the file and the feature).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli.errors import scenario_error
from scenarios import ScenarioError, from_dict, load
from scenarios.generate import to_toml
from scenarios.geojson import merge_features, read_features


@click.command(name="import-geojson")
@click.argument("scenario")
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="the new scenario file to write")
def import_geojson(scenario: str, geojson: Path, out_file: Path) -> None:
    """Add the buildings, key locations and paths of GEOJSON to SCENARIO's site."""
    try:
        base = load(scenario)
        data = json.loads(geojson.read_text(encoding="utf-8"))
        features = read_features(data, base.site.origin, file=geojson.name)
        site = merge_features(base.site, features, file=geojson.name)
        merged = base.model_copy(update={"site": site})
        # Validate the whole scenario again: cross-references (devices in the new buildings,
        # features on the new paths) are checked as for a file written by hand.
        checked = from_dict(merged.model_dump(mode="json", exclude_none=True,
                                              exclude_defaults=True), file=out_file.name)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{geojson.name}: not valid JSON: {exc}") from None
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(to_toml(checked, header=f"{scenario} + {geojson.name} "
                                                "(commtwin import-geojson)"), encoding="utf-8")
    click.echo(f"{out_file}: +{len(features.buildings)} buildings, "
               f"+{len(features.key_locations)} key locations, +{len(features.paths)} paths")
