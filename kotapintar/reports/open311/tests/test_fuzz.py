"""A bounded fuzz of the Open311 endpoints (hypothesis): whatever a client sends, the answer
is never a server error, is in the format its address asks for, and has the specification's
shape — an error body is an array of {code, description} whose code is the HTTP status.
(The whole OpenAPI surface is fuzzed elsewhere; Open311 is not part of that schema.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import BASE, JSON_TYPE, XML_TYPE

PARAMETERS = [
    "jurisdiction_id",
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
    "api_key",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "phone",
    "first_name",
    "media_url",
    "attribute[depth_cm]",
    "attribute[lane]",
    "attribute[hazards][]",
    "attribute[nope]",
]
LIST_ROOTS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
}

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
values = st.one_of(
    text,
    st.sampled_from(["", "open", "closed", "open,closed", "true", "JALAN", "semarangkota.go.id", "LPR-26-AAAAAA"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
formats = st.sampled_from(["json", "xml", "json", "xml", "html", ""])
paths = st.one_of(
    st.sampled_from(["discovery", "services", "requests", "servicerequestupdates"]),
    st.sampled_from(["services/JALAN", "services/jalan", "services/NOPE"]),
    text.filter(lambda t: "/" not in t and "?" not in t and "#" not in t).map(lambda t: f"requests/{t or 'x'}"),
    text.filter(lambda t: "/" not in t and "?" not in t and "#" not in t).map(lambda t: f"tokens/{t or 'x'}"),
    text.map(lambda t: t.replace("?", "").replace("#", "")),
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data",  # (the test client makes the boundary)
        "application/json",
        "text/xml",
        "text/plain",
    ]
)


def _check_shape(response, path: str) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    wanted = JSON_TYPE if path.endswith(".json") else XML_TYPE
    assert response["Content-Type"] == wanted, (path, response["Content-Type"])
    body = response.content.decode("utf-8")
    if wanted == JSON_TYPE:
        data = json.loads(body)
        if response.status_code >= 400:
            assert isinstance(data, list) and data
            for error in data:
                assert set(error) == {"code", "description"}
                assert error["code"] == response.status_code and error["description"]
        else:
            assert isinstance(data, list | dict)
    else:
        assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
        root = ET.fromstring(body)  # noqa: S314 - our own answer
        if response.status_code >= 400:
            assert root.tag == "errors" and root.findall("error")
            for error in root.findall("error"):
                assert error.findtext("code") == str(response.status_code) and error.findtext("description")
        elif root.tag in LIST_ROOTS:
            assert all(child.tag == LIST_ROOTS[root.tag] for child in root)


@pytest.fixture
def world(lapor, make_report, settings, api_key):
    """(test client, api_key) over a city with two public reports. One client for all the
    examples: a new one loads every middleware again."""
    settings.OPEN311_THROTTLE_RATES = {"read": "100000/min", "write": "100000/min"}
    make_report(status="in_progress")
    make_report(status="resolved", category="SAMPAH")
    return Client(), api_key


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=paths, fmt=formats, query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=6))
def test_gets_never_fail_and_keep_the_shape(world, path, fmt, query):
    address = f"{path}.{fmt}" if fmt else path
    client, _key = world
    response = client.get(BASE + address, query)
    _check_shape(response, address)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(["json", "xml"]),
    fields=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=8),
    content_type=content_types,
    with_key=st.booleans(),
    located=st.booleans(),
)
def test_posts_never_fail_and_keep_the_shape(world, lapor, fmt, fields, content_type, with_key, located):
    client, key = world
    data = dict(fields)
    if with_key:
        data["api_key"] = key
    if located:
        data.setdefault("service_code", "JALAN")
        lat, lng = lapor.point("Pleburan")
        data.update(lat=str(lat), long=str(lng))
    address = f"requests.{fmt}"
    if content_type == "multipart/form-data":
        response = client.post(BASE + address, data)
    elif content_type == "application/x-www-form-urlencoded":
        from urllib.parse import urlencode

        response = client.post(BASE + address, urlencode(data), content_type=content_type)
    elif content_type == "application/json":
        response = client.post(BASE + address, json.dumps(data), content_type=content_type)
    else:
        response = client.post(BASE + address, "&".join(f"{k}={v}" for k, v in data.items()), content_type=content_type)
    _check_shape(response, address)
