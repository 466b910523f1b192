"""Fuzzing the whole API surface with schemathesis: no 5xx, no answer that breaks its schema.

- The JSON API: every operation of the live OpenAPI schema (/api/schema/ of the app under
  test, loaded through the WSGI application, so the schema can never lag the code), as an
  anonymous caller and as a member of staff (an administrator's API token), with data the
  schema allows (positive) and with data it does not (negative: must be refused with a
  4xx, never a 5xx).
- Open311 GeoReport v2 (outside the OpenAPI schema: its URLs, formats and error bodies are
  fixed by the specification): a small OpenAPI description of it below, fuzzed the same
  way in JSON, plus the XML variants checked for no 5xx.

Every request goes through the full Django stack in-process (middleware, DRF, the views),
inside the test's database transaction, with a city, its agencies and categories, reports in
several states and an Open311 client key present, so that ids in paths sometimes hit real
rows. Deterministic: Hypothesis is derandomised (the same examples in every run) and keeps
no example database; the budget per operation is small (a few examples), the whole file
runs in about two minutes.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

POSITIVE_EXAMPLES = 4
NEGATIVE_EXAMPLES = 2
OPEN311_EXAMPLES = 6
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Schemathesis' own checks that do not fit an API whose errors are deliberate: a 404 for a
# random id or a 403 for an anonymous caller is right, even if not listed per operation.


def _settings(n: int):
    return settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the example as found
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    operations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def run(self, operation, *, mode: GenerationMode, examples: int, checks, headers=None, path_parameters=None):
        """Up to `examples` generated cases of one operation; failures are collected, not raised."""
        self.operations += 1
        kwargs = {"path_parameters": path_parameters} if path_parameters else {}
        try:
            strategy = operation.as_strategy(generation_mode=mode, **kwargs)
        except Exception as exc:  # an operation schemathesis cannot generate for: say so
            self.problems.append(f"{operation.label}: no cases ({type(exc).__name__}: {exc})")
            return

        @_settings(examples)
        @given(case=strategy)
        def one(case):
            response = case.call(headers=headers or {})
            self.requests += 1
            try:
                case.validate_response(response, checks=checks, headers=headers or {})
            except (Exception, BaseExceptionGroup) as exc:
                detail = str(exc).strip().splitlines()
                self.problems.append(
                    f"{operation.label} [{mode.value}] → {response.status_code}: "
                    f"{' | '.join(detail[:6])}\n    {case.as_curl_command()[:400]}"
                )
                raise

        started = time.perf_counter()
        try:
            one()
        except Unsatisfiable:
            # Nothing to generate: e.g. negative data for an operation without parameters.
            pass
        except (Exception, BaseExceptionGroup):
            if not self.problems or operation.label not in self.problems[-1]:
                self.problems.append(f"{operation.label}: {traceback.format_exc(limit=3)}")
        key = f"{operation.label} [{mode.value}]"
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, which sends request_started and
    request_finished around each answer; Django then closes a database connection whose
    autocommit differs from the settings — the test's own transaction on PostgreSQL. Django's
    test client disconnects that handler for the same reason; so do we, for a test's length."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def city(lapor, make_report, citizen, officer, verifier):
    """A city with reports in several states, a resident and staff (for ids in paths)."""
    reports = [
        make_report(status="submitted"),
        make_report(status="dispositioned"),
        make_report(status="resolved", reporter=citizen),
        make_report(status="closed", privacy="public"),
    ]
    return {"reports": reports}


@pytest.fixture
def admin_token(db):
    from rest_framework.authtoken.models import Token

    from kotapintar.testing.accounts import make_user

    admin = make_user(role="admin", full_name="Admin Fuzz", email="admin.fuzz@kota.test")
    return Token.objects.create(user=admin).key


def _api_schema():
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def _operations(schema):
    ops = []
    for result in schema.get_all_operations():
        ops.append(result.ok())
    return sorted(ops, key=lambda o: o.label)


def _known_paths(city) -> dict[str, dict]:
    """Real path values, so that some cases reach existing rows."""
    report = city["reports"][1]
    return {"tracking_number": {"tracking_number": report.tracking_number}, "code": {"code": "JALAN"}}


@pytest.mark.django_db
def test_api_as_anonymous_never_fails_or_breaks_its_schema(city):
    schema = _api_schema()
    findings = Findings()
    for operation in _operations(schema):
        findings.run(operation, mode=GenerationMode.POSITIVE, examples=POSITIVE_EXAMPLES, checks=CHECKS)
        findings.run(operation, mode=GenerationMode.NEGATIVE, examples=NEGATIVE_EXAMPLES, checks=CHECKS)
    assert findings.operations >= 80  # the whole surface, not a corner of it
    assert not findings.problems, "\n".join(findings.problems)


@pytest.mark.django_db
def test_api_as_staff_never_fails_or_breaks_its_schema(city, admin_token):
    schema = _api_schema()
    headers = {"Authorization": f"Bearer {admin_token}"}
    known = _known_paths(city)
    findings = Findings()
    for operation in _operations(schema):
        findings.run(
            operation, mode=GenerationMode.POSITIVE, examples=POSITIVE_EXAMPLES, checks=CHECKS, headers=headers
        )
        findings.run(
            operation, mode=GenerationMode.NEGATIVE, examples=NEGATIVE_EXAMPLES, checks=CHECKS, headers=headers
        )
        names = {p.name for p in operation.path_parameters}
        for name, values in known.items():
            if names == {name}:
                findings.run(
                    operation,
                    mode=GenerationMode.POSITIVE,
                    examples=POSITIVE_EXAMPLES,
                    checks=CHECKS,
                    headers=headers,
                    path_parameters=values,
                )
    assert findings.requests >= 200
    assert not findings.problems, "\n".join(findings.problems)


# --- Open311 ----------------------------------------------------------------------------------------

_NULLABLE_STRING = {"type": "string", "nullable": True}
_ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
_REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime", "lat", "long"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _NULLABLE_STRING,
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": _NULLABLE_STRING,
        "agency_responsible": _NULLABLE_STRING,
        "service_notice": _NULLABLE_STRING,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "address": _NULLABLE_STRING,
        "address_id": _NULLABLE_STRING,
        "zipcode": _NULLABLE_STRING,
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "media_url": _NULLABLE_STRING,
        "extended_attributes": {"type": "object"},
        "notes": {"type": "array", "items": {"type": "object"}},
    },
}


def _answers(ok_schema: dict, ok: str = "200") -> dict:
    errors = {"description": "error", "content": {"application/json": {"schema": _ERRORS}}}
    return {
        ok: {"description": "ok", "content": {"application/json": {"schema": ok_schema}}},
        **dict.fromkeys(("400", "403", "404", "405", "413", "429"), errors),
    }


def _q(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


OPEN311_SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "Open311 GeoReport v2 (Kota Pintar)", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {
            "get": {
                "responses": _answers(
                    {
                        "type": "object",
                        "required": ["changeset", "contact", "endpoints"],
                        "properties": {
                            "changeset": {"type": "string"},
                            "contact": {"type": "string"},
                            "key_service": {"type": "string"},
                            "endpoints": {"type": "array", "minItems": 1, "items": {"type": "object"}},
                        },
                    }
                )
            }
        },
        "/open311/v2/services.json": {
            "get": {
                "parameters": [_q("jurisdiction_id")],
                "responses": _answers(
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["service_code", "service_name", "metadata", "type"],
                            "properties": {
                                "service_code": {"type": "string"},
                                "service_name": {"type": "string"},
                                "description": _NULLABLE_STRING,
                                "metadata": {"type": "boolean"},
                                "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                                "keywords": _NULLABLE_STRING,
                                "group": _NULLABLE_STRING,
                            },
                        },
                    }
                ),
            }
        },
        "/open311/v2/services/{service_code}.json": {
            "get": {
                "parameters": [
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9_]+$"},
                    },
                    _q("jurisdiction_id"),
                ],
                "responses": _answers(
                    {
                        "type": "object",
                        "required": ["service_code", "attributes"],
                        "properties": {
                            "service_code": {"type": "string"},
                            "attributes": {"type": "array", "items": {"type": "object"}},
                        },
                    }
                ),
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "parameters": [
                    _q("service_request_id"),
                    _q("service_code"),
                    _q("status"),
                    _q("start_date"),
                    _q("end_date"),
                    _q("updated_after"),
                    _q("updated_before"),
                    _q("page", {"type": "integer"}),
                    _q("page_size", {"type": "integer"}),
                    _q("extensions", {"type": "string", "enum": ["true", "false"]}),
                    _q("jurisdiction_id"),
                ],
                "responses": _answers({"type": "array", "items": _REQUEST}),
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["api_key", "service_code", "lat", "long", "description"],
                                "properties": {
                                    "api_key": {"type": "string"},
                                    "service_code": {"type": "string"},
                                    "lat": {"type": "number"},
                                    "long": {"type": "number"},
                                    "address_string": {"type": "string"},
                                    "description": {"type": "string"},
                                    "email": {"type": "string"},
                                    "first_name": {"type": "string"},
                                    "last_name": {"type": "string"},
                                    "phone": {"type": "string"},
                                    "media_url": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": _answers(
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["service_request_id"],
                            "properties": {"service_request_id": {"type": "string"}},
                        },
                    },
                ),
            },
        },
        "/open311/v2/requests/{service_request_id}.json": {
            "get": {
                "parameters": [
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9-]+$"},
                    },
                    _q("extensions", {"type": "string", "enum": ["true", "false"]}),
                ],
                "responses": _answers({"type": "array", "items": _REQUEST}),
            }
        },
        "/open311/v2/tokens/{token}.json": {
            "get": {
                "parameters": [
                    {
                        "name": "token",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9-]+$"},
                    }
                ],
                "responses": _answers({"type": "array", "items": {"type": "object"}}),
            }
        },
        "/open311/v2/servicerequestupdates.json": {
            "get": {
                "parameters": [_q("start_date"), _q("end_date"), _q("page", {"type": "integer"})],
                "responses": _answers({"type": "array", "items": {"type": "object"}}),
            }
        },
    },
}


@pytest.mark.django_db
def test_open311_never_fails_or_breaks_its_shape(city, admin_user):
    from django.core.wsgi import get_wsgi_application

    from kotapintar.reports.open311.services import client_create

    _client, key = client_create(actor=admin_user, name="Fuzz client")
    report = city["reports"][1]
    base = schemathesis.openapi.from_dict(OPEN311_SCHEMA)
    base.app = get_wsgi_application()
    findings = Findings()
    for operation in _operations(base):
        findings.run(operation, mode=GenerationMode.POSITIVE, examples=OPEN311_EXAMPLES, checks=CHECKS)
        findings.run(operation, mode=GenerationMode.NEGATIVE, examples=NEGATIVE_EXAMPLES, checks=CHECKS)
    # With a valid key and real values, so that filing and reading go past the first checks.
    lat, lng = report.lat, report.lng
    post = base["/open311/v2/requests.json"]["POST"]

    @_settings(OPEN311_EXAMPLES)
    @given(case=post.as_strategy())
    def file_with_key(case):
        case.body = {**(case.body or {}), "api_key": key, "service_code": "JALAN", "lat": lat, "long": lng}
        response = case.call()
        assert response.status_code < 500, response.text[:300]
        case.validate_response(response, checks=CHECKS)

    file_with_key()
    one = base["/open311/v2/requests/{service_request_id}.json"]["GET"]
    findings.run(
        one,
        mode=GenerationMode.POSITIVE,
        examples=2,
        checks=CHECKS,
        path_parameters={"service_request_id": report.tracking_number},
    )
    slow = sorted(findings.seconds.items(), key=lambda kv: -kv[1])[:8]
    print("slowest:", ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    assert not findings.problems, "\n".join(findings.problems)


@pytest.mark.django_db
def test_open311_xml_never_fails(city, client):
    """The XML twins of every Open311 resource, with odd and hostile parameters: no 5xx."""
    odd = [
        "",
        "?service_code=%00",
        "?start_date=2026-13-45T99:99:99",
        "?start_date=2026-01-01T00:00:00",  # no timezone
        "?status=open,closed,weird&page=-1&page_size=99999",
        "?service_request_id=" + ",".join(f"LPR-26-{i:06d}" for i in range(300)),
        "?jurisdiction_id=elsewhere.example",
        "?extensions=true&updated_after=1970-01-01T00:00:00Z",
        "?page=100000&page_size=1000",
    ]
    paths = [
        "/open311/v2/discovery.xml",
        "/open311/v2/services.xml",
        "/open311/v2/services/JALAN.xml",
        "/open311/v2/services/%3Cscript%3E.xml",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{city['reports'][1].tracking_number}.xml",
        "/open311/v2/tokens/nothing.xml",
        "/open311/v2/servicerequestupdates.xml",
        "/open311/v2/unknown/thing.xml",
    ]
    seen = set()
    for path in paths:
        for query in odd:
            response = client.get(path + query)
            assert response.status_code < 500, (path + query, response.status_code, response.content[:300])
            if response.status_code >= 400:
                assert b"<errors>" in response.content, (path + query, response.content[:300])
            seen.add(response.status_code)
    for body, ctype in (
        ("<request><service_code>JALAN</service_code>", "application/xml"),
        ('{"service_code": ', "application/json"),
        ("api_key=x&" + "a=1&" * 3000, "application/x-www-form-urlencoded"),
    ):
        response = client.post("/open311/v2/requests.xml", data=body, content_type=ctype)
        assert 400 <= response.status_code < 500, (ctype, response.status_code, response.content[:300])
    assert {200, 400, 404} <= seen
