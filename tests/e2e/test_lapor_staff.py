"""Lapor staff pages in the browser: the verifier verifies and routes a report on a desktop,
the agency officer follows it up with a photo and resolves it on a 360-px phone, and an
anonymous report's reporter stays invisible to the agency. Everybody signs in for real:
password, then the code of their authenticator app. Every page is checked with axe-core.
"""

from __future__ import annotations

import re

import pytest

from kotapintar.reports.models import Privacy, Report, ReportPhoto, Status
from kotapintar.testing.accounts import PASSWORD, confirmed_device, totp_code
from kotapintar.testing.reports import jpeg_bytes

ANON_NAME = "Wulan Rahasia"
ANON_EMAIL = "wulan.rahasia@example.test"


def sign_in(page, live_server, user, next_path: str, label: str) -> None:
    """The real sign-in: email and password, then the current code of the user's device."""
    device = confirmed_device(user)
    page.visit(f"{live_server.url}/accounts/login/?next={next_path}", f"{label}-login")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    page.check(f"{label}-2fa")
    page.fill("#id_code", totp_code(device))
    page.locator("[data-testid=two-factor-form] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + r"$"))


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.django_db(transaction=True)
def test_verifier_routes_and_officer_resolves_on_a_phone(
    page, phone, live_server, lapor, make_report, verifier, officer, tmp_path
):
    report = make_report(
        text="Jalan berlubang besar di depan SD Pleburan, sudah dua minggu dan membahayakan pengendara motor.",
        privacy=Privacy.PUBLIC,
    )
    number = report.tracking_number

    # The verifier's desk (desktop).
    sign_in(page, live_server, verifier, "/lapor/staf/verifikasi/", "desk")
    page.check("queue")
    row = page.locator(f"[data-testid=report-row][data-tracking='{number}']")
    assert row.locator("[data-testid=deadline]").get_attribute("data-state") in ("on_time", "due_soon")
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(number))
    page.check("detail")
    assert page.locator("[data-testid=suggestions] [data-code=JALAN]").count() == 1

    page.locator("[data-testid=action-verify] > summary").click()
    page.locator("[data-testid=action-verify] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.check("verified")
    assert page.locator(".alert-success").inner_text().strip().startswith("Laporan sudah diverifikasi")

    page.locator("[data-testid=action-disposition] > summary").click()
    assert page.locator("#id_route-agency").input_value() == "DPU"
    page.fill("#id_route-note", "Mohon ditinjau minggu ini.")
    page.locator("[data-testid=action-disposition] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.check("routed")
    assert (
        page.locator("[data-testid=report-badges] [data-testid=status]").get_attribute("data-status") == "dispositioned"
    )
    assert Report.objects.get(pk=report.pk).responsible_agency.code == "DPU"

    # The agency officer, on a phone in the field.
    sign_in(phone, live_server, officer, "/lapor/staf/opd/", "officer")
    phone.check("inbox")
    no_sideways_scroll(phone)
    phone.locator(f"[data-testid=report-row][data-tracking='{number}']").get_by_role("link", name=number).click()
    phone.wait_for_url(re.compile(number))
    phone.check("detail")
    no_sideways_scroll(phone)

    photo = tmp_path / "lubang-sebelum.jpg"
    photo.write_bytes(jpeg_bytes((800, 600)))
    phone.locator("[data-testid=action-follow_up] > summary").click()
    phone.fill("#id_followup-text", "Petugas sudah meninjau lokasi; penambalan dijadwalkan besok pagi.")
    phone.set_input_files("#id_followup-photos_before", str(photo))
    phone.locator("[data-testid=action-follow_up] button[type=submit]").click()
    phone.wait_for_load_state("load")
    phone.check("followed-up")
    entry = phone.locator("[data-testid=timeline-entry][data-kind=follow_up]")
    assert "penambalan dijadwalkan" in entry.inner_text()
    assert entry.locator("img").count() == 1
    assert ReportPhoto.objects.filter(report=report, kind="before").count() == 1

    phone.locator("[data-testid=action-resolve] > summary").click()
    phone.fill("#id_resolve-text", "   ")  # no public note: only blanks
    phone.locator("[data-testid=action-resolve] button[type=submit]").click()
    phone.wait_for_load_state("load")
    phone.check("resolve-refused")
    assert phone.locator("#id_resolve-text").get_attribute("aria-invalid") == "true"
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS
    phone.fill("#id_resolve-text", "Lubang sudah ditambal dengan aspal baru.")
    phone.locator("[data-testid=action-resolve] button[type=submit]").click()
    phone.wait_for_load_state("load")
    phone.check("resolved")
    assert phone.locator("[data-testid=report-badges] [data-testid=status]").get_attribute("data-status") == "resolved"
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED


@pytest.mark.django_db(transaction=True)
def test_anonymous_reporter_is_invisible_to_the_agency_officer(phone, live_server, lapor, make_report, officer):
    report = make_report(
        status="dispositioned",
        privacy=Privacy.ANONYMOUS,
        reporter_name=ANON_NAME,
        reporter_email=ANON_EMAIL,
        reporter_phone="081298765432",
    )
    sign_in(phone, live_server, officer, f"/lapor/staf/laporan/{report.tracking_number}/", "anonymous")
    phone.check("detail")
    assert phone.locator("[data-testid=reporter-hidden]").is_visible()
    assert phone.locator("[data-testid=action-reveal]").count() == 0
    text = phone.content()
    for secret in (ANON_NAME, ANON_EMAIL, "81298765432"):
        assert secret not in text


@pytest.mark.django_db(transaction=True)
def test_the_desk_filters_and_pages_the_queue_without_reloading(
    page, live_server, lapor, make_report, verifier, monkeypatch
):
    from kotapintar.reports import desk_selectors

    monkeypatch.setattr(desk_selectors, "PAGE_SIZE", 2)
    roads = [make_report(text=f"Jalan berlubang nomor {i} di depan sekolah, bahaya.") for i in range(3)]
    waste = make_report(text="Sampah menumpuk di TPS liar dekat sungai, bau sekali.", category="SAMPAH")
    sign_in(page, live_server, verifier, "/lapor/staf/verifikasi/", "pages")
    page.check("first-page")
    rows = page.locator("[data-testid=report-row]")
    assert rows.count() == 2
    page.locator("[data-testid=more]").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=report-row]').length === 4")
    shown = {rows.nth(i).get_attribute("data-tracking") for i in range(4)}
    assert shown == {r.tracking_number for r in [*roads, waste]}
    assert page.locator("[data-testid=more]").count() == 0
    assert page.url.endswith("/lapor/staf/verifikasi/")  # appended in place, no new page

    page.locator("[data-testid=filters] > summary").click()
    page.select_option("#id_category", "SAMPAH")
    page.wait_for_function("document.querySelectorAll('[data-testid=report-row]').length === 1")
    assert rows.first.get_attribute("data-tracking") == waste.tracking_number
    assert "category=SAMPAH" in page.url
    page.check("filtered")
