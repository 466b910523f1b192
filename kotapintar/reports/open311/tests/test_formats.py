"""The two formats and the dates of GeoReport v2, without a database."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from kotapintar.reports.open311.errors import Open311Error
from kotapintar.reports.open311.formats import iso, parse_datetime, render, render_error, to_xml

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31T00:00:00+07:00", dt.datetime(2026, 1, 30, 17, 0, tzinfo=UTC)),
        ("2026-01-31T00:00:00Z", dt.datetime(2026, 1, 31, 0, 0, tzinfo=UTC)),
        ("2026-01-31t00:00:00z", dt.datetime(2026, 1, 31, 0, 0, tzinfo=UTC)),
        ("2026-01-31T00:00:00-0500", dt.datetime(2026, 1, 31, 5, 0, tzinfo=UTC)),
        ("2026-01-31T08:15+07:00", dt.datetime(2026, 1, 31, 1, 15, tzinfo=UTC)),
        ("2026-01-31T00:00:00.123456789Z", dt.datetime(2026, 1, 31, 0, 0, 0, 123456, tzinfo=UTC)),
        # An unencoded "+" in a query string arrives as a space.
        ("2026-01-31T00:00:00 07:00", dt.datetime(2026, 1, 30, 17, 0, tzinfo=UTC)),
    ],
)
def test_w3c_dates_with_a_timezone_are_read(text, expected):
    assert parse_datetime(text, "start_date") == expected


@pytest.mark.parametrize("text", ["2026-01-31", "2026-01-31T00:00:00", "2026-01-31 08:00"])
def test_a_date_without_timezone_is_refused_naming_the_parameter(text):
    # The default language, explicitly: a test client request in English earlier in the
    # same process leaves English active in this thread.
    with translation.override("id"), pytest.raises(Open311Error) as caught:
        parse_datetime(text, "end_date")
    assert caught.value.status == 400
    assert "end_date" in caught.value.descriptions[0]
    assert "zona waktu" in caught.value.descriptions[0]  # Indonesian, the default language


@pytest.mark.parametrize(
    "text", ["yesterday", "2026-02-30T00:00:00Z", "1969-12-31T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-01T00:00Z"]
)
def test_other_dates_are_refused(text):
    with pytest.raises(Open311Error) as caught:
        parse_datetime(text, "start_date")
    assert caught.value.status == 400
    assert "start_date" in caught.value.descriptions[0]


def test_times_go_out_in_wib_to_the_second():
    assert iso(dt.datetime(2026, 3, 14, 1, 30, 5, 999, tzinfo=UTC)) == "2026-03-14T08:30:05+07:00"
    assert iso(None) is None


def test_xml_names_list_items_as_the_specification_does_and_escapes_text():
    text = to_xml(
        "service_requests",
        [{"service_request_id": "LPR-26-AAAAAA", "description": 'a < b & "c" \x01', "lat": -6.9, "status_notes": None}],
    )
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>')
    root = ET.fromstring(text)  # noqa: S314
    request = root.find("request")
    assert request.findtext("description") == 'a < b & "c" '
    assert request.findtext("lat") == "-6.9"
    assert request.find("status_notes").text is None


def test_booleans_are_true_and_false_in_both_formats():
    data = [{"service_code": "A", "metadata": True}, {"service_code": "B", "metadata": False}]
    assert "<metadata>true</metadata>" in to_xml("services", data)
    assert "<metadata>false</metadata>" in to_xml("services", data)
    response = render(data, "json", "services")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == data


def test_errors_are_an_array_of_code_and_description_in_both_formats():
    error = Open311Error(400, ["first problem", "second problem"], headers={"Retry-After": "3"})
    as_json = render_error(error, "json")
    assert as_json.status_code == 400 and as_json["Retry-After"] == "3"
    assert json.loads(as_json.content) == [
        {"code": 400, "description": "first problem"},
        {"code": 400, "description": "second problem"},
    ]
    as_xml = render_error(error, "xml")
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(as_xml.content)  # noqa: S314
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")] == [
        ("400", "first problem"),
        ("400", "second problem"),
    ]
