"""Writes of area data: the Kemendagri code list, the boundaries, admin edits.

Every entry point (management commands, admin, tests, `make setup`) goes through these.
Imports check the whole input first and change nothing when anything is wrong
(`RegionDataError` lists every problem); they are idempotent upserts, so running them again
changes nothing and writes no audit row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core import audit, geo
from kotapintar.core.errors import DomainError

from . import sources
from .boundaries import BoundaryFeature, read_boundary_file
from .models import Region
from .sources import LEVEL_BY_NUMBER, Problem, RegionDataError

BATCH_SIZE = 5000
SOURCE_MAX_LENGTH: int = cast(Field, Region._meta.get_field("boundary_source")).max_length or 200


@dataclass
class ImportResult:
    """What an area-code import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    by_level: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds > 0 else 0.0


@dataclass
class BoundaryImportResult:
    """What a boundary import did."""

    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    by_level: dict[int, int] = field(default_factory=dict)
    name_mismatches: list[tuple[int, str, str, str]] = field(default_factory=list)  # index, code, file, db

    @property
    def total(self) -> int:
        return self.updated + self.unchanged


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clear_city_name_cache() -> None:
    cache.delete(f"regions:city_name:{settings.CITY_CODE}")


@transaction.atomic
def regions_import(*, source_dir: Path | str | None = None, only_prefix: str | None = None, actor=None) -> ImportResult:
    """Upsert the area codes from the four CSV files (all of Indonesia, or one area with
    `only_prefix`, e.g. "33.74": that regency, its province, its districts and villages).

    Rows are checked first (raises RegionDataError, nothing written); new codes are
    inserted and renamed areas updated in bulk; areas missing from the files are kept
    (other records may point at them).
    """
    started = time.perf_counter()
    source = sources.read_area_files(source_dir)
    if only_prefix:
        only_prefix = only_prefix.strip()
        if not sources.CODE_PATTERN.fullmatch(only_prefix):
            raise DomainError(
                _('"%(code)s" is not an area code; use the form 33, 33.74, 33.74.01 or 33.74.01.1001')
                % {"code": only_prefix},
                code="invalid_code",
            )
        rows = sources.select(source, only_prefix)
        if not any(row[0] == only_prefix for row in rows):
            raise DomainError(
                _("There is no area with code %(code)s in the files.") % {"code": only_prefix}, code="unknown_code"
            )
        parts = only_prefix.split(".")
        ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        scope = Region.objects.filter(Q(code__in=ancestors) | Q(code__startswith=only_prefix + "."))
    else:
        rows = list(source.rows)
        scope = Region.objects.all()

    existing: dict[str, tuple] = {
        code: (level, parent, name)
        for code, level, parent, name in scope.values_list("code", "level", "parent_id", "name")
    }
    to_create: list[tuple] = []
    to_update: list[tuple] = []
    result = ImportResult()
    for code, level, parent, name in rows:
        result.by_level[level] = result.by_level.get(level, 0) + 1
        parent_id = parent or None
        current = existing.get(code)
        if current is None:
            to_create.append((code, level, parent_id, name, "", False))
        elif current != (level, parent_id, name):
            to_update.append((level, parent_id, name, code))
        else:
            result.unchanged += 1

    _insert_areas(to_create)
    _update_areas(to_update)
    result.created = len(to_create)
    result.updated = len(to_update)
    if result.created or result.updated:
        audit.record(
            actor=actor,
            action="regions.import",
            label=_("Area codes (%(scope)s)") % {"scope": only_prefix or _("all of Indonesia")},
            after={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "only": only_prefix or "",
                "source": str(source.directory),
                "renamed": [
                    {"code": code, "before": existing[code][2], "after": name} for _l, _p, name, code in to_update[:50]
                ],
            },
        )
        transaction.on_commit(_clear_city_name_cache)
    result.seconds = time.perf_counter() - started
    return result


def _update_columns(objs: Sequence[Region], names: list[str]) -> None:
    """UPDATE ... WHERE code = ? for many rows in one executemany (bulk_update's CASE WHEN
    is ~20x slower here); values go through each field's own database conversion."""
    fields: list[Field] = [cast(Field, Region._meta.get_field(name)) for name in names]
    table = connection.ops.quote_name(Region._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(cast(str, f.column))} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name('code')} = %s"  # noqa: S608
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for chunk in _chunks(params, BATCH_SIZE):
            cursor.executemany(sql, chunk)


_INSERT_COLUMNS = ("code", "level", "parent_id", "name", "boundary_source", "boundary_approximate")


def _insert_areas(rows: list[tuple]) -> None:
    """Insert checked rows, parents first (rows come in level order).

    Below the ORM on purpose: PostgreSQL gets COPY, SQLite a plain executemany; both are
    20-50x faster than bulk_create here (SQLite's 999-parameter limit allows ~70 rows per
    INSERT; psycopg sends executemany rows one by one).
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(Region._meta.db_table)
    cols = ", ".join(qn(c) for c in _INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for chunk in _chunks(rows, BATCH_SIZE):
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s)", chunk)  # noqa: S608


def _update_areas(rows: list[tuple]) -> None:
    """Apply (level, parent_id, name, code) changes: one UPDATE ... FROM (VALUES ...) per
    1,000 rows on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(Region._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in _chunks(rows, 1000):
                values = ", ".join(["(%s::smallint, %s::varchar, %s::varchar, %s::varchar)"] * len(chunk))
                cursor.execute(
                    f"UPDATE {table} AS r SET level = v.level, parent_id = v.parent_id, name = v.name "  # noqa: S608
                    f"FROM (VALUES {values}) AS v(level, parent_id, name, code) WHERE r.code = v.code",
                    [value for row in chunk for value in row],
                )
            return
        for chunk in _chunks(rows, BATCH_SIZE):
            cursor.executemany(
                f"UPDATE {table} SET level = %s, parent_id = %s, name = %s WHERE code = %s",  # noqa: S608
                chunk,
            )


def _level_label(level: int) -> str:
    return str(LEVEL_BY_NUMBER[level].label)


@transaction.atomic
def boundaries_import(
    *,
    path: Path | str,
    level: int | None,
    code_property: str = "code",
    name_property: str | None = None,
    approximate: bool = False,
    source_label: str = "",
    actor=None,
) -> BoundaryImportResult:
    """Store the boundaries of a GeoJSON FeatureCollection on the areas they belong to.

    With `level=None` each feature says its level in a "level" property (the demo file).
    The file is checked first (geometry, WGS84 range, codes known at that level); on any
    problem RegionDataError is raised and nothing is changed. Areas not in the file keep
    their boundaries. After commit the geo index version is bumped, so every process
    reloads its point-in-area index.
    """
    started = time.perf_counter()
    features: list[BoundaryFeature] = read_boundary_file(
        path, level=level, code_property=code_property, name_property=name_property
    )
    file = str(path)
    source_label = (source_label or Path(path).name)[:SOURCE_MAX_LENGTH]
    known = {
        r.code: r
        for r in Region.objects.filter(code__in=[f.code for f in features]).only(
            "code", "level", "name", "boundary", "boundary_approximate", "boundary_source"
        )
    }
    problems: list[Problem] = []
    for feature in features:
        region = known.get(feature.code)
        if region is None or region.level != feature.level:
            problems.append(
                Problem(
                    file,
                    None,
                    _(
                        "there is no %(level)s with code %(code)s; import the area codes first "
                        "(manage.py import_regions) or check the --level and --code-property options"
                    )
                    % {"level": _level_label(feature.level), "code": feature.code},
                    where=f"features[{feature.index}]",
                )
            )
    if problems:
        raise RegionDataError(problems)

    now = timezone.now()
    result = BoundaryImportResult()
    changed: list[Region] = []
    for feature in features:
        region = known[feature.code]
        result.by_level[feature.level] = result.by_level.get(feature.level, 0) + 1
        if feature.name and feature.name.casefold() != region.name.casefold():
            result.name_mismatches.append((feature.index, feature.code, feature.name, region.name))
        if (
            region.boundary == feature.geometry
            and region.boundary_approximate == approximate
            and region.boundary_source == source_label
        ):
            result.unchanged += 1
            continue
        min_lng, min_lat, max_lng, max_lat = feature.shape.bounds
        centre = feature.shape.representative_point()
        region.boundary = feature.geometry
        region.boundary_approximate = approximate
        region.boundary_source = source_label
        region.boundary_updated_at = now
        region.min_lat, region.min_lng, region.max_lat, region.max_lng = min_lat, min_lng, max_lat, max_lng
        region.center_lat, region.center_lng = centre.y, centre.x
        changed.append(region)
    if changed:
        _update_columns(
            changed,
            [
                "boundary",
                "boundary_approximate",
                "boundary_source",
                "boundary_updated_at",
                "min_lat",
                "min_lng",
                "max_lat",
                "max_lng",
                "center_lat",
                "center_lng",
            ],
        )
        result.updated = len(changed)
        audit.record(
            actor=actor,
            action="regions.boundaries_import",
            label=_("Area boundaries (%(source)s)") % {"source": source_label},
            after={
                "file": Path(path).name,
                "source": source_label,
                "approximate": approximate,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "codes": [r.code for r in changed[:200]],
            },
        )
        transaction.on_commit(geo.boundaries_changed)
    result.seconds = time.perf_counter() - started
    return result


def check_parent(region: Region, parent: Region | None) -> None:
    """The parent of an area is fixed by its code (33.74.01 belongs to 33.74): refuse others."""
    expected = region.code.rpartition(".")[0] or None
    given = parent.pk if parent is not None else None
    if given != expected:
        if expected is None:
            raise DomainError(_("A province has no parent area."), code="invalid_parent")
        raise DomainError(
            _("The parent of %(code)s must be %(expected)s: the area code says so.")
            % {"code": region.code, "expected": expected},
            code="invalid_parent",
        )


@transaction.atomic
def region_update(
    *,
    region: Region,
    actor,
    name: str,
    boundary_approximate: bool,
    boundary_source: str,
    parent: Region | None = None,
) -> Region:
    """Correct an area's name, its parent link or its boundary labels (admin). Codes follow
    the Kemendagri list and change only through the import."""
    name = name.strip()
    if not name:
        raise DomainError(_("The name of the area cannot be empty."), code="invalid")
    check_parent(region, parent)
    fields = ["name", "parent", "boundary_approximate", "boundary_source"]
    before = audit.snapshot(region, fields)
    approximate_changed = region.boundary_approximate != boundary_approximate
    region.name = name
    region.parent = parent
    region.boundary_approximate = boundary_approximate
    region.boundary_source = boundary_source.strip()
    after = audit.snapshot(region, fields)
    if before == after:
        return region
    if approximate_changed and region.boundary is not None:
        # Maps and the legend are cached per boundary version: the label is part of it.
        region.boundary_updated_at = timezone.now()
        region.save(update_fields=[*fields, "boundary_updated_at"])
        transaction.on_commit(geo.boundaries_changed)
    else:
        region.save(update_fields=fields)
    audit.record(actor=actor, action="regions.update", obj=region, before=before, after=after)
    transaction.on_commit(_clear_city_name_cache)
    return region
