"""GET requests: ids, filters, the 90-day window, paging (stable while reports arrive), limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kotapintar.reports import services as report_services
from kotapintar.reports.models import Report

DAY = dt.timedelta(days=1)


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ids(answer) -> list[str]:
    assert answer.status == 200, answer.text
    return [r["service_request_id"] for r in answer.data]


@pytest.fixture
def public(make_report):
    """One public report (routed to the agency), filed now."""
    return make_report(status="dispositioned")


def test_service_request_id_list_overrides_every_other_filter(lapor, o311, public, clone_public):
    (old,) = clone_public(public, 1, start=timezone.now() - 400 * DAY, step=DAY)
    answer = o311.get(
        "requests.json",
        service_request_id=f"{public.tracking_number}, {old.tracking_number.lower()},LPR-26-ZZZZZZ,,junk",
        status="closed",
        service_code="SAMPAH",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )
    assert sorted(_ids(answer)) == sorted([public.tracking_number, old.tracking_number])


@pytest.mark.parametrize("count", [1001, 10_000])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_more_than_1000_ids_are_refused(lapor, o311, count, fmt):
    ids = ",".join(f"LPR-26-{i:06d}" for i in range(count))
    answer = o311.get(f"requests.{fmt}", service_request_id=ids)
    assert answer.status == 400
    description = answer.data[0]["description"] if fmt == "json" else answer.data[1][0]["description"]
    assert description == f"Ask for at most 1000 service_request_id values at once ({count} were given)."


def test_status_and_service_code_take_comma_lists(lapor, o311, make_report):
    road = make_report(status="dispositioned")
    waste = make_report(status="resolved", category="SAMPAH")
    drain = make_report(status="verified", category="DRAINASE")
    assert _ids(o311.get("requests.json", status="closed")) == [waste.tracking_number]
    assert set(_ids(o311.get("requests.json", status="open"))) == {road.tracking_number, drain.tracking_number}
    assert len(_ids(o311.get("requests.json", status="open,closed"))) == 3
    assert set(_ids(o311.get("requests.json", service_code="sampah,DRAINASE"))) == {
        waste.tracking_number,
        drain.tracking_number,
    }
    repeated = o311.http.get("/open311/v2/requests.json?service_code=JALAN&service_code=SAMPAH")
    assert {r["service_request_id"] for r in repeated.json()} == {road.tracking_number, waste.tracking_number}
    assert _ids(o311.get("requests.json", service_code="NOPE")) == []
    wrong = o311.get("requests.json", status="open,pending")
    assert wrong.status == 400 and "pending" in wrong.data[0]["description"]


def test_an_empty_parameter_acts_as_an_absent_one(lapor, o311, public):
    empty = dict.fromkeys(
        [
            "service_request_id",
            "service_code",
            "status",
            "start_date",
            "end_date",
            "updated_after",
            "updated_before",
            "page",
            "page_size",
            "extensions",
            "jurisdiction_id",
            "api_key",
        ],
        "",
    )
    assert (
        o311.get("requests.json", **empty).data
        == o311.get("requests.json").data
        == o311.get("requests.json", **dict.fromkeys(empty, " ")).data
    )
    assert _ids(o311.get("requests.json")) == [public.tracking_number]


def test_the_default_window_is_the_last_90_days(lapor, o311, public, clone_public):
    now = timezone.now()
    recent, old = (
        clone_public(public, 1, start=now - 88 * DAY, step=DAY)[0],
        clone_public(public, 1, start=now - 92 * DAY, step=DAY)[0],
    )
    ids = _ids(o311.get("requests.json"))
    assert recent.tracking_number in ids and public.tracking_number in ids
    assert old.tracking_number not in ids
    assert ids.index(recent.tracking_number) < ids.index(public.tracking_number)  # oldest first


def test_a_date_window_of_at_most_90_days(lapor, o311, public, clone_public):
    now = timezone.now()
    (old,) = clone_public(public, 1, start=now - 200 * DAY, step=DAY)
    window = o311.get("requests.json", start_date=_z(now - 210 * DAY), end_date=_z(now - 120 * DAY))
    assert _ids(window) == [old.tracking_number]
    only_start = o311.get("requests.json", start_date=_z(now - 201 * DAY))
    assert _ids(only_start) == [old.tracking_number]  # 90 days from the start
    only_end = o311.get("requests.json", end_date=_z(now + DAY))
    assert _ids(only_end) == [public.tracking_number]  # 90 days up to the end
    wide = o311.get("requests.json", start_date=_z(now - 200 * DAY), end_date=_z(now - 100 * DAY))
    assert wide.status == 400 and "at most 90 days apart" in wide.data[0]["description"]
    reversed_ = o311.get("requests.json", start_date=_z(now), end_date=_z(now - DAY))
    assert reversed_.status == 400 and "must come before" in reversed_.data[0]["description"]


@pytest.mark.parametrize("parameter", ["start_date", "end_date", "updated_after", "updated_before"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dates_without_timezone_are_400(lapor, o311, parameter, fmt):
    answer = o311.get(f"requests.{fmt}", **{parameter: "2026-01-01T00:00:00"})
    assert answer.status == 400
    description = answer.data[0]["description"] if fmt == "json" else answer.data[1][0]["description"]
    assert description.startswith(f"{parameter} has no timezone")


def test_updated_after_and_before_select_by_the_last_change(lapor, o311, make_report, verifier, clone_public):
    report = make_report(status="dispositioned")
    (old,) = clone_public(report, 1, start=timezone.now() - 300 * DAY, step=DAY)
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now() - 5 * DAY)
    mark = timezone.now()
    report_services.report_follow_up(actor=verifier, report=Report.objects.get(pk=old.pk), text="Dikerjakan.")
    changed = _ids(o311.get("requests.json", updated_after=_z(mark - dt.timedelta(seconds=1))))
    assert changed == [old.tracking_number]  # filed 300 days ago, changed now
    before = _ids(o311.get("requests.json", updated_before=_z(mark - dt.timedelta(seconds=1))))
    assert old.tracking_number not in before


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"page": "two"}, "page must be a whole number"),
        ({"page": "0"}, "page must be a whole number"),
        ({"page": "-1"}, "page must be a whole number"),
        ({"page": "1.5"}, "page must be a whole number"),
        ({"page": "10000000000"}, "page must be a whole number"),
        ({"page_size": "1001"}, "page_size must be a whole number from 1 to 1,000"),
        ({"page_size": "x"}, "page_size must be a whole number"),
    ],
)
def test_paging_parameters_must_be_whole_numbers(lapor, o311, query, words):
    answer = o311.get("requests.json", **query)
    assert answer.status == 400 and words in answer.data[0]["description"]


def test_at_most_1000_results_and_page_size_paging(lapor, o311, public, clone_public):
    clone_public(public, 1004, start=timezone.now() - 80 * DAY, step=dt.timedelta(minutes=5))
    everything = _ids(o311.get("requests.json"))
    assert len(everything) == 1000
    assert len(set(everything)) == 1000
    assert _ids(o311.get("requests.json", page="3")) == everything[100:150]  # page alone: pages of 50
    rest = _ids(o311.get("requests.json", page="2", page_size="1000"))
    assert len(rest) == 5 and not set(rest) & set(everything)
    assert rest[-1] == public.tracking_number  # the newest comes last
    assert _ids(o311.get("requests.json", page="21", page_size="50")) == rest
    assert _ids(o311.get("requests.json", page="22", page_size="50")) == []


def test_pages_have_no_overlap_and_no_gap_while_reports_arrive(lapor, o311, make_report, clone_public):
    first = make_report(status="verified")
    existing = [first, *clone_public(first, 11, start=timezone.now() - 10 * DAY, step=DAY / 2)]
    expected = [r.tracking_number for r in sorted(existing, key=lambda r: (r.created_at, r.pk))]
    seen: list[str] = []
    arrived: list[str] = []
    page = 1
    while True:
        batch = _ids(o311.get("requests.json", page=str(page), page_size="5"))
        if not batch:
            break
        seen += batch
        # Between two fetches: a report filed and verified through the services, and a
        # pending one (not public yet), as on a busy day.
        arrived.append(make_report(status="verified").tracking_number)
        make_report()
        page += 1
        assert page < 10
    assert len(seen) == len(set(seen))  # no overlap
    assert seen[: len(expected)] == expected  # no gap, oldest first
    assert set(seen[len(expected) :]) <= set(arrived)


def test_lists_never_show_pending_requests_even_to_their_client(lapor, o311, api_key):
    lat, lng = lapor.point("Pleburan")
    filed = o311.post(
        "requests.json", {"api_key": api_key, "service_code": "JALAN", "lat": lat, "long": lng, "description": "x"}
    )
    assert filed.status == 200
    assert o311.get("requests.json", api_key=api_key).data == []


def test_a_page_of_50_takes_a_fixed_number_of_queries(lapor, o311, make_report, clone_public, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = make_report(status="in_progress")
    report_services.report_follow_up(actor=officer, report=report, text="Sedang dikerjakan.")
    clone_public(report, 60, start=timezone.now() - 20 * DAY, step=dt.timedelta(hours=6))
    counts = {}
    for size in ("5", "50"):
        for extensions in ("", "true"):
            with CaptureQueriesContext(connection) as queries:
                assert len(_ids(o311.get("requests.json", page_size=size, extensions=extensions))) == int(size)
            counts[size, extensions] = len(queries.captured_queries)
    assert counts["50", ""] == counts["5", ""] <= 4
    assert counts["50", "true"] == counts["5", "true"] <= 4


def test_deep_pages_picked_by_id_first_give_the_same_rows(lapor, o311, public, clone_public, monkeypatch):
    """Deep pages pick their ids on the report table first (open311.selectors._page): the
    answer is the same as the plain offset, for every page and with the filters on."""
    from kotapintar.reports.open311 import selectors

    clone_public(public, 23, start=timezone.now() - 30 * DAY, step=DAY)
    queries = [{"page_size": "4", "page": str(n)} for n in range(1, 8)] + [
        {"page_size": "3", "page": "2", "service_code": public.category.code, "status": "open"},
        {"page_size": "5", "page": "3", "extensions": "true"},
    ]
    monkeypatch.setattr(selectors, "DEFERRED_JOIN_FROM", 10**9)
    plain = [o311.get("requests.json", **q).data for q in queries]
    monkeypatch.setattr(selectors, "DEFERRED_JOIN_FROM", 0)
    deep = [o311.get("requests.json", **q).data for q in queries]
    assert deep == plain
    assert [len(page) for page in plain[:7]] == [4, 4, 4, 4, 4, 4, 0]
