"""Reading and checking boundary files (GeoJSON FeatureCollection of Polygon/MultiPolygon).

Pure parsing and geometry checks with shapely, no database: `read_boundary_file(...)` returns
one `BoundaryFeature` per feature or raises `RegionDataError` listing, for each problem, the
file, the feature index (`features[3]`) and the reason. Whether the codes exist is checked by
the import service against the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from .sources import LEVEL_BY_NUMBER, Problem, RegionDataError

DEMO_DIR = Path(__file__).resolve().parent / "data" / "boundaries"

LEVEL_NAMES = {"province": 1, "regency": 2, "district": 3, "village": 4}
LEVEL_ALIASES = {
    **LEVEL_NAMES,
    "provinsi": 1,
    "kabupaten": 2,
    "kota": 2,
    "city": 2,
    "kecamatan": 3,
    "kelurahan": 4,
    "desa": 4,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
}
_DIGIT_LENGTHS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_WGS84_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:epsg::4326",
    "epsg:4326",
    "crs84",
}


_checked: dict[tuple, list] = {}


@dataclass(frozen=True)
class BoundaryFeature:
    index: int
    code: str
    level: int
    name: str  # from the name property, if one was asked for
    geometry: dict  # GeoJSON geometry as stored: {"type", "coordinates"}
    shape: shapely.Geometry


def normalise_code(value) -> str:
    """Kemendagri code with dots; digits-only codes (BIG files: 3374010001) get their dots."""
    text = str(value).strip()
    if re.fullmatch(r"\d+", text) and len(text) in _DIGIT_LENGTHS:
        parts, pos = [], 0
        for width in _DIGIT_LENGTHS[len(text)]:
            parts.append(text[pos : pos + width])
            pos += width
        return ".".join(parts)
    return text


def parse_level(value) -> int | None:
    if value is None:
        return None
    return LEVEL_ALIASES.get(str(value).strip().lower())


def read_boundary_file(
    path: Path | str,
    *,
    level: int | None,
    code_property: str = "code",
    name_property: str | None = None,
    level_property: str = "level",
) -> list[BoundaryFeature]:
    """Parse and check a GeoJSON file. With level=None each feature's `level` property decides.

    A file that passed is remembered per process (by size and modification time), so the
    idempotent `import_boundaries --demo` of `make setup` and the test fixture are quick."""
    path = Path(path)
    file = str(path)
    try:
        st = path.stat()
        key: tuple | None = (
            str(path.resolve()),
            st.st_size,
            st.st_mtime_ns,
            level,
            code_property,
            name_property,
            level_property,
        )
    except OSError:
        key = None
    if key is not None and key in _checked:
        return _checked[key]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegionDataError(
            [Problem(file, None, _("cannot read the file: %(error)s") % {"error": exc.strerror})]
        ) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RegionDataError([Problem(file, None, _("the file is not UTF-8 text"))]) from None
    except json.JSONDecodeError as exc:
        raise RegionDataError(
            [
                Problem(
                    file,
                    exc.lineno,
                    _("not valid JSON: %(error)s (column %(column)d)") % {"error": exc.msg, "column": exc.colno},
                )
            ]
        ) from None
    return check_feature_collection(
        data,
        file=file,
        level=level,
        code_property=code_property,
        name_property=name_property,
        level_property=level_property,
    )


def check_feature_collection(
    data,
    *,
    file: str,
    level: int | None,
    code_property: str = "code",
    name_property: str | None = None,
    level_property: str = "level",
) -> list[BoundaryFeature]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise RegionDataError(
            [Problem(file, None, _('the file is not a GeoJSON FeatureCollection ("type": "FeatureCollection")'))]
        )
    crs = data.get("crs")
    if isinstance(crs, dict):
        crs_name = str((crs.get("properties") or {}).get("name", "")).lower()
        if crs_name and crs_name not in _WGS84_NAMES:
            raise RegionDataError(
                [
                    Problem(
                        file,
                        None,
                        _('the file uses the coordinate system "%(crs)s"; convert it to WGS84 (EPSG:4326) first')
                        % {"crs": crs_name},
                    )
                ]
            )
    features = data.get("features")
    if not isinstance(features, list):
        raise RegionDataError([Problem(file, None, _('the FeatureCollection has no "features" list'))])
    if not features:
        raise RegionDataError([Problem(file, None, _("the FeatureCollection has no features"))])

    problems: list[Problem] = []
    result: list[BoundaryFeature] = []
    first_index: dict[str, int] = {}

    def bad(i: int, reason: str) -> None:
        problems.append(Problem(file, None, reason, where=f"features[{i}]"))

    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            bad(i, _('not a GeoJSON Feature ("type": "Feature")'))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            props = {}
        raw_code = props.get(code_property)
        if raw_code is None or str(raw_code).strip() == "":
            bad(i, _('the property "%(property)s" with the area code is missing') % {"property": code_property})
            continue
        code = normalise_code(raw_code)
        name = ""
        if name_property:
            raw_name = props.get(name_property)
            if raw_name is None or str(raw_name).strip() == "":
                bad(i, _('the property "%(property)s" with the area name is missing') % {"property": name_property})
                continue
            name = str(raw_name).strip()
        feature_level = level
        if feature_level is None:
            feature_level = parse_level(props.get(level_property))
            if feature_level is None:
                bad(
                    i,
                    _('the property "%(property)s" must say the level (province, regency, district or village)')
                    % {"property": level_property},
                )
                continue
        spec = LEVEL_BY_NUMBER[feature_level]
        if not spec.pattern.fullmatch(code):
            bad(
                i,
                _('"%(code)s" is not a valid %(level)s code (expected the form %(example)s)')
                % {"code": code, "level": spec.label, "example": spec.example},
            )
            continue
        if code in first_index:
            bad(
                i,
                _("duplicate code %(code)s (already in features[%(first)d])")
                % {"code": code, "first": first_index[code]},
            )
            continue
        first_index[code] = i
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            found = geometry.get("type") if isinstance(geometry, dict) else _("nothing")
            bad(i, _("the geometry must be a Polygon or MultiPolygon, found %(found)s") % {"found": found})
            continue
        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several kinds for malformed coordinates
            bad(i, _("the coordinates cannot be read: %(error)s") % {"error": str(exc) or exc.__class__.__name__})
            continue
        if geom.is_empty:
            bad(i, _("the geometry is empty"))
            continue
        coords = shapely.get_coordinates(geom)
        if not (
            (coords[:, 0] >= -180).all()
            and (coords[:, 0] <= 180).all()
            and (coords[:, 1] >= -90).all()
            and (coords[:, 1] <= 90).all()
        ):
            bad(
                i,
                _(
                    "the coordinates are outside the WGS84 range (longitude -180..180, latitude -90..90); "
                    "convert the file to EPSG:4326, longitude first"
                ),
            )
            continue
        if not geom.is_valid:
            bad(
                i,
                _("the geometry is not valid (%(reason)s); repair it, e.g. with QGIS 'Fix geometries'")
                % {"reason": explain_validity(geom)},
            )
            continue
        stored = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
        result.append(BoundaryFeature(index=i, code=code, level=feature_level, name=name, geometry=stored, shape=geom))
    if problems:
        raise RegionDataError(problems)
    return result


def demo_file(city_code: str) -> Path | None:
    """The shipped demo boundary file of a city, if the project has one."""
    matches = sorted(DEMO_DIR.glob(f"{city_code}-*.geojson"))
    return matches[0] if matches else None
