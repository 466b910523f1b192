"""The audit log page as staff see it: desktop and a 360-px phone, checked with axe-core."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from kotapintar.agencies import services
from kotapintar.testing.accounts import login_staff


def _sign_in(page, live_server, user):
    client = login_staff(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def history(agency, other_agency, city_admin):
    with transaction.atomic():
        services.agency_update(actor=city_admin, agency=agency, name="Dinas Pekerjaan Umum Kota")
        services.unit_create(actor=city_admin, agency=agency, name="Bidang Jalan")
        services.agency_update(actor=city_admin, agency=other_agency, email="dlh@kota.test")


@pytest.mark.django_db(transaction=True)
def test_officer_reads_own_agencys_audit_log_on_a_phone(phone, live_server, officer, history):
    _sign_in(phone, live_server, officer)
    phone.visit(f"{live_server.url}/staff/audit/", "list")
    rows = phone.locator("[data-testid=audit-list] li")
    assert rows.count() == 2
    assert "DLH" not in phone.locator("[data-testid=audit-list]").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    rows.first.get_by_role("link").click()
    phone.check("detail")
    assert phone.locator("[data-testid=audit-row]").is_visible()


@pytest.mark.django_db(transaction=True)
def test_administrator_filters_the_audit_log(page, live_server, city_admin, history):
    _sign_in(page, live_server, city_admin)
    page.visit(f"{live_server.url}/staff/audit/", "all")
    assert page.locator("[data-testid=audit-table] tbody tr").count() == 3
    page.locator("summary").click()
    page.locator("#id_action").fill("unit.")
    page.locator("[data-testid=audit-filter] button[type=submit]").click()
    page.check("filtered")
    assert page.locator("[data-testid=audit-table] tbody tr").count() == 1
