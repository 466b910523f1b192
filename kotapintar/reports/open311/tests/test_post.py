"""POST requests: the API key, the fields of the specification, attributes, locations, bodies."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from kotapintar.core.models import AuditLog
from kotapintar.reports.models import Channel, Privacy, Report, ReportPhoto
from kotapintar.reports.open311 import services
from kotapintar.reports.open311.models import Open311Client
from kotapintar.testing.reports import jpeg_bytes, upload

from .conftest import BASE, JSON_TYPE, XML_TYPE

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def point(lapor):
    return lapor.point("Pleburan")


def _form(api_key, point, **extra):
    lat, lng = point
    data = {"api_key": api_key, "service_code": "DRAINASE", "lat": lat, "long": lng, "description": "Got mampet."}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _post_form(o311, path, pairs):
    """POST an urlencoded body exactly as a client builds it (repeated keys kept)."""
    body = urlencode(pairs, doseq=True)
    return o311.parse_raw(o311.http.post(BASE + path, body, content_type=FORM))


def _descriptions(answer):
    if answer.content_type == JSON_TYPE:
        return [e["description"] for e in answer.data]
    return [e["description"] for e in answer.data[1]]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_filing_answers_the_request_id_and_records_the_client(lapor, o311, api_client, point, fmt):
    client, key = api_client
    answer = o311.post(
        f"requests.{fmt}",
        _form(
            key,
            point,
            email="siti@warga.test",
            first_name="Siti",
            last_name="Warga",
            phone="0812-3456-7890",
            device_id="hp-77",
            account_id="acc-991",
            address_string="Jl. Pahlawan depan SD",
        ),
    )
    assert answer.status == 200
    if fmt == "json":
        assert answer.content_type == JSON_TYPE
        (item,) = answer.data
        assert list(item) == ["service_request_id", "service_notice", "account_id"]
        assert item["account_id"] is None
    else:
        root, items = answer.data
        assert root == "service_requests"
        (item,) = items
        assert list(item) == ["service_request_id", "service_notice", "account_id"]
        assert "<account_id/>" in answer.text
    report = Report.objects.get(tracking_number=item["service_request_id"])
    assert report.channel == Channel.OPEN311
    assert report.channel_client == f"{client.pk}:Aplikasi Warga"
    assert report.category.code == "DRAINASE" and report.text == "Got mampet."
    assert report.address == "Jl. Pahlawan depan SD"
    assert report.village.name == "Pleburan"
    assert report.privacy == Privacy.ANONYMOUS
    # Kept for the desk, never answered.
    assert (report.reporter_name, report.reporter_email, report.reporter_phone, report.device_id) == (
        "Siti Warga",
        "siti@warga.test",
        "+6281234567890",
        "hp-77",
    )
    for secret in ("Siti", "siti@", "6281234567890", "hp-77", "acc-991"):
        assert secret not in answer.text
    assert AuditLog.objects.filter(action="report.submit", object_id=str(report.pk)).exists()
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_the_specifications_example_body_with_every_kind_of_attribute(questions, o311, api_key, point):
    lat, lng = point
    pairs = [
        ("api_key", api_key),
        ("jurisdiction_id", "semarangkota.go.id"),
        ("service_code", "JALAN"),
        ("lat", lat),
        ("long", lng),
        ("description", "Lubang besar"),
        ("attribute[depth_cm]", "12,5"),
        ("attribute[landmark]", "Depan masjid"),
        ("attribute[seen_at]", "2026-03-01T07:30:00+07:00"),
        ("attribute[details]", "Dua lubang\nbersebelahan"),
        ("attribute[lane]", "left"),
        ("attribute[hazards][]", "water"),
        ("attribute[hazards][]", "sign"),
    ]
    answer = _post_form(o311, "requests.json", pairs)
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert report.attributes == {
        "depth_cm": 12.5,
        "landmark": "Depan masjid",
        "seen_at": "2026-03-01T07:30:00+07:00",
        "details": "Dua lubang\nbersebelahan",
        "lane": "left",
        "hazards": ["water", "sign"],
    }


@pytest.mark.parametrize(
    ("pairs", "named"),
    [
        ([("attribute[depth_cm]", "deep"), ("attribute[lane]", "left")], ["attribute[depth_cm]"]),
        ([("attribute[depth_cm]", "3"), ("attribute[lane]", "middle")], ["attribute[lane]"]),
        (
            [("attribute[depth_cm]", "3"), ("attribute[lane]", "left"), ("attribute[hazards][]", "fire")],
            ["attribute[hazards]"],
        ),
        (
            [("attribute[depth_cm]", "3"), ("attribute[lane]", "left"), ("attribute[seen_at]", "kemarin")],
            ["attribute[seen_at]"],
        ),
        ([("attribute[landmark]", "x")], ["attribute[depth_cm]", "attribute[lane]"]),
        (
            [("attribute[depth_cm]", "3"), ("attribute[lane]", "left"), ("attribute[colour]", "red")],
            ["attribute[colour]"],
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_attributes_answer_400_naming_each_attribute(questions, o311, api_key, point, pairs, named, fmt):
    lat, lng = point
    base = [("api_key", api_key), ("service_code", "JALAN"), ("lat", lat), ("long", lng), ("description", "x")]
    answer = _post_form(o311, f"requests.{fmt}", base + pairs)
    assert answer.status == 400
    descriptions = _descriptions(answer)
    assert sorted(d.split(":")[0] for d in descriptions) == sorted(named)
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_invalid_or_revoked_key_is_403(lapor, o311, api_client, point, fmt):
    client, key = api_client
    for data in (_form(None, point), _form("kp311_wrongwrongwrongwrongwrong", point), _form(key[:-1] + "x", point)):
        answer = o311.post(f"requests.{fmt}", data)
        assert answer.status == 403
        assert answer.content_type == (JSON_TYPE if fmt == "json" else XML_TYPE)
        assert "api_key" in _descriptions(answer)[0]
    services.client_revoke(actor=None, client=client)
    revoked = o311.post(f"requests.{fmt}", _form(key, point))
    assert revoked.status == 403 and "revoked" in _descriptions(revoked)[0]
    assert not Report.objects.exists()


def test_the_key_may_come_in_the_query_string(lapor, o311, api_key, point):
    data = _form(None, point)
    response = o311.http.post(f"{BASE}requests.json?api_key={api_key}", data)
    assert response.status_code == 200


def test_a_signed_in_session_is_no_key(lapor, o311, point, citizen):
    o311.http.force_login(citizen, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    answer = o311.post("requests.json", _form(None, point))
    assert answer.status == 403  # and no CSRF failure either: the view is exempt


def test_service_code_missing_is_400_and_unknown_is_404(lapor, o311, api_key, point):
    missing = o311.post("requests.json", _form(api_key, point, service_code=""))
    assert missing.status == 400 and "service_code" in missing.data[0]["description"]
    unknown = o311.post("requests.json", _form(api_key, point, service_code="NOPE"))
    assert unknown.status == 404 and "NOPE" in unknown.data[0]["description"]


def test_a_point_outside_the_city_is_400_with_a_clear_message(lapor, o311, api_key):
    answer = o311.post("requests.json", _form(api_key, (-6.2, 106.8)))  # Jakarta
    assert answer.status == 400
    assert answer.data[0]["description"].startswith("lat/long: The point is outside")


def test_lat_needs_long(lapor, o311, api_key, point):
    answer = o311.post("requests.json", _form(api_key, point, long=""))
    assert answer.status == 400 and "lat and long together" in answer.data[0]["description"]


def test_address_id_is_a_kelurahan_code_of_the_city(lapor, o311, api_key):
    village = lapor.city.village("Pleburan")
    answer = o311.post("requests.json", _form(api_key, (None, None), address_id=village.code))
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert report.village_id == village.code
    unknown = o311.post("requests.json", _form(api_key, (None, None), address_id="31.71.01.1001"))
    assert unknown.status == 400 and unknown.data[0]["description"].startswith("address_id:")


def test_an_address_naming_a_kelurahan_is_placed_there(lapor, o311, api_key):
    answer = o311.post(
        "requests.json", _form(api_key, (None, None), address_string="Jl. Pahlawan no. 3, Pleburan, Semarang")
    )
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert report.village.name == "Pleburan"
    assert report.address == "Jl. Pahlawan no. 3, Pleburan, Semarang"
    nowhere = o311.post("requests.json", _form(api_key, (None, None), address_string="Somewhere nice"))
    assert nowhere.status == 400 and nowhere.data[0]["description"].startswith("address_string:")


def test_a_location_is_required(lapor, o311, api_key):
    answer = o311.post("requests.json", _form(api_key, (None, None)))
    assert answer.status == 400
    assert "lat and long, or address_string, or address_id" in answer.data[0]["description"]


def test_without_a_description_the_service_name_stands_for_it(lapor, o311, api_key, point):
    answer = o311.post("requests.json", _form(api_key, point, description=""))
    assert answer.status == 200
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert report.text == "Saluran / drainase tersumbat"


def test_field_errors_name_the_open311_parameter(lapor, o311, api_key, point):
    answer = o311.post(
        "requests.json", _form(api_key, point, description="x" * 4001, email="not-an-email", media_url="ftp://x")
    )
    assert answer.status == 400
    assert sorted(d.split(":")[0] for d in _descriptions(answer)) == ["description", "email", "media_url"]


def test_multipart_with_photos_as_media(lapor, o311, api_key, point, django_capture_on_commit_callbacks):
    data = _form(api_key, point)
    data["media"] = [upload(jpeg_bytes(gps=True)), upload(jpeg_bytes((320, 240)), name="dua.jpg")]
    with django_capture_on_commit_callbacks(execute=True):
        answer = o311.post("requests.json", data)
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert ReportPhoto.objects.filter(report=report).count() == 2
    bad = _form(api_key, point)
    bad["media"] = [upload(b"not an image", name="x.jpg")]
    refused = o311.post("requests.json", bad)
    assert refused.status == 400 and refused.data[0]["description"].startswith("media:")


def test_a_json_object_body_is_read_too(questions, o311, api_key, point):
    lat, lng = point
    body = {
        "api_key": api_key,
        "service_code": "JALAN",
        "lat": lat,
        "long": lng,
        "description": "Lubang",
        "attribute": {"depth_cm": 4, "lane": "right", "hazards": ["crack", "water"]},
    }
    answer = o311.parse_raw(o311.http.post(BASE + "requests.json", json.dumps(body), content_type="application/json"))
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    assert report.attributes == {"depth_cm": 4, "lane": "right", "hazards": ["water", "crack"]}


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        ('{"api_key": "x", ', "application/json", "JSON body cannot be read"),
        ("[1, 2]", "application/json", "one object"),
        ('{"description": {"nested": 1}}', "application/json", "description must be text"),
        ("<request><service_code>JALAN</service_code>", "text/xml", "cannot be read"),
        ("<request/>", "application/xml", "cannot be read"),
        ("service_code=JALAN", "text/plain", "cannot be read"),
        ("--xyz\r\nbroken", "multipart/form-data", "form data cannot be read"),
        ("\xff\xfe", "application/json", "JSON body cannot be read"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bodies_that_cannot_be_read_are_400(lapor, o311, body, content_type, words, fmt):
    response = o311.http.generic("POST", f"{BASE}requests.{fmt}", body.encode("latin-1"), content_type)
    answer = o311.parse_raw(response)
    assert answer.status == 400, answer.text
    assert words in _descriptions(answer)[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_over_the_size_limit_is_413_in_the_error_shape(lapor, o311, settings, fmt):
    settings.MAX_REQUEST_BYTES = 2048
    response = o311.http.post(f"{BASE}requests.{fmt}", "description=" + "x" * 4096, content_type=FORM)
    answer = o311.parse_raw(response)
    assert answer.status == 413
    assert answer.content_type == (JSON_TYPE if fmt == "json" else XML_TYPE)
    assert _descriptions(answer) == ["The request is too large (at most 1 MB)."]


def test_fields_over_the_form_limit_are_413_too(lapor, o311, api_key, point, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    answer = o311.post("requests.json", _form(api_key, point, description="x" * 2000))
    assert answer.status == 413 and "too large" in answer.data[0]["description"]


def test_jurisdiction_id_must_be_this_city_when_given(lapor, o311, api_key, point):
    assert o311.post("requests.json", _form(api_key, point, jurisdiction_id="SemarangKota.go.id")).status == 200
    other = o311.post("requests.json", _form(api_key, point, jurisdiction_id="jakarta.go.id"))
    assert other.status == 404 and "jakarta.go.id" in other.data[0]["description"]
    assert o311.get("services.json", jurisdiction_id="jakarta.go.id").status == 404
    assert o311.get("services.xml", jurisdiction_id="").status == 200  # empty acts as absent


def test_a_retry_with_the_same_idempotency_key_files_once(lapor, o311, api_key, point):
    first = o311.post("requests.json", _form(api_key, point), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = o311.post("requests.json", _form(api_key, point), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status == again.status == 200
    assert first.data[0]["service_request_id"] == again.data[0]["service_request_id"]
    assert Report.objects.count() == 1
    other = o311.post("requests.json", _form(api_key, point, description="Lain lagi"), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert other.status == 400 and "Idempotency-Key" in other.data[0]["description"]


def test_a_client_sees_its_own_request_before_verification_the_public_does_not(lapor, o311, api_key, point):
    number = o311.post("requests.json", _form(api_key, point)).data[0]["service_request_id"]
    assert o311.get(f"requests/{number}.json").status == 404
    own = o311.get(f"requests/{number}.json", api_key=api_key)
    assert own.status == 200 and own.data[0]["status"] == "open"
    assert o311.get("requests.json", service_request_id=number, api_key=api_key).data[0]["service_request_id"] == number
    assert o311.get(f"tokens/{number}.json", api_key=api_key).status == 200
    other_key = services.client_create(actor=None, name="Other app")[1]
    assert o311.get(f"requests/{number}.json", api_key=other_key).status == 404


def test_media_url_given_by_the_client_is_answered_once_public(lapor, o311, api_key, point):
    answer = o311.post("requests.json", _form(api_key, point, media_url="https://foto.example/lubang.jpg"))
    report = Report.objects.get(tracking_number=answer.data[0]["service_request_id"])
    from kotapintar.reports import services as report_services

    report_services.report_verify(actor=None, report=report)
    detail = o311.get(f"requests/{report.tracking_number}.json")
    assert detail.data[0]["media_url"] == "https://foto.example/lubang.jpg"


def test_filing_is_throttled_per_client(lapor, o311, api_key, point, settings):
    settings.OPEN311_THROTTLE_RATES = {"read": "100/min", "write": "2/min"}
    statuses = [o311.post("requests.json", _form(api_key, point, description=f"Laporan {i}")).status for i in range(3)]
    assert statuses == [200, 200, 429]
    last = o311.post("requests.xml", _form(api_key, point))
    assert last.status == 429 and int(last.response["Retry-After"]) >= 1
    assert Open311Client.objects.get().last_used_at is not None
