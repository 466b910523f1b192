"""manage.py import_boundaries (files and --demo) and the boundaries_import service."""

from __future__ import annotations

import io
import json

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from kotapintar.core import geo
from kotapintar.core.models import AuditLog
from kotapintar.regions.boundaries import demo_file
from kotapintar.regions.models import Region
from kotapintar.regions.services import boundaries_import, regions_import

pytestmark = pytest.mark.django_db

SQUARE = [[[110.40, -6.99], [110.41, -6.99], [110.41, -6.98], [110.40, -6.98], [110.40, -6.99]]]


@pytest.fixture
def areas(settings):
    settings.CITY_CODE = "33.74"
    regions_import(only_prefix="33.74")


def feature(code, coordinates=None, geometry_type="Polygon", **props):
    return {
        "type": "Feature",
        "properties": {"kode": code, **props},
        "geometry": {"type": geometry_type, "coordinates": coordinates if coordinates is not None else SQUARE},
    }


def write_geojson(tmp_path, features, name="batas.geojson", **extra) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return str(path)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_boundaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def boundaries() -> list[tuple]:
    return list(
        Region.objects.filter(boundary__isnull=False)
        .order_by("code")
        .values_list("code", "boundary", "boundary_approximate", "boundary_source")
    )


def test_demo_loads_every_kecamatan_and_kelurahan_of_semarang_as_approximate(areas):
    out, _ = run("--demo")

    districts = Region.objects.filter(level=Region.Level.DISTRICT, parent_id="33.74")
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="33.74.")
    assert districts.filter(boundary__isnull=False).count() == 16
    assert villages.filter(boundary__isnull=False).count() == 177
    assert not Region.objects.filter(boundary__isnull=False, boundary_approximate=False).exists()
    assert "193" in out
    miroto = Region.objects.get(code="33.74.01.1001")
    polygon = shape(miroto.boundary)
    assert polygon.is_valid
    assert (miroto.min_lng, miroto.min_lat, miroto.max_lng, miroto.max_lat) == pytest.approx(polygon.bounds)
    assert polygon.contains(Point(miroto.center_lng, miroto.center_lat))
    assert miroto.boundary_updated_at is not None
    assert AuditLog.objects.filter(action="regions.boundaries_import").count() == 1


def test_demo_file_says_it_is_approximate_and_tiles_each_kecamatan_exactly():
    data = json.loads(demo_file("33.74").read_text(encoding="utf-8"))

    assert "PERKIRAAN" in data["note"] and "BUKAN batas resmi" in data["note"]
    assert "APPROXIMATE" in data["note"] and "NOT official" in data["note"]
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in data["features"]}
    assert all(f["properties"]["approximate"] is True for f in data["features"])
    kecamatan = [c for c in shapes if c.count(".") == 2]
    kelurahan = [c for c in shapes if c.count(".") == 3]
    assert (len(kecamatan), len(kelurahan)) == (16, 177)
    assert all(g.is_valid for g in shapes.values())
    assert shapely.coverage_is_valid([shapes[c] for c in kelurahan])
    for district in kecamatan:
        members = [shapes[c] for c in kelurahan if c.startswith(district + ".")]
        assert sum(m.area for m in members) == pytest.approx(shapes[district].area, rel=1e-9)
        assert shapely.union_all(members).symmetric_difference(shapes[district]).area < 1e-12


def test_demo_twice_changes_nothing(areas):
    run("--demo")
    before = boundaries()
    stamps = list(Region.objects.order_by("code").values_list("boundary_updated_at", flat=True))

    out, _ = run("--demo")

    assert boundaries() == before
    assert list(Region.objects.order_by("code").values_list("boundary_updated_at", flat=True)) == stamps
    assert "0 diperbarui, 193 tidak berubah" in out
    assert AuditLog.objects.filter(action="regions.boundaries_import").count() == 1


def test_demo_for_a_city_without_shipped_boundaries_prints_a_notice_and_succeeds(settings):
    settings.CITY_CODE = "34.71"
    regions_import(only_prefix="34.71")

    out, _ = run("--demo")

    assert "34.71" in out
    assert "import_boundaries" in out
    assert not Region.objects.filter(boundary__isnull=False).exists()
    geo.reset()
    assert geo.locate(-7.80, 110.36) is None  # Yogyakarta: no boundaries, no answer
    assert geo.city_bounds() is None


def test_official_file_with_digit_only_codes_is_imported_as_official(areas, tmp_path):
    path = write_geojson(tmp_path, [feature("3374011001", NAMA="MIROTO")])

    out, err = run(path, "--level", "village", "--code-property", "kode", "--name-property", "NAMA", "--source", "BIG")

    miroto = Region.objects.get(code="33.74.01.1001")
    assert miroto.boundary == {"type": "Polygon", "coordinates": SQUARE}
    assert miroto.boundary_approximate is False
    assert miroto.boundary_source == "BIG"
    assert (miroto.min_lat, miroto.min_lng, miroto.max_lat, miroto.max_lng) == (-6.99, 110.40, -6.98, 110.41)
    assert "1 diperbarui" in out
    assert err == ""  # the name matches, ignoring case


def test_multipolygon_is_accepted_and_a_different_name_is_only_a_warning(areas, tmp_path):
    other = [[[110.42, -6.99], [110.43, -6.99], [110.43, -6.98], [110.42, -6.99]]]
    path = write_geojson(tmp_path, [feature("33.74.01.1001", [SQUARE, other], "MultiPolygon", NAMA="Mirota")])

    _, err = run(path, "--level", "village", "--code-property", "kode", "--name-property", "NAMA")

    assert Region.objects.get(code="33.74.01.1001").boundary["type"] == "MultiPolygon"
    assert "Mirota" in err and "Miroto" in err


BOWTIE = [[[110.40, -6.99], [110.41, -6.98], [110.41, -6.99], [110.40, -6.98], [110.40, -6.99]]]


@pytest.mark.parametrize(
    ("features", "options", "expected"),
    [
        (
            [feature("33.74.01.1001"), feature("33.74.01.1002", BOWTIE)],
            [],
            "features[1]: geometri tidak sah (Self-intersection",
        ),
        (
            [feature("33.74.01.1001", [[[110.40, 6.99], [110.41, 96.99], [110.41, 6.98], [110.40, 6.99]]])],
            [],
            "features[0]: koordinat di luar rentang WGS84",
        ),
        (
            [feature("33.74.01.1001", [[[436000, 9227000], [437000, 9227000], [437000, 9228000], [436000, 9227000]]])],
            [],
            "features[0]: koordinat di luar rentang WGS84",
        ),
        (
            [feature("33.74.01.1001", [110.40, -6.99], "Point")],
            [],
            "features[0]: geometri harus berupa Polygon atau MultiPolygon, bukan Point",
        ),
        (
            [feature("33.74.01.1001", [[[110.40, -6.99], [110.41, -6.99]]])],
            [],
            "features[0]: koordinat tidak dapat dibaca",
        ),
        (
            [feature("33.74.01.1001"), {"type": "Feature", "properties": {"nama": "x"}, "geometry": None}],
            [],
            'features[1]: properti "kode" yang berisi kode wilayah tidak ada',
        ),
        (
            [feature("33.74.01.9999")],
            [],
            "features[0]: tidak ada kelurahan/desa dengan kode 33.74.01.9999",
        ),
        (
            [feature("33.74.01")],
            [],
            'features[0]: "33.74.01" bukan kode kelurahan/desa yang sah',
        ),
        (
            [feature("33.74.01.1001"), feature("33.74.01.1001")],
            [],
            "features[1]: kode 33.74.01.1001 ganda (sudah ada di features[0])",
        ),
        (
            [feature("33.74.01.1001")],
            ["--name-property", "NAMA"],
            'features[0]: properti "NAMA" yang berisi nama wilayah tidak ada',
        ),
        (
            [{"type": "Polygon", "coordinates": SQUARE}],
            [],
            'features[0]: bukan GeoJSON Feature ("type": "Feature")',
        ),
    ],
    ids=[
        "self-intersection",
        "latitude-range",
        "projected-utm",
        "point",
        "too-few-points",
        "missing-code",
        "unknown-code",
        "wrong-level",
        "duplicate",
        "missing-name",
        "not-a-feature",
    ],
)
def test_bad_feature_is_reported_with_file_index_and_reason_and_changes_nothing(
    areas, tmp_path, features, options, expected
):
    run("--demo")
    before = boundaries()
    audit_rows = AuditLog.objects.count()
    path = write_geojson(tmp_path, features)
    err = io.StringIO()

    with pytest.raises(CommandError, match="tidak ada yang diubah"):
        call_command(
            "import_boundaries",
            path,
            "--level",
            "village",
            "--code-property",
            "kode",
            *options,
            stdout=io.StringIO(),
            stderr=err,
        )

    assert f"{path}: {expected}" in err.getvalue()
    assert boundaries() == before
    assert AuditLog.objects.count() == audit_rows


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [', ":1: JSON tidak sah"),
        ('{"type": "Feature", "geometry": null}', ": berkas bukan GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', ": FeatureCollection tidak berisi fitur"),
        (
            '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32749"}}, '
            '"features": [{"type": "Feature"}]}',
            ': berkas memakai sistem koordinat "epsg:32749"',
        ),
    ],
    ids=["not-json", "not-a-collection", "empty", "projected-crs"],
)
def test_unreadable_file_is_reported_and_changes_nothing(areas, tmp_path, content, expected):
    path = tmp_path / "rusak.geojson"
    path.write_text(content, encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_boundaries",
            str(path),
            "--level",
            "village",
            "--code-property",
            "kode",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert f"{path}{expected}" in err.getvalue()
    assert not Region.objects.filter(boundary__isnull=False).exists()


def test_one_bad_feature_blocks_the_good_ones(areas, tmp_path):
    path = write_geojson(tmp_path, [feature("33.74.01.1001"), feature("33.74.01.1002", BOWTIE)])

    with pytest.raises(CommandError):
        run(path, "--level", "village", "--code-property", "kode")

    assert Region.objects.get(code="33.74.01.1001").boundary is None


def test_command_needs_a_file_with_level_and_code_property(areas, tmp_path):
    with pytest.raises(CommandError, match="--level"):
        run(write_geojson(tmp_path, [feature("33.74.01.1001")]))


def test_boundary_import_tells_the_geo_index_after_commit(areas, tmp_path, django_capture_on_commit_callbacks):
    path = write_geojson(tmp_path, [feature("33.74.01.1001")])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        boundaries_import(path=path, level=4, code_property="kode")

    assert callbacks  # the version bump waits for the commit
    loc = geo.locate(-6.985, 110.405)
    assert loc is not None and loc.village_code == "33.74.01.1001"
    assert loc.approximate is False


def test_committed_demo_file_is_what_the_generator_makes():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "generate_demo_boundaries.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
