"""The audit log is append-only at every layer: model, queryset, database, admin, API."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import Collector

from kotapintar.agencies import services
from kotapintar.core import audit
from kotapintar.core.models import AuditLog, AuditLogImmutable
from kotapintar.testing.accounts import login_staff


@pytest.fixture
def row(db, agency):
    return audit.record(actor=None, action="agency.update", obj=agency, before={"name": "A"}, after={"name": "B"})


def _unchanged(row):
    fresh = AuditLog.objects.get(pk=row.pk)
    assert (fresh.action, fresh.before, fresh.after) == ("agency.update", {"name": "A"}, {"name": "B"})


def _refused(attempt):
    # Each attempt in its own savepoint: some paths fail inside Django's own atomic blocks.
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        attempt()


def test_model_refuses_save_and_delete(row):
    row.action = "tampered"
    _refused(row.save)
    _refused(row.save_base)
    _refused(row.delete)
    _unchanged(row)


def test_queryset_refuses_every_bulk_path(row):
    attempts = [
        lambda: AuditLog.objects.update(action="tampered"),
        lambda: AuditLog.objects.filter(pk=row.pk).values("action").update(action="tampered"),
        lambda: AuditLog._base_manager.filter(pk=row.pk).update(action="tampered"),
        lambda: AuditLog.objects.bulk_update([row], ["action"]),
        lambda: AuditLog.objects.update_or_create(pk=row.pk, defaults={"action": "tampered"}),
        lambda: AuditLog.objects.bulk_create(
            [AuditLog(pk=row.pk, action="tampered")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        ),
        lambda: AuditLog.objects.all().delete(),
        lambda: AuditLog.objects.filter(pk=row.pk)._raw_delete(using="default"),
    ]
    for attempt in attempts:
        _refused(attempt)
    _unchanged(row)


def test_collector_delete_is_refused(row):
    collector = Collector(using="default")
    collector.collect([row])
    _refused(collector.delete)
    _unchanged(row)


def test_rows_survive_deleting_the_actor_and_the_content_type(db, agency, officer):
    with transaction.atomic():
        kept = audit.record(actor=officer, action="agency.update", obj=agency)
    actor_id = officer.pk
    officer.delete()
    ContentType.objects.get_for_model(agency).delete()
    ContentType.objects.clear_cache()  # the deleted instance must not leak into other tests
    fresh = AuditLog.objects.get(pk=kept.pk)
    assert fresh.actor_id == actor_id
    assert fresh.actor_label == "Budi Petugas"
    assert fresh.object_id == str(agency.pk)


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_update_is_refused(row):
    # Both databases carry a trigger (migration core 0002); this fails if a later migration
    # rebuilt the table on SQLite without re-creating it.
    with pytest.raises(DatabaseError):
        _raw("UPDATE core_auditlog SET action = %s WHERE id = %s", ["tampered", row.pk])
    _unchanged(row)


def test_raw_sql_delete_refused_on_postgresql_allowed_on_sqlite_for_test_flush(row):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            _raw("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
        _unchanged(row)
        # TRUNCATE stays possible for the table owner (Django's test flush uses it).
        _raw("TRUNCATE core_auditlog")
        assert not AuditLog.objects.exists()
    else:
        # SQLite: Django flushes test databases with DELETE, so only UPDATE has a trigger.
        _raw("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
        assert not AuditLog.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(agency):
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=None, action="agency.update", obj=agency)
    assert not AuditLog.objects.exists()


def test_admin_is_read_only_even_for_superusers(client, admin_user, row):
    login_staff(client, admin_user)
    listing = client.get("/admin/core/auditlog/")
    assert listing.status_code == 200
    assert "agency.update" in listing.content.decode()
    assert listing.context["action_form"] is None  # no bulk actions, so no "delete selected"

    detail = client.get(f"/admin/core/auditlog/{row.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()

    assert client.post(f"/admin/core/auditlog/{row.pk}/change/", {"action": "tampered"}).status_code == 403
    assert client.post(f"/admin/core/auditlog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/auditlog/add/").status_code == 403
    assert client.post(
        "/admin/core/auditlog/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    ).status_code in (200, 302)
    _unchanged(row)


def test_admin_audit_log_hidden_from_agency_staff(client, officer, row):
    officer.is_staff = True
    officer.save()
    login_staff(client, officer)
    assert client.get("/admin/core/auditlog/").status_code == 403


def test_api_refuses_every_write_method(client, admin_user, row):
    login_staff(client, admin_user)
    url = f"/api/v1/audit/{row.pk}/"
    assert client.get(url).status_code == 200
    assert client.post("/api/v1/audit/", {"action": "x"}, content_type="application/json").status_code == 405
    assert client.put(url, {"action": "x"}, content_type="application/json").status_code == 405
    assert client.patch(url, {"action": "x"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    _unchanged(row)


def test_request_id_and_ip_come_from_the_real_request(client, city_admin, agency):
    login_staff(client, city_admin)
    response = client.post(
        f"/admin/agencies/agency/{agency.pk}/change/",
        {
            "code": "DPU",
            "name": "Dinas Pekerjaan Umum dan Penataan Ruang",
            "kind": "dinas",
            "is_active": "on",
            "units-TOTAL_FORMS": 0,
            "units-INITIAL_FORMS": 0,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
        HTTP_X_REQUEST_ID="req-test-0001",
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-test-0001"
    row = AuditLog.objects.get(action="agency.update")
    assert (row.request_id, row.ip, row.actor_id) == ("req-test-0001", "10.20.30.40", city_admin.pk)


def test_services_rows_carry_a_fresh_request_id_per_request(client, city_admin, agency):
    login_staff(client, city_admin)
    for name in ("Nama Satu", "Nama Dua"):
        body = {
            "code": "DPU",
            "name": name,
            "kind": "dinas",
            "is_active": "on",
            "units-TOTAL_FORMS": 0,
            "units-INITIAL_FORMS": 0,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        }
        assert client.post(f"/admin/agencies/agency/{agency.pk}/change/", body).status_code == 302
    ids = list(AuditLog.objects.values_list("request_id", flat=True))
    assert len(ids) == 2 and len(set(ids)) == 2 and all(ids)
    assert services  # the admin saved through agencies.services (audited rows above)
