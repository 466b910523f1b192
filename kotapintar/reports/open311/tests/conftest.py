"""Fixtures of the Open311 tests: a registered client with its key, and a test client that
reads answers in either format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

BASE = "/open311/v2/"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@dataclass
class Answer:
    """An Open311 answer: status, content type, and the body parsed per its format."""

    status: int
    content_type: str
    text: str
    data: Any
    response: Any


def _xml_to_python(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    names = [c.tag for c in children]
    if len(set(names)) == 1 and element.tag in LIST_ROOTS:
        return [_xml_to_python(c) for c in children]
    return {c.tag: _xml_to_python(c) for c in children}


LIST_ROOTS = {
    "services",
    "service_requests",
    "service_request_updates",
    "errors",
    "attributes",
    "values",
    "endpoints",
    "formats",
    "notes",
}


def parse(response) -> Answer:
    text = response.content.decode("utf-8")
    content_type = response["Content-Type"]
    if content_type == JSON_TYPE:
        data = json.loads(text)
    elif content_type == XML_TYPE:
        assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
        root = ET.fromstring(text)  # noqa: S314 - our own answer
        data = (root.tag, _xml_to_python(root) if list(root) or root.tag not in LIST_ROOTS else [])
    else:  # pragma: no cover - a failing test shows it
        raise AssertionError(f"unexpected content type {content_type!r}: {text[:200]}")
    return Answer(response.status_code, content_type, text, data, response)


class Open311:
    """o311.get("requests.json", status="open") → Answer."""

    def __init__(self):
        self.http = Client(HTTP_ACCEPT_LANGUAGE="en")

    def get(self, path: str, **query) -> Answer:
        return parse(self.http.get(BASE + path, query))

    def post(self, path: str, data=None, **kwargs) -> Answer:
        return parse(self.http.post(BASE + path, data or {}, **kwargs))

    def parse_raw(self, response) -> Answer:
        return parse(response)


@pytest.fixture
def o311(db) -> Open311:
    return Open311()


@pytest.fixture
def api_client(db):
    """(client, key) of a registered Open311 client application."""
    from kotapintar.reports.open311 import services

    return services.client_create(actor=None, name="Aplikasi Warga", contact="dev@aplikasi.test")


@pytest.fixture
def api_key(api_client) -> str:
    return api_client[1]


QUESTIONS = [
    # code, datatype, required, description, values
    ("depth_cm", "number", True, "How deep is the hole (cm)?", []),
    ("landmark", "string", False, "Nearest landmark", []),
    ("seen_at", "datetime", False, "When did you first see it?", []),
    ("details", "text", False, "Anything else the crew should know", []),
    (
        "lane",
        "singlevaluelist",
        True,
        "Which lane?",
        [{"key": "left", "name": "Left"}, {"key": "right", "name": "Right"}],
    ),
    (
        "hazards",
        "multivaluelist",
        False,
        "What else is there?",
        [
            {"key": "water", "name": "Standing water"},
            {"key": "crack", "name": "Cracks"},
            {"key": "sign", "name": "No sign"},
        ],
    ),
]


@pytest.fixture
def questions(lapor):
    """JALAN with one question of each of the six datatypes (depth_cm and lane required) and an
    informational entry (variable false)."""
    from kotapintar.reports import selectors
    from kotapintar.reports.services import category_attribute_save

    category = lapor.category("JALAN")
    for order, (code, datatype, required, description, values) in enumerate(QUESTIONS, start=1):
        category_attribute_save(
            actor=None,
            category=category,
            code=code,
            datatype=datatype,
            required=required,
            description=description,
            values=values,
            order=order * 10,
        )
    category_attribute_save(
        actor=None,
        category=category,
        code="safety",
        datatype="text",
        variable=False,
        description="Do not stand in the road to take a photo.",
        order=0,
    )
    selectors.forget_categories()
    return category


def clone_public(report, count: int, *, start, step):
    """`count` copies of a public report (fresh tracking numbers), filed at start, start+step, …
    Fast bulk rows for list and paging tests (the services walk one report in seconds)."""
    import copy

    from django.utils import timezone

    from kotapintar.reports.models import Report
    from kotapintar.reports.tracking import new_tracking_number

    assert report.is_public
    rows = []
    numbers = set(Report.objects.values_list("tracking_number", flat=True))
    original = Report.objects.get(pk=report.pk)
    for index in range(count):
        row = copy.copy(original)
        row.pk = None
        row.id = None
        while True:
            number = new_tracking_number(timezone.localtime(start).year)
            if number not in numbers:
                numbers.add(number)
                break
        row.tracking_number = number
        row.idempotency_key = None
        row.created_at = start + step * index
        row.updated_at = row.created_at
        rows.append(row)
    return Report.objects.bulk_create(rows)


@pytest.fixture(name="clone_public")
def clone_public_fixture():
    return clone_public
