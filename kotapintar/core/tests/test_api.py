"""The API shell: one error body for every status, auth, pagination, throttling, schema, size limit."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework import serializers, throttling
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from kotapintar.core.errors import DomainError, InvalidTransition
from kotapintar.core.middleware import RequestSizeLimitMiddleware
from kotapintar.core.models import Notification
from kotapintar.core.notifications import notify

pytestmark = pytest.mark.django_db


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


class _Rendered:
    """A rendered DRF response seen like a test-client response."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.content

    def json(self):
        return json.loads(self.content)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def inbox(resident, make_user):
    other = make_user()
    mine = [
        notify(channels=["inbox"], kind="k", subject=f"Pesan {i}", body="Isi", dedupe_key=f"m{i}", recipient=resident)[
            0
        ]
        for i in range(5)
    ]
    theirs = notify(channels=["inbox"], kind="k", subject="Lain", body="Isi", dedupe_key="o", recipient=other)[0]
    return mine, theirs


# --- root, health, schema and docs ----------------------------------------------------------


def test_root_and_health_are_public(api):
    root = api.get("/api/v1/")
    assert root.status_code == 200
    assert root.json()["health"].endswith("/api/v1/health/")
    assert root.json()["docs"].endswith("/api/docs/")
    health = api.get("/api/v1/health/")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_schema_is_openapi_3_with_the_inbox(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/notifications/" in schema["paths"]
    assert "/api/v1/notifications/{id}/read/" in schema["paths"]
    assert "/api/v1/notifications/read-all/" in schema["paths"]
    # Every operation documents the one error body.
    assert set(schema["components"]["schemas"]["Error"]["properties"]["error"]["required"]) == {
        "code",
        "message",
        "fields",
    }
    read = schema["paths"]["/api/v1/notifications/{id}/read/"]["post"]["responses"]
    assert {"401", "403", "404", "429"} <= set(read)
    assert read["404"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    health = schema["paths"]["/api/v1/health/"]["get"]["responses"]
    assert "401" not in health  # public


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui-bundle.js" in u for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url
    # Swagger UI would otherwise load a badge from validator.swagger.io.
    assert '"validatorUrl": null' in html
    assert not re.search(r"https?://", html)


# --- authentication ------------------------------------------------------------------------------


def test_no_credentials_is_401_with_bearer_challenge(api):
    error_of(api.get("/api/v1/notifications/"), 401, "not_authenticated")
    assert api.get("/api/v1/notifications/")["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    error_of(api.get("/api/v1/notifications/"), 401, "authentication_failed")


def test_bearer_token_reads_own_inbox_paginated(api, resident, inbox):
    _, theirs = inbox
    token = Token.objects.create(user=resident)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    response = api.get("/api/v1/notifications/", {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"] and "page=2" in body["next"]
    assert body["results"][0]["subject"] == "Pesan 4"  # newest first
    everything = api.get("/api/v1/notifications/", {"page_size": 100}).json()["results"]
    assert theirs.pk not in [r["id"] for r in everything]


def test_session_auth_and_read_markers(api, resident, inbox):
    mine, theirs = inbox
    api.force_login(resident)
    response = api.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    unread = api.get("/api/v1/notifications/", {"read_at__isnull": "true"}).json()
    assert unread["count"] == 4
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked_read": 4}
    assert Notification.objects.filter(recipient=resident, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- the error body, status by status ----------------------------------------------------------


def test_404_for_someone_elses_notification_and_unknown_urls(api, resident, inbox):
    _, theirs = inbox
    api.force_login(resident)
    error_of(api.post(f"/api/v1/notifications/{theirs.pk}/read/"), 404, "not_found")
    error_of(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_405_keeps_allow_header(api, resident):
    api.force_login(resident)
    response = api.delete("/api/v1/notifications/")
    error_of(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_403_for_missing_csrf_on_a_session(resident, inbox):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(resident)
    error_of(api.post("/api/v1/notifications/read-all/"), 403, "permission_denied")


def test_403_for_staff_without_second_factor(api, staff):
    api.force_login(staff)
    error_of(api.get("/api/v1/notifications/"), 403, "two_factor_required")


class _Input(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField(min_value=1)


class _ProbeView(APIView):
    """Raises what the query string asks for, so each error path goes through the handler."""

    permission_classes = [AllowAny]

    def post(self, request):
        what = request.query_params.get("raise")
        if what == "domain":
            raise InvalidTransition("Laporan yang sudah selesai tidak dapat didisposisi lagi.")
        if what == "forbidden":
            raise DomainError("Bukan wewenang Anda.", code="not_allowed") from None
        if what == "django-validation":
            raise DjangoValidationError({"date": ["Tanggal tidak valid."]})
        if what == "too-big":
            raise RequestDataTooBig("too big")
        serializer = _Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


def _probe(raise_: str = "", data=None, content_type="application/json"):
    factory = APIRequestFactory()
    if isinstance(data, bytes):
        request = factory.post(f"/api/v1/probe/?raise={raise_}", data, content_type=content_type)
    else:
        request = factory.post(f"/api/v1/probe/?raise={raise_}", data or {}, format="json")
    response = _ProbeView.as_view()(request)
    response.render()
    return _Rendered(response)


def test_400_validation_lists_fields():
    error = error_of(_probe(data={"name": "", "count": 0}), 400, "invalid")
    assert set(error["fields"]) == {"name", "count"}
    assert all(isinstance(m, str) for m in error["fields"]["count"])


def test_400_malformed_json():
    error_of(_probe(data=b"{not json", content_type="application/json"), 400, "parse_error")


def test_400_from_django_validation_error():
    error = error_of(_probe("django-validation"), 400, "invalid")
    assert error["fields"] == {"date": ["Tanggal tidak valid."]}


def test_409_domain_error_keeps_its_code_and_message():
    error = error_of(_probe("domain"), 409, "invalid_transition")
    assert error["message"] == "Laporan yang sudah selesai tidak dapat didisposisi lagi."
    error_of(_probe("forbidden"), 409, "not_allowed")


def test_413_from_django_upload_limit():
    error_of(_probe("too-big"), 413, "request_too_large")


def test_429_is_consistent_and_has_retry_after(api, monkeypatch):
    # Throttles are off in tests (conftest); switch the defaults back on for this one.
    monkeypatch.setattr(APIView, "throttle_classes", [throttling.AnonRateThrottle, throttling.UserRateThrottle])
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "5/min"})
    assert api.get("/api/v1/health/").status_code == 200
    assert api.get("/api/v1/health/").status_code == 200
    response = api.get("/api/v1/health/")
    error_of(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


# --- request size limit (middleware) ------------------------------------------------------------


def test_oversized_body_is_refused_before_the_view(api, resident, inbox, settings):
    settings.MAX_REQUEST_BYTES = 4096
    api.force_login(resident)
    response = api.post("/api/v1/notifications/read-all/", data=b"x" * 5000, content_type="application/octet-stream")
    error_of(response, 413, "request_too_large")
    assert Notification.objects.filter(recipient=resident, read_at__isnull=True).count() == 5  # the view never ran
    page = api.post("/accounts/login/", data=b"x" * 5000, content_type="application/octet-stream")
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/plain")


class EndlessBody(io.RawIOBase):
    """A chunked upload that never ends: counts what the server reads from it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size


def _chunked_request(stream) -> WSGIRequest:
    environ = RequestFactory()._base_environ(
        PATH_INFO="/api/v1/upload/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/octet-stream",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    return WSGIRequest(environ)


def test_chunked_body_over_the_limit_is_refused_after_reading_at_most_the_limit(settings):
    settings.MAX_REQUEST_BYTES = 200_000
    stream = EndlessBody()
    reached = []
    middleware = RequestSizeLimitMiddleware(lambda r: reached.append(r) or HttpResponse("ok"))
    response = middleware(_chunked_request(stream))
    assert response.status_code == 413
    assert reached == []
    assert stream.read_bytes <= 200_000 + RequestSizeLimitMiddleware.read_chunk


def test_chunked_body_under_the_limit_reaches_the_view_whole(settings):
    settings.MAX_REQUEST_BYTES = 200_000
    payload = bytes(range(256)) * 500  # 128,000 bytes
    middleware = RequestSizeLimitMiddleware(lambda r: HttpResponse(r.body))
    response = middleware(_chunked_request(io.BytesIO(payload)))
    assert response.status_code == 200
    assert response.content == payload
