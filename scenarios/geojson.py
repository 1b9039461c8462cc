"""The site's local metric frame, and import of GIS features (GeoJSON, WGS 84 lat/lon) into it.

`LocalFrame(origin)` projects lat/lon to metres east/north of `site.origin` with an azimuthal
equidistant projection centred on the origin (distances from the origin are exact; over a
community of a few km the scale error is far below a metre). `read_features` turns a GeoJSON
FeatureCollection into buildings, key locations and paths; `merge_features` adds them to a site.

Feature `properties.kind` chooses what a feature becomes:
- ``building`` (Polygon): properties ``id``, ``compound``, ``floors``, ``households``, optional
  ``name`` and ``residential``;
- ``compound_entrance`` / ``parking_entrance`` (Point or LineString), ``main_road`` /
  ``fire_lane`` (LineString): a key location, properties ``id`` and optional ``name``;
- ``footpath`` / ``road`` (LineString): a walkable path, property ``id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError
from pyproj import Transformer

from scenarios.base import LatLon
from scenarios.errors import Problem, ScenarioError
from scenarios.model import Building, Site
from scenarios.site_features import KeyLocation, Path

_KEY_KINDS = ("compound_entrance", "parking_entrance", "main_road", "fire_lane")
_PATH_KINDS = ("footpath", "road")

FloatArray = npt.NDArray[np.float64]


@lru_cache(maxsize=32)
def _transformers(lat: float, lon: float) -> tuple[Transformer, Transformer]:
    local = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    inv = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return fwd, inv


@dataclass(frozen=True)
class LocalFrame:
    """Metres east/north of an origin <-> WGS 84 latitude/longitude."""

    origin: LatLon

    def to_local(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        fwd, _ = _transformers(self.origin.lat, self.origin.lon)
        x, y = fwd.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_latlon(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        _, inv = _transformers(self.origin.lat, self.origin.lon)
        lon, lat = inv.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)


@dataclass(frozen=True)
class GeoFeatures:
    """What a GeoJSON file held, in the local frame. `buildings` pairs a compound id with each."""

    buildings: tuple[tuple[str, Building], ...] = ()
    key_locations: tuple[KeyLocation, ...] = ()
    paths: tuple[Path, ...] = ()


def read_features(data: Mapping[str, Any], origin: LatLon,
                  file: str = "<geojson>") -> GeoFeatures:
    """A GeoJSON FeatureCollection -> features in metres; `ScenarioError` names each problem."""
    frame = LocalFrame(origin)
    problems: list[Problem] = []
    kind_of = data.get("type") if isinstance(data, Mapping) else type(data).__name__
    feats = data.get("features") if isinstance(data, Mapping) else None
    if kind_of != "FeatureCollection" or not isinstance(feats, list):
        raise ScenarioError(file, [Problem("type", kind_of,
                                           "must be a FeatureCollection with a features list")])
    buildings: list[tuple[str, Building]] = []
    keys: list[KeyLocation] = []
    paths: list[Path] = []
    for i, feat in enumerate(feats):
        where = f"features[{i}]"
        props = feat.get("properties") if isinstance(feat, Mapping) else None
        geom = feat.get("geometry") if isinstance(feat, Mapping) else None
        if not isinstance(props, Mapping):
            problems.append(Problem(f"{where}.properties", props, "must be an object"))
            continue
        kind = props.get("kind")
        coords = _local_coords(frame, geom, f"{where}.geometry", problems)
        if coords is None:
            continue
        gtype = geom.get("type") if isinstance(geom, Mapping) else None
        fields = {k: v for k, v in props.items() if k not in ("kind", "compound")}
        try:
            if kind == "building":
                if gtype != "Polygon":
                    problems.append(Problem(f"{where}.geometry.type", gtype,
                                            "a building is a Polygon"))
                    continue
                compound = props.get("compound")
                if not isinstance(compound, str) or not compound:
                    problems.append(Problem(f"{where}.properties.compound", compound,
                                            "name the compound the building belongs to"))
                    continue
                buildings.append((compound, Building(footprint=coords, **fields)))
            elif kind in _KEY_KINDS:
                keys.append(KeyLocation(kind=kind, points=coords, **fields))
            elif kind in _PATH_KINDS:
                paths.append(Path(kind=kind, points=coords, **fields))
            else:
                problems.append(Problem(f"{where}.properties.kind", kind,
                                        "must be one of building, "
                                        + ", ".join(_KEY_KINDS + _PATH_KINDS)))
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                path = (f"{where}.geometry.coordinates" if field in ("footprint", "points")
                        else f"{where}.properties.{field}")
                value = None if err["type"] == "missing" else err.get("input")
                problems.append(Problem(path, value, err["msg"].lower()))
    if problems:
        raise ScenarioError(file, problems)
    return GeoFeatures(tuple(buildings), tuple(keys), tuple(paths))


def merge_features(site: Site, features: GeoFeatures, file: str = "<geojson>") -> Site:
    """The site with the imported buildings added to their compounds and the rest appended."""
    compounds = {c.id: c for c in site.compounds}
    added: dict[str, list[Building]] = {cid: [] for cid in compounds}
    problems: list[Problem] = []
    for i, (cid, b) in enumerate(features.buildings):
        if cid not in compounds:
            problems.append(Problem(f"buildings[{i}].compound", cid,
                                    f"no such compound (known: {', '.join(sorted(compounds))})"))
        else:
            added[cid].append(b)
    if problems:
        raise ScenarioError(file, problems)
    new_compounds = tuple(c.model_copy(update={"buildings": c.buildings + tuple(added[c.id])})
                          for c in site.compounds)
    return site.model_copy(update={
        "compounds": new_compounds,
        "key_locations": site.key_locations + features.key_locations,
        "paths": site.paths + features.paths,
    })


def _local_coords(frame: LocalFrame, geom: Any, where: str,
                  problems: list[Problem]) -> tuple[tuple[float, float], ...] | None:
    gtype = geom.get("type") if isinstance(geom, Mapping) else None
    raw = geom.get("coordinates") if isinstance(geom, Mapping) else None
    if gtype == "Point":
        ring: Any = [raw]
    elif gtype == "LineString":
        ring = raw
    elif gtype == "Polygon" and isinstance(raw, Sequence) and raw:
        ring = raw[0]  # the exterior ring; holes do not change a footprint's outline here
    else:
        problems.append(Problem(f"{where}.type", gtype, "must be Point, LineString or Polygon"))
        return None
    try:
        arr = np.asarray(ring, dtype=float)
    except (TypeError, ValueError):
        arr = np.empty((0,))
    if arr.ndim != 2 or arr.shape[1] < 2 or not np.isfinite(arr).all() or len(arr) == 0:
        problems.append(Problem(f"{where}.coordinates", raw, "must be [lon, lat] positions"))
        return None
    lon, lat = arr[:, 0], arr[:, 1]
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any():
        problems.append(Problem(f"{where}.coordinates", raw,
                                "lon/lat out of range (GeoJSON is [lon, lat] in WGS 84)"))
        return None
    x, y = frame.to_local(lat, lon)
    pts = [(round(float(a), 3), round(float(b), 3)) for a, b in zip(x, y, strict=True)]
    if gtype == "Polygon" and len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]  # GeoJSON rings repeat the first position; the schema does not
    return tuple(pts)
