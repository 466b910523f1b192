"""The life of an API key: made by an administrator (command or admin) and shown once,
stored hashed, used to file, revoked; and the administrators' editing of the questions."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import AuditLog
from kotapintar.reports.models import CategoryAttribute, Report
from kotapintar.reports.open311 import selectors, services
from kotapintar.reports.open311.models import Open311Client
from kotapintar.testing.accounts import login_staff

KEY_RE = re.compile(r"^kp311_[A-Za-z0-9_-]{43}$")


def _command(*args) -> list[str]:
    out = io.StringIO()
    with translation.override("en"):
        call_command("open311_key", *args, stdout=out)
    return out.getvalue().rstrip("\n").splitlines()


def _file(o311, lapor, key):
    lat, lng = lapor.point("Pleburan")
    return o311.post(
        "requests.json", {"api_key": key, "service_code": "JALAN", "lat": lat, "long": lng, "description": "Lubang."}
    )


def test_command_prints_the_key_last_and_the_key_files_requests(lapor, o311):
    lines = _command("create", "Aplikasi Jalan", "--contact", "tim@aplikasi.test")
    key = lines[-1]
    assert KEY_RE.match(key)
    client = Open311Client.objects.get(name="Aplikasi Jalan")
    assert client.contact == "tim@aplikasi.test" and client.is_active
    assert client.key_prefix == key[:14] and client.key_prefix in lines[0]
    assert client.key_hash == selectors.hash_key(key) and key not in client.key_hash
    row = AuditLog.objects.get(action="open311.client_create")
    assert key not in str(row.after) and row.after["key_prefix"] == client.key_prefix
    answer = _file(o311, lapor, key)
    assert answer.status == 200
    assert Report.objects.get().channel_client == f"{client.pk}:Aplikasi Jalan"


def test_list_shows_prefixes_never_keys(lapor):
    key = _command("create", "Satu")[-1]
    _command("create", "Dua")
    _command("revoke", "Dua")
    listing = "\n".join(_command("list"))
    assert key not in listing
    assert key[:14] in listing and "Satu" in listing and "Dua" in listing
    assert re.search(r"revoked\s.*Dua", listing) and re.search(r"active\s.*Satu", listing)


def test_revoke_by_name_or_prefix_stops_the_key_at_once(lapor, o311):
    first = _command("create", "Pertama")[-1]
    second = _command("create", "Kedua")[-1]
    assert _file(o311, lapor, first).status == 200
    assert _command("revoke", "pertama") == ["The key of “Pertama” is revoked."]  # any case
    assert _file(o311, lapor, first).status == 403
    _command("revoke", second[:14])
    assert _file(o311, lapor, second).status == 403
    assert AuditLog.objects.filter(action="open311.client_revoke").count() == 2
    with pytest.raises(CommandError, match="already revoked"):
        _command("revoke", "Kedua")
    with pytest.raises(CommandError, match="No application"):
        _command("revoke", "Ketiga")
    assert Report.objects.count() == 1  # the report filed with the key stays


@pytest.mark.parametrize("name", ["", "x", "-leading dash", "a" * 81, "semicolon; no"])
def test_command_refuses_bad_names(db, name):
    with pytest.raises(CommandError, match="name of 2 to 80"):
        _command("create", name)


def test_names_are_unique_in_any_case(db):
    _command("create", "Aplikasi")
    with pytest.raises(CommandError, match="already exists"):
        _command("create", "APLIKASI")


def test_only_administrators_manage_clients(db, verifier, city_admin):
    with pytest.raises(NotAllowed):
        services.client_create(actor=verifier, name="Tidak Boleh")
    client, _key = services.client_create(actor=city_admin, name="Boleh")
    with pytest.raises(NotAllowed):
        services.client_revoke(actor=verifier, client=client)
    assert AuditLog.objects.get(action="open311.client_create").actor == city_admin


# --- admin ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_2fa(admin_user, settings) -> Client:
    client = login_staff(Client(), admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def test_admin_add_shows_the_key_once_and_revoke_stops_it(lapor, o311, admin_client_2fa, admin_user):
    page = admin_client_2fa.post(
        "/admin/reports/open311client/add/", {"name": "Aplikasi Admin", "contact": "admin@app.test"}
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    key = re.search(r'value="(kp311_[^"]+)"', html).group(1)
    assert 'for="open311-key"' in html  # the field has its label
    client = Open311Client.objects.get(name="Aplikasi Admin")
    assert client.created_by == admin_user and client.key_hash == selectors.hash_key(key)
    assert _file(o311, lapor, key).status == 200
    change = admin_client_2fa.get(f"/admin/reports/open311client/{client.pk}/change/").content.decode()
    listing = admin_client_2fa.get("/admin/reports/open311client/").content.decode()
    assert key not in change and key not in listing and client.key_prefix in listing
    revoked = admin_client_2fa.post(
        "/admin/reports/open311client/",
        {"action": "revoke_keys", "_selected_action": [client.pk]},
        follow=True,
    )
    assert "1 key revoked." in revoked.content.decode()
    assert _file(o311, lapor, key).status == 403
    assert admin_client_2fa.post("/admin/reports/open311client/add/", {"name": "aplikasi admin"}).status_code == 200
    assert Open311Client.objects.count() == 1  # the duplicate was refused with a form error


def test_admin_pages_are_for_administrators_only(lapor, verifier):
    client = login_staff(Client(), verifier)
    assert client.get("/admin/reports/open311client/").status_code in (302, 403)
    assert client.get("/admin/reports/category/").status_code in (302, 403)


def _category_form(category, **inline) -> dict:
    data = {
        "name": category.name,
        "name_en": category.name_en,
        "kind": category.kind,
        "default_agency": category.default_agency_id or "",
        "routing": category.routing,
        "resolution_days": category.resolution_days,
        "duplicate_radius_m": category.duplicate_radius_m,
        "keywords": category.keywords,
        "description": category.description,
        "is_active": "on",
        "order": category.order,
        "attributes-TOTAL_FORMS": "1",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
    }
    data.update({f"attributes-0-{k}": v for k, v in inline.items()})
    return data


def test_administrators_add_questions_that_the_service_definition_shows(lapor, o311, admin_client_2fa):
    category = lapor.category("SAMPAH")
    url = f"/admin/reports/category/{category.pk}/change/"
    assert admin_client_2fa.get(url).status_code == 200
    response = admin_client_2fa.post(
        url,
        _category_form(
            category,
            code="jenis_sampah",
            description="Jenis sampah apa?",
            datatype="multivaluelist",
            required="on",
            variable="on",
            datatype_description="Pilih satu atau lebih",
            choices="organik = Sampah organik\nplastik = Plastik\n\nb3 | Bahan berbahaya",
            order="1",
            is_active="on",
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    attribute = CategoryAttribute.objects.get(category=category, code="jenis_sampah")
    assert attribute.values == [
        {"key": "organik", "name": "Sampah organik"},
        {"key": "plastik", "name": "Plastik"},
        {"key": "b3", "name": "Bahan berbahaya"},
    ]
    assert AuditLog.objects.filter(action="category.attribute_create").exists()
    definition = o311.get("services/SAMPAH.json").data
    assert definition["attributes"][0]["code"] == "jenis_sampah"
    assert definition["attributes"][0]["required"] is True
    assert [v["key"] for v in definition["attributes"][0]["values"]] == ["organik", "plastik", "b3"]
    services_list = {s["service_code"]: s for s in o311.get("services.json").data}
    assert services_list["SAMPAH"]["metadata"] is True


@pytest.mark.parametrize(
    ("inline", "problem"),
    [
        ({"datatype": "singlevaluelist", "choices": ""}, "List answers need choices"),
        ({"datatype": "number", "choices": "a = A"}, "Only list answers have choices"),
        ({"datatype": "singlevaluelist", "choices": "a = A\na = B"}, "List answers need choices"),
        ({"datatype": "string", "code": "Bad Code"}, "slug"),
    ],
)
def test_wrong_questions_are_form_errors(lapor, admin_client_2fa, inline, problem):
    category = lapor.category("SAMPAH")
    fields = {"code": "q1", "description": "Pertanyaan?", "order": "1", "is_active": "on", "variable": "on"}
    fields.update(inline)
    response = admin_client_2fa.post(
        f"/admin/reports/category/{category.pk}/change/", _category_form(category, **fields)
    )
    assert response.status_code == 200  # the form again, with the error
    assert problem in response.content.decode()
    assert not CategoryAttribute.objects.filter(category=category).exists()
