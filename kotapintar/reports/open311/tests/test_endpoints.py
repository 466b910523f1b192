"""Every Open311 resource in both formats: field names, shapes, content types, status codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kotapintar.reports import services as report_services
from kotapintar.reports.models import Category, Status
from kotapintar.testing.reports import jpeg_bytes, upload

from .conftest import JSON_TYPE, XML_TYPE

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]
W3C_WIB = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def _xml_items(answer, root, item):
    """The item elements of an XML answer, checking the root element's name."""
    import xml.etree.ElementTree as ET

    tree = ET.fromstring(answer.text)  # noqa: S314 - our own answer
    assert tree.tag == root
    return tree.findall(item)


# --- discovery ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_lists_this_endpoint_with_both_formats(lapor, o311, fmt):
    answer = o311.get(f"discovery.{fmt}")
    assert answer.status == 200
    assert answer.content_type == (JSON_TYPE if fmt == "json" else XML_TYPE)
    if fmt == "json":
        data = answer.data
    else:
        root, data = answer.data
        assert root == "discovery"
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["contact"] and data["key_service"]


def test_the_base_address_answers_the_discovery_in_xml(lapor, o311):
    answer = o311.get("")
    assert answer.status == 200 and answer.content_type == XML_TYPE
    assert answer.data[0] == "discovery"


def test_discovery_uses_site_url_and_changes_its_changeset_when_a_service_changes(lapor, o311, settings):
    settings.SITE_URL = "https://lapor.semarangkota.go.id"
    before = o311.get("discovery.json").data
    assert before["endpoints"][0]["url"] == "https://lapor.semarangkota.go.id/open311/v2"
    Category.objects.filter(code="JALAN").update(updated_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    after = o311.get("discovery.json").data
    assert after["changeset"] > before["changeset"]
    assert after["changeset"].startswith("2099-01-01T07:00:00")


# --- services ---------------------------------------------------------------------------------------


def test_services_are_the_active_categories_in_both_formats(questions, o311):
    Category.objects.filter(code="LAINNYA").update(is_active=False)
    from kotapintar.reports import selectors

    selectors.forget_categories()
    answer = o311.get("services.json")
    assert answer.status == 200 and answer.content_type == JSON_TYPE
    assert isinstance(answer.data, list)
    by_code = {s["service_code"]: s for s in answer.data}
    assert "LAINNYA" not in by_code
    assert set(by_code) == set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    for service in answer.data:
        assert list(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
        assert isinstance(service["service_code"], str)
    assert by_code["JALAN"]["metadata"] is True  # it has questions
    assert by_code["DRAINASE"]["metadata"] is False
    assert by_code["JALAN"]["service_name"] == "Damaged road / pothole"  # English asked for
    assert by_code["JALAN"]["group"] == "Dinas Pekerjaan Umum"
    assert by_code["JALAN"]["keywords"] == "jalan berlubang, aspal mengelupas, jembatan retak"

    xml = o311.get("services.xml")
    assert xml.status == 200 and xml.content_type == XML_TYPE
    items = _xml_items(xml, "services", "service")
    assert [i.findtext("service_code") for i in items] == [s["service_code"] for s in answer.data]
    jalan = next(i for i in items if i.findtext("service_code") == "JALAN")
    assert [c.tag for c in jalan] == SERVICE_FIELDS
    assert jalan.findtext("metadata") == "true"


def test_service_names_follow_the_language_asked_for(lapor, o311):
    o311.http.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    jalan = next(s for s in o311.get("services.json").data if s["service_code"] == "JALAN")
    assert jalan["service_name"] == "Jalan rusak / berlubang"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_carries_the_six_datatypes(questions, o311, fmt):
    answer = o311.get(f"services/JALAN.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        definition = answer.data
        assert isinstance(definition, dict) and list(definition) == ["service_code", "attributes"]
        attributes = definition["attributes"]
    else:
        items = _xml_items(answer, "service_definition", "attributes/attribute")
        attributes = []
        for item in items:
            attribute = {c.tag: (c.text or "") for c in item if c.tag != "values"}
            attribute["values"] = [
                {"key": v.findtext("key"), "name": v.findtext("name")} for v in item.findall("values/value")
            ]
            attributes.append(attribute)
    assert [a["code"] for a in attributes] == [
        "safety",
        "depth_cm",
        "landmark",
        "seen_at",
        "details",
        "lane",
        "hazards",
    ]
    datatypes = {a["code"]: a["datatype"] for a in attributes}
    assert set(datatypes.values()) == {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
    truth = True if fmt == "json" else "true"
    falsity = False if fmt == "json" else "false"
    depth = next(a for a in attributes if a["code"] == "depth_cm")
    assert depth["required"] == truth and depth["variable"] == truth
    safety = attributes[0]
    assert safety["variable"] == falsity and safety["required"] == falsity
    assert [str(a["order"]) for a in attributes] == ["1", "2", "3", "4", "5", "6", "7"]  # positive, unique
    lane = next(a for a in attributes if a["code"] == "lane")
    assert lane["values"] == [{"key": "left", "name": "Left"}, {"key": "right", "name": "Right"}]
    if fmt == "json":
        for attribute in attributes:
            assert list(attribute) == ATTRIBUTE_FIELDS
        assert depth["values"] == [] and depth["datatype_description"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_inactive_service_code_is_404_in_the_error_shape(lapor, o311, fmt):
    Category.objects.filter(code="PASAR").update(is_active=False)
    from kotapintar.reports import selectors

    selectors.forget_categories()
    for code in ("NOPE", "PASAR"):
        answer = o311.get(f"services/{code}.{fmt}")
        assert answer.status == 404
        if fmt == "json":
            assert answer.data == [{"code": 404, "description": f"service_code “{code}” was not found."}]
        else:
            (error,) = _xml_items(answer, "errors", "error")
            assert error.findtext("code") == "404" and code in error.findtext("description")
    assert o311.get("services/jalan.json").status == 200  # codes are not case-sensitive


# --- requests ------------------------------------------------------------------------------------------


def test_a_public_request_in_both_formats(lapor, o311, make_report, settings):
    report = make_report(status="in_progress", privacy="public", address="Jl. Pahlawan 10")
    as_json = o311.get("requests.json")
    assert as_json.status == 200 and as_json.content_type == JSON_TYPE
    (item,) = as_json.data
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == report.tracking_number
    assert item["status"] == "open"
    assert item["status_notes"] == "Petugas sudah meninjau lokasi."
    assert item["service_code"] == "JALAN" and item["service_name"] == "Damaged road / pothole"
    assert item["description"] == report.text
    assert item["agency_responsible"] == "Dinas Pekerjaan Umum"
    assert "14 working days" in item["service_notice"]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_WIB.match(item[field]), item[field]
    assert item["expected_datetime"].startswith(
        report.resolution_due.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%dT%H:%M")
    )
    assert item["address"] == "Jl. Pahlawan 10, Pleburan, Semarang Selatan"
    assert item["address_id"] is None and item["zipcode"] is None and item["media_url"] is None
    assert (item["lat"], item["long"]) == (report.lat, report.lng)
    assert "extended_attributes" not in item and "notes" not in item

    as_xml = o311.get("requests.xml")
    assert as_xml.content_type == XML_TYPE
    (request,) = _xml_items(as_xml, "service_requests", "request")
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == report.tracking_number
    assert request.findtext("lat") == str(report.lat)

    detail = o311.get(f"requests/{report.tracking_number}.xml")
    assert detail.status == 200
    (one,) = _xml_items(detail, "service_requests", "request")
    assert [c.tag for c in one] == REQUEST_FIELDS
    detail_json = o311.get(f"requests/{report.tracking_number.lower()}.json")
    assert detail_json.data == as_json.data


def test_an_anonymous_request_shows_a_blurred_point_and_no_typed_address(lapor, o311, make_report):
    report = make_report(status="verified", address="Gang Mawar 3 rumah cat hijau")
    (item,) = o311.get("requests.json").data
    assert item["address"] == "Pleburan, Semarang Selatan"
    assert (item["lat"], item["long"]) == (round(report.lat, 3), round(report.lng, 3))
    assert (item["lat"], item["long"]) != (report.lat, report.lng)
    assert "Gang Mawar" not in o311.get("requests.xml", extensions="true").text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404_in_the_error_shape(lapor, o311, fmt):
    for wanted in ("LPR-26-ZZZZZZ", "not-an-id", "12345"):
        answer = o311.get(f"requests/{wanted}.{fmt}")
        assert answer.status == 404
        if fmt == "json":
            assert answer.data[0]["code"] == 404 and wanted in answer.data[0]["description"]
        else:
            assert _xml_items(answer, "errors", "error")[0].findtext("code") == "404"


def test_status_maps_every_state_to_open_or_closed(lapor, o311, make_report):
    verified = make_report(status="verified")
    routed = make_report(status="dispositioned")
    resolved = make_report(status="resolved")
    closed = make_report(status="closed")
    merged = make_report(status="verified")
    report_services.report_merge(actor=None, report=merged, into=routed)
    pending = make_report()
    answer = o311.get("requests.json")
    status = {r["service_request_id"]: r["status"] for r in answer.data}
    assert status == {
        verified.tracking_number: "open",
        routed.tracking_number: "open",
        resolved.tracking_number: "closed",
        closed.tracking_number: "closed",
        merged.tracking_number: "closed",
    }
    assert pending.tracking_number not in status  # not public before the desk verifies it
    notes = {r["service_request_id"]: r["status_notes"] for r in answer.data}
    assert notes[resolved.tracking_number] == "Lubang sudah ditambal."
    assert notes[merged.tracking_number] == f"Merged into {routed.tracking_number}: follow that request."
    assert notes[verified.tracking_number] is None
    expected = {r["service_request_id"]: r["expected_datetime"] for r in answer.data}
    assert expected[resolved.tracking_number] is None and expected[routed.tracking_number] is not None
    closed_row = next(r for r in answer.data if r["service_request_id"] == closed.tracking_number)
    assert closed_row["updated_datetime"] >= closed_row["requested_datetime"]


def test_extensions_add_extended_attributes_and_the_public_notes(lapor, o311, make_report, officer):
    parent = make_report(status="dispositioned")
    child = make_report(status="verified", village="Pleburan")
    report_services.report_merge(actor=None, report=child, into=parent)
    report_services.report_note(actor=officer, report=parent, text="Internal: crew busy until Friday.")
    report_services.report_follow_up(actor=officer, report=parent, text="Crew scheduled.")
    answer = o311.get("requests.json", extensions="true")
    rows = {r["service_request_id"]: r for r in answer.data}
    extended = rows[child.tracking_number]["extended_attributes"]
    assert extended == {
        "channel": "web",
        "kecamatan": "Semarang Selatan",
        "kelurahan": "Pleburan",
        "duplicate": True,
        "parent_service_request_id": parent.tracking_number,
    }
    notes = rows[parent.tracking_number]["notes"]
    assert [n["type"] for n in notes] == ["submitted", "verified", "dispositioned", "merged", "follow_up"]
    assert notes[-1]["description"] == "Crew scheduled." and notes[-1]["status"] == "open"
    assert all(set(n) == {"type", "description", "datetime", "status"} for n in notes)
    assert "Internal" not in answer.text
    assert rows[child.tracking_number]["notes"][-1]["status"] == "closed"
    xml = o311.get(f"requests/{parent.tracking_number}.xml", extensions="true")
    (request,) = _xml_items(xml, "service_requests", "request")
    assert request.find("extended_attributes/channel").text == "web"
    assert [n.findtext("type") for n in request.findall("notes/note")] == [n["type"] for n in notes]


def test_media_url_is_the_absolute_address_of_the_public_photo(lapor, o311, make_report, settings):
    report = make_report(status="verified", photos_in=[upload(jpeg_bytes())])
    url = o311.get(f"requests/{report.tracking_number}.json").data[0]["media_url"]
    assert re.match(r"^http://testserver/media/public/reports/.+\.jpg$", url), url
    settings.SITE_URL = "https://lapor.semarangkota.go.id"
    url = o311.get("requests.json").data[0]["media_url"]
    assert url.startswith("https://lapor.semarangkota.go.id/media/public/")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens_answer_the_request_id(lapor, o311, make_report, fmt):
    report = make_report(status="verified")
    answer = o311.get(f"tokens/{report.tracking_number}.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        assert answer.data == [{"service_request_id": report.tracking_number, "token": report.tracking_number}]
    else:
        (request,) = _xml_items(answer, "service_requests", "request")
        assert [c.tag for c in request] == ["service_request_id", "token"]
    missing = o311.get(f"tokens/LPR-26-ZZZZZZ.{fmt}")
    assert missing.status == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_request_updates_list_public_changes_in_a_window(lapor, o311, make_report, verifier, fmt):
    report = make_report(status="resolved")
    report_services.report_note(actor=verifier, report=report, text="Internal remark")
    answer = o311.get(f"servicerequestupdates.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        updates = answer.data
    else:
        updates = [
            {c.tag: (c.text or None) for c in u}
            for u in _xml_items(answer, "service_request_updates", "request_update")
        ]
    assert updates and all(list(u) == UPDATE_FIELDS for u in updates)
    assert {u["service_request_id"] for u in updates} == {report.tracking_number}
    assert updates[-1]["status"] == "closed" and updates[-1]["description"] == "Lubang sudah ditambal."
    assert "Internal remark" not in answer.text
    ids = [int(u["update_id"]) for u in updates]
    assert ids == sorted(ids)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert o311.get(f"servicerequestupdates.{fmt}", start_date=later).status == 200
    assert o311.get("servicerequestupdates.json", start_date=later).data == []


@pytest.mark.parametrize(
    "path",
    ["requests.csv", "nothing.json", "services/JALAN/extra.xml", "v3/requests.json", "requests"],
)
def test_any_other_address_is_404_in_the_error_shape(lapor, o311, path):
    answer = o311.get(path)
    assert answer.status == 404
    assert answer.content_type == (JSON_TYPE if path.endswith(".json") else XML_TYPE)


def test_an_address_outside_the_routes_is_404_in_the_error_shape(db, o311):
    answer = o311.parse_raw(o311.http.get("/open311/"))
    assert answer.status == 404 and answer.content_type == XML_TYPE
    answer = o311.parse_raw(o311.http.get("/open311/v3/services.json"))
    assert answer.status == 404 and answer.data[0]["code"] == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405_with_allow(lapor, o311, method):
    response = getattr(o311.http, method)("/open311/v2/requests.json")
    answer = o311.parse_raw(response)
    assert answer.status == 405
    assert answer.response["Allow"] == "GET, HEAD, POST"
    services = o311.parse_raw(o311.http.post("/open311/v2/services.xml"))
    assert services.status == 405 and services.response["Allow"] == "GET, HEAD"


def test_reads_may_be_used_by_other_sites_pages(lapor, o311):
    assert o311.get("services.json").response["Access-Control-Allow-Origin"] == "*"


def test_set_aside_is_closed_with_its_reason_for_the_client_that_filed_it(lapor, o311, api_key):
    lat, lng = lapor.point("Pleburan")
    filed = o311.post(
        "requests.json", {"api_key": api_key, "service_code": "JALAN", "lat": lat, "long": lng, "description": "x y z"}
    )
    number = filed.data[0]["service_request_id"]
    from kotapintar.reports.models import Report

    report_services.report_set_aside(actor=None, report=Report.objects.get(tracking_number=number), reason="incomplete")
    assert o311.get(f"requests/{number}.json").status == 404  # the public never sees it
    own = o311.get(f"requests/{number}.json", api_key=api_key)
    assert own.status == 200
    assert own.data[0]["status"] == "closed"
    assert own.data[0]["status_notes"] == "Incomplete: not enough information to act on"
    assert Report.objects.get(tracking_number=number).status == Status.SET_ASIDE


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_fault_on_our_side_is_500_in_the_error_shape(lapor, o311, monkeypatch, fmt):
    from kotapintar.reports.open311 import selectors

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "service_list", broken)
    answer = o311.get(f"services.{fmt}")
    assert answer.status == 500
    assert "database went away" not in answer.text  # no internals leak
    assert "went wrong on our side" in answer.text


def test_reads_are_throttled_per_address(lapor, o311, settings):
    settings.OPEN311_THROTTLE_RATES = {"read": "3/min", "write": "10/min"}
    statuses = [o311.get("services.json").status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = o311.get("discovery.xml")
    assert limited.status == 429 and limited.data[0] == "errors"
    assert 1 <= int(limited.response["Retry-After"]) <= 60


def test_each_update_carries_the_status_the_request_had_after_it(lapor, o311, make_report):
    # A duplicate merged into a request that is already resolved: the merge is news about the
    # resolved request too, and it stays closed. A client applying the updates in order must
    # end with the status the request itself shows.
    resolved = make_report(status="resolved")
    duplicate = make_report(status="verified")
    report_services.report_merge(actor=None, report=duplicate, into=resolved)
    updates = o311.get("servicerequestupdates.json").data
    last = {}
    for update in updates:
        last[update["service_request_id"]] = update
    merge_news = last[resolved.tracking_number]
    assert duplicate.tracking_number in merge_news["description"]
    assert merge_news["status"] == "closed"
    requests = {r["service_request_id"]: r["status"] for r in o311.get("requests.json").data}
    assert {number: update["status"] for number, update in last.items()} == requests
    xml = o311.get("servicerequestupdates.xml")
    statuses = [u.findtext("status") for u in _xml_items(xml, "service_request_updates", "request_update")]
    assert statuses == [u["status"] for u in updates]
