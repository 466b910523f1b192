"""Privacy on EVERY public surface (Lapor issue, "Privacy and bad input"; reports.md).

Four reports, each filed with a distinctive reporter (name, email, phone, NIK, home address)
and each carrying an internal note, a staff member's name and a private rating comment:

- PUBLIC without the name: the report is public, the reporter is not;
- PUBLIC WITH the name: only the chosen name may appear, never the contact;
- ANONYMOUS: the report is public, the reporter and the exact point/address are not;
- CONFIDENTIAL: nothing of it is public at all (404, absent from lists, map, exports).

The surfaces are one table: adding one (e.g. Open311) is one line in SURFACES. Each surface
must ALSO show the public reports (a positive check), so a surface that shows nothing
cannot pass by accident.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from kotapintar.reports import services, stats
from kotapintar.reports.models import Privacy, Report

pytestmark = pytest.mark.django_db

CITY_BOX = "-7.20,110.20,-6.85,110.60"

# Distinctive strings: none of them may appear on a public surface.
IDENTITY = {
    "public": {
        "name": "Kartika Rahasiawati",
        "email": "kartika.rahasia@example.test",
        "phone": "+6281377770001",
        "nik": "3374015507900001",
    },
    "named": {
        # The name is shown (the person chose it); the contact never.
        "email": "nanda.tampil@example.test",
        "phone": "+6281377770004",
        "nik": "3374011203880004",
    },
    "anonymous": {
        "name": "Bambang Samaranom",
        "email": "bambang.samar@example.test",
        "phone": "+6281377770002",
        "address": "Gang Persembunyian 12",
    },
    "confidential": {
        "name": "Citra Tertutupwati",
        "email": "citra.tutup@example.test",
        "phone": "+6281377770003",
        "nik": "3374016009910003",
        "address": "Jalan Sembunyi Raya 3",
        "text": "RAHASIA-ISI-LAPORAN-KONFIDENSIAL",
    },
}
NAMED_NAME = "Nanda Tampilnama"
STAFF_NAME = "Bagus Petugasrahasia"
NOTE = "CATATAN-INTERNAL-{}"
RATING_COMMENT = "KOMENTAR-PRIBADI-PELAPOR"


@dataclass
class World:
    reports: dict[str, Report]

    @property
    def shown(self) -> list[Report]:
        return [self.reports[k] for k in ("public", "named", "anonymous")]

    @property
    def confidential(self) -> Report:
        return self.reports["confidential"]

    def secrets(self, *, location: bool) -> list[str]:
        found = [v for values in IDENTITY.values() for v in values.values() if not v.startswith("Gang")]
        found += [NOTE.format(k) for k in self.reports]
        found += [STAFF_NAME, RATING_COMMENT, self.confidential.tracking_number, self.confidential.title]
        found += ["Kartika", "Bambang", "Citra Tertutup"]  # no piece of a hidden name either
        if location:
            anonymous = self.reports["anonymous"]
            found += [IDENTITY["anonymous"]["address"], repr(anonymous.lat), repr(anonymous.lng)]
        return found


@pytest.fixture
def world(lapor, make_report, make_user, agency, commit) -> World:
    from kotapintar.accounts.services import user_nik_set
    from kotapintar.testing.agencies import make_member, make_staff

    staff = make_staff(role="agency", full_name=STAFF_NAME)
    make_member(staff, agency, "officer")

    def person(key: str, name: str):
        data = IDENTITY[key]
        user = make_user(full_name=name, email=data["email"], phone=data["phone"])
        user_nik_set(actor=user, user=user, nik=data["nik"])
        return user

    base = lapor.point("Pleburan")
    with commit():
        reports = {
            "public": make_report(
                status="dispositioned",
                reporter=person("public", IDENTITY["public"]["name"]),
                privacy=Privacy.PUBLIC,
                show_name=False,
                point=(round(base[0] + 0.000311, 6), round(base[1] + 0.000177, 6)),
            ),
            "named": make_report(
                status="in_progress",
                reporter=person("named", NAMED_NAME),
                privacy=Privacy.PUBLIC,
                show_name=True,
                point=(round(base[0] - 0.000233, 6), round(base[1] + 0.000411, 6)),
            ),
            "anonymous": make_report(
                status="in_progress",
                reporter=None,
                reporter_name=IDENTITY["anonymous"]["name"],
                reporter_email=IDENTITY["anonymous"]["email"],
                reporter_phone=IDENTITY["anonymous"]["phone"],
                address=IDENTITY["anonymous"]["address"],
                privacy=Privacy.ANONYMOUS,
                point=(round(base[0] + 0.000437, 6), round(base[1] - 0.000291, 6)),
            ),
            "confidential": make_report(
                status="in_progress",
                reporter=person("confidential", IDENTITY["confidential"]["name"]),
                privacy=Privacy.CONFIDENTIAL,
                address=IDENTITY["confidential"]["address"],
                text=f"Ada masalah di lingkungan kami. {IDENTITY['confidential']['text']} mohon ditindak.",
            ),
        }
        for key, report in reports.items():
            services.report_note(actor=staff, report=report, text=NOTE.format(key))
            services.report_follow_up(actor=staff, report=report, text="Sedang kami tangani di lapangan.")
        resolved = services.report_resolve(actor=staff, report=reports["public"], text="Sudah diperbaiki.")
        services.report_rate(report=resolved, rating=4, comment=RATING_COMMENT, actor=resolved.reporter)
    stats.refresh()
    anonymous = Report.objects.get(pk=reports["anonymous"].pk)
    assert len(repr(anonymous.lat).split(".")[1]) > 3  # the exact point is finer than the blur
    return World({k: Report.objects.get(pk=r.pk) for k, r in reports.items()})


def _body(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _detail_pages(client, world: World) -> str:
    return "\n".join(_body(client.get(f"/lapor/publik/{r.tracking_number}/")) for r in world.shown)


def _api_details(client, world: World) -> str:
    return "\n".join(_body(client.get(f"/api/v1/public/reports/{r.tracking_number}/")) for r in world.shown)


def _points(client, world: World) -> str:
    lat, lng = world.reports["public"].lat, world.reports["public"].lng
    box = f"{lat - 0.01},{lng - 0.01},{lat + 0.01},{lng + 0.01}"
    return _body(client.get("/api/v1/public/map/reports/", {"bbox": box, "zoom": 17}))


def _tracking_numbers(world: World) -> list[str]:
    return [r.tracking_number for r in world.shown]


@dataclass(frozen=True)
class Surface:
    name: str
    fetch: Callable[[Any, World], str]
    # What the surface must show (proves it is not empty).
    shows: Callable[[World], list[str]] = _tracking_numbers


SURFACES = [
    Surface("public list page", lambda c, w: _body(c.get("/lapor/publik/"))),
    Surface("public list page, filtered", lambda c, w: _body(c.get("/lapor/publik/", {"category": "JALAN"}))),
    Surface(
        "map clusters",
        lambda c, w: _body(c.get("/api/v1/public/map/reports/", {"bbox": CITY_BOX, "zoom": 12})),
        shows=lambda w: ['"total":3'],
    ),
    Surface(
        "map clusters with a date filter",
        lambda c, w: _body(
            c.get("/api/v1/public/map/reports/", {"bbox": CITY_BOX, "zoom": 12, "date_from": "2000-01-01"})
        ),
        shows=lambda w: ['"total":3'],
    ),
    Surface("map points", _points),
    Surface("report pages", _detail_pages),
    Surface(
        "statistics page",
        lambda c, w: _body(c.get("/lapor/statistik/")),
        shows=lambda w: ['data-testid="headline-received">4<', "Semarang Selatan"],
    ),
    Surface(
        "statistics API",
        lambda c, w: _body(c.get("/api/v1/public/stats/reports/", {"period": "30d"})),
        shows=lambda w: ['"received":4'],
    ),
    Surface("CSV export", lambda c, w: _body(c.get("/api/v1/public/exports/reports.csv"))),
    Surface("GeoJSON export", lambda c, w: _body(c.get("/api/v1/public/exports/reports.geojson"))),
    # The public API of Lapor (reports/api).
    Surface("public API list", lambda c, w: _body(c.get("/api/v1/public/reports/"))),
    Surface("public API list in a box", lambda c, w: _body(c.get("/api/v1/public/reports/", {"bbox": CITY_BOX}))),
    Surface("public API details", _api_details),
    # Open311 GeoReport v2 (reports/open311), with every extension on.
    Surface("Open311 requests JSON", lambda c, w: _body(c.get("/open311/v2/requests.json", {"extensions": "true"}))),
    Surface("Open311 requests XML", lambda c, w: _body(c.get("/open311/v2/requests.xml", {"extensions": "true"}))),
    Surface(
        "Open311 request details",
        lambda c, w: "".join(
            _body(c.get(f"/open311/v2/requests/{r.tracking_number}.xml", {"extensions": "true"})) for r in w.shown
        ),
    ),
    Surface("Open311 updates", lambda c, w: _body(c.get("/open311/v2/servicerequestupdates.json"))),
]


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_no_identity_note_or_confidential_report_on_the_surface(client, world, surface):
    body = surface.fetch(client, world)
    compact = body.replace(" ", "")
    for expected in surface.shows(world):
        assert expected in body or expected in compact, f"{surface.name} does not show {expected!r}"
    for secret in world.secrets(location=True):
        assert secret not in body, f"{surface.name} shows {secret!r}"


def test_the_chosen_name_appears_only_on_its_report_page(client, world):
    named = world.reports["named"]
    page = _body(client.get(f"/lapor/publik/{named.tracking_number}/"))
    assert NAMED_NAME in page
    others = [world.reports["public"], world.reports["anonymous"]]
    for report in others:
        assert NAMED_NAME not in _body(client.get(f"/lapor/publik/{report.tracking_number}/"))
    # Open data carries no names at all, chosen or not.
    for url in ("/api/v1/public/exports/reports.csv", "/api/v1/public/exports/reports.geojson", "/lapor/publik/"):
        assert NAMED_NAME not in _body(client.get(url))


def test_the_confidential_report_is_a_404_like_a_missing_one(client, world):
    number = world.confidential.tracking_number
    for url in (f"/lapor/publik/{number}/", f"/api/v1/public/reports/{number}/"):
        assert client.get(url).status_code == 404
    assert client.get("/lapor/publik/LPR-26-QQQQQQ/").status_code == 404


def test_export_columns_hold_no_identity_field(client, world):
    header = _body(client.get("/api/v1/public/exports/reports.csv")).splitlines()[0].lower()
    for word in ("name", "email", "phone", "nik", "reporter", "device", "note", "assigned", "privacy"):
        assert word not in header.split(","), word
    data = json.loads(_body(client.get("/api/v1/public/exports/reports.geojson")))
    keys = set(data["features"][0]["properties"])
    assert not keys & {"reporter", "reporter_name", "shown_name", "public_name", "email", "phone", "internal_note"}


def test_a_narrowing_box_does_not_find_an_anonymous_reports_exact_point(client, world):
    """A box around the exact point but not the blurred one finds nothing; a box around the
    blurred point finds the report. Bisection on the box must not recover the point."""
    from kotapintar.reports.transparency import public_location

    anonymous = world.reports["anonymous"]
    blurred = public_location(anonymous.privacy, anonymous.lat, anonymous.lng)
    assert (blurred.lat, blurred.lng) != (anonymous.lat, anonymous.lng)

    def found(lat: float, lng: float, half: float) -> bool:
        box = f"{lat - half},{lng - half},{lat + half},{lng + half}"
        rows = client.get("/api/v1/public/reports/", {"bbox": box}).json()["results"]
        return anonymous.tracking_number in {r["tracking_number"] for r in rows}

    tiny = min(abs(blurred.lat - anonymous.lat), abs(blurred.lng - anonymous.lng)) / 2 or 0.00001
    assert not found(anonymous.lat, anonymous.lng, tiny)
    assert found(blurred.lat, blurred.lng, 0.00001)
