"""The audit log viewer (/staff/audit/), its API (/api/v1/audit/) and the per-object history fragment."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from kotapintar.agencies import services
from kotapintar.core.models import AuditLog
from kotapintar.testing.accounts import login_staff

UTC = dt.UTC


@pytest.fixture
def rows(db, agency, other_agency, city_admin):
    """DPU: a rename and a unit; DLH: a rename; plus a platform row with no agency."""
    services.agency_update(actor=city_admin, agency=agency, name="Dinas PU Baru", short_name="DPU Baru")
    services.unit_create(actor=city_admin, agency=agency, name="Bidang Jalan")
    services.agency_update(actor=city_admin, agency=other_agency, name="Dinas LH Baru", short_name="DLH Baru")
    AuditLog.objects.create(action="calendar.create", object_label="Cuti bersama", ip="10.0.0.9")
    return {
        "dpu": AuditLog.objects.get(action="agency.update", agency_id=agency.pk),
        "dlh": AuditLog.objects.get(action="agency.update", agency_id=other_agency.pk),
    }


def _table_labels(response) -> list[str]:
    return [r.object_label for r in response.context["rows"]]


# --- the page -----------------------------------------------------------------------------------


def test_administrator_sees_every_row(client, city_admin, rows):
    login_staff(client, city_admin)
    response = client.get("/staff/audit/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 4
    assert "10.0.0.9" in response.content.decode()  # administrators see client addresses


def test_officer_sees_only_own_agencys_rows(client, officer, rows):
    login_staff(client, officer)
    response = client.get("/staff/audit/")
    assert response.status_code == 200
    assert sorted(_table_labels(response)) == ["DPU Baru", "DPU Baru — Bidang Jalan"]
    assert "DLH Baru" not in response.content.decode()


def test_detail_of_another_agencys_row_is_404(client, officer, rows):
    login_staff(client, officer)
    own = client.get(f"/staff/audit/{rows['dpu'].pk}/")
    assert own.status_code == 200
    assert "Dinas Pekerjaan Umum" in own.content.decode()  # the name before the change
    assert client.get(f"/staff/audit/{rows['dlh'].pk}/").status_code == 404
    assert client.get("/staff/audit/999999/").status_code == 404


def test_page_is_for_administrators_and_agency_staff_only(client, rows, citizen, verifier, leadership):
    anonymous = client.get("/staff/audit/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    client.force_login(citizen)
    assert client.get("/staff/audit/").status_code == 404
    for user in (verifier, leadership):
        login_staff(client, user)
        assert client.get("/staff/audit/").status_code == 404
        assert client.get(f"/staff/audit/{rows['dpu'].pk}/").status_code == 404


def test_filters(client, city_admin, rows, agency):
    login_staff(client, city_admin)
    assert _table_labels(client.get("/staff/audit/", {"action": "unit."})) == ["DPU Baru — Bidang Jalan"]
    assert sorted(_table_labels(client.get("/staff/audit/", {"agency": agency.pk}))) == [
        "DPU Baru",
        "DPU Baru — Bidang Jalan",
    ]
    assert _table_labels(client.get("/staff/audit/", {"q": "cuti"})) == ["Cuti bersama"]
    assert _table_labels(client.get("/staff/audit/", {"object_type": "agencies.unit"})) == ["DPU Baru — Bidang Jalan"]


def test_date_filter_counts_days_in_wib(client, city_admin, db):
    # 18:30 UTC on 1 May is 01:30 WIB on 2 May.
    AuditLog.objects.create(
        action="x.late", object_label="late", created_at=dt.datetime(2024, 5, 1, 18, 30, tzinfo=UTC)
    )
    AuditLog.objects.create(
        action="x.early", object_label="early", created_at=dt.datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    )
    login_staff(client, city_admin)
    assert _table_labels(client.get("/staff/audit/", {"date_from": "2024-05-02"})) == ["late"]
    assert _table_labels(client.get("/staff/audit/", {"date_to": "2024-05-01"})) == ["early"]


def test_agency_filter_lists_only_the_users_agencies(client, officer, rows, other_agency):
    login_staff(client, officer)
    response = client.get("/staff/audit/", {"agency": other_agency.pk})
    choices = dict(response.context["filter"].form.fields["agency"].choices)
    assert {name for value, name in choices.items() if value != ""} == {"Dinas PU Baru"}
    # A foreign agency in the URL does not widen the scope.
    assert "DLH Baru" not in _table_labels(response)


def test_csv_export_has_only_visible_rows(client, officer, city_admin, rows):
    login_staff(client, officer)
    response = client.get("/staff/audit/", {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    body = table[1:]
    assert sorted(r[5] for r in body) == ["DPU Baru", "DPU Baru — Bidang Jalan"]
    assert len(table[0]) == 10  # no IP column for agency staff

    login_staff(client, city_admin)
    text = b"".join(client.get("/staff/audit/", {"export": "csv"}).streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert len(table) == 5 and len(table[0]) == 11
    assert "10.0.0.9" in {r[10] for r in table[1:]}


def test_xlsx_export(client, city_admin, rows):
    login_staff(client, city_admin)
    response = client.get("/staff/audit/", {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- the history fragment --------------------------------------------------------------------------


def _history(user, obj) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load kp_audit %}{% audit_history obj %}")
    return template.render(Context({"request": request, "obj": obj}))


def test_history_fragment_for_the_objects_agency_staff(officer, other_officer, citizen, rows, agency):
    agency.refresh_from_db()
    html = _history(officer, agency)
    assert 'data-testid="audit-history"' in html
    assert "agency.update" in html
    assert f"/staff/audit/{rows['dpu'].pk}/" in html
    # Staff of another agency get the section without this agency's rows; residents get nothing.
    assert "agency.update" not in _history(other_officer, agency)
    assert _history(citizen, agency).strip() == ""


# --- the API ------------------------------------------------------------------------------------


def test_api_scopes_rows_like_the_page(client, officer, rows):
    login_staff(client, officer)
    response = client.get("/api/v1/audit/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert sorted(r["object_label"] for r in results) == ["DPU Baru", "DPU Baru — Bidang Jalan"]
    assert {r["ip"] for r in results} == {None}
    assert client.get(f"/api/v1/audit/{rows['dpu'].pk}/").status_code == 200
    hidden = client.get(f"/api/v1/audit/{rows['dlh'].pk}/")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"


def test_api_filters_and_object_type(client, city_admin, rows):
    login_staff(client, city_admin)
    body = client.get("/api/v1/audit/", {"action": "unit.", "object_type": "agencies.unit"}).json()
    assert [r["object_type"] for r in body["results"]] == ["agencies.unit"]
    assert body["results"][0]["after"]["name"] == "Bidang Jalan"


def test_api_refuses_other_roles(client, rows, citizen, leadership):
    assert client.get("/api/v1/audit/").status_code in (401, 403)
    client.force_login(citizen)
    assert client.get("/api/v1/audit/").status_code == 403
    login_staff(client, leadership)
    assert client.get("/api/v1/audit/").status_code == 403
