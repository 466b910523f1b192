"""Perizinan online in a real browser: a resident on a 360-px phone applies for an Izin Reklame,
answers a return for completion, pays the fee through the simulated gateway and downloads the
signed permit; staff work it on a desktop; the QR code of the downloaded PDF opens the public
verification page, which shows the permit valid, then revoked. Every page is checked with
axe-core; screenshots go to test-results/screenshots/.

The satisfaction survey after issuance is the portal's (tests/e2e/test_portal.py): here we only
check that issuing the permit offered it through portal.services.survey_offer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from kotapintar.permits.models import Application, Permit
from kotapintar.permits.tests.pdfparse import qr_matrix, text_lines
from kotapintar.permits.tests.qrdecode import decode_matrix
from kotapintar.testing.accounts import login_staff
from kotapintar.testing.permits import PDF_BYTES, image_bytes, make_permit_office

PHONE_WIDTH = 360


def _cookie(browser_page, live_server, client: Client) -> None:
    browser_page.context.clear_cookies()
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def sign_in_resident(phone, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    _cookie(phone, live_server, client)


def sign_in_staff(page, live_server, user) -> None:
    _cookie(page, live_server, login_staff(Client(), user))


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def fits_the_phone(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def download(browser_page, locator) -> bytes:
    with browser_page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_resident_applies_for_a_billboard_permit_end_to_end(phone, page, live_server, settings, semarang):
    settings.PERMIT_VERIFY_BASE_URL = live_server.url
    settings.PAYMENT_SIMULATED_GATEWAY = True
    settings.PERMIT_SIGNING_KEYS = []
    settings.PERMIT_VERIFY_KEYS = []
    office = make_permit_office()
    from kotapintar.testing.portal import make_service

    make_service(office.agencies["DPMPTSP"], name="Izin Reklame", online_kind="permit", online_code="REKLAME")
    resident = office.applicant

    # 1. The resident picks the permit on a phone and fills in the form.
    sign_in_resident(phone, live_server, resident)
    phone.visit(f"{live_server.url}/perizinan/", "catalogue")
    assert fits_the_phone(phone)
    phone.get_by_role("link", name=re.compile(r"^Ajukan\W+Izin Reklame$")).click()
    phone.wait_for_url(re.compile(r".*/perizinan/ajukan/REKLAME/$"))
    phone.check("form")
    assert fits_the_phone(phone)
    phone.locator("#id_holder_name").fill("CV Maju Jaya Abadi")
    phone.locator("#id_holder_address").fill("Jl. Gajahmada No. 7, Semarang")
    phone.locator("#id_f_ad_type").select_option("Billboard")
    phone.locator("#id_f_content").fill("Promo Toko Maju Jaya")
    phone.locator("#id_f_location").fill("Jl. Pemuda No. 12")
    phone.locator("#id_f_village").fill("Sekayu, Semarang Tengah")
    phone.locator("#id_f_width_m").fill("4")
    phone.locator("#id_f_height_m").fill("6")
    phone.locator("#id_f_faces").fill("1")
    phone.locator("#id_f_duration_months").fill("12")
    phone.locator("#id_doc_ktp").set_input_files(pdf_file("ktp.pdf"))
    # A program renamed to .pdf is refused next to its input; nothing else is lost.
    phone.locator("#id_doc_npwp").set_input_files(
        {"name": "npwp.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00fake"}
    )
    phone.locator("#id_doc_site_photo").set_input_files(
        {"name": "lokasi.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    phone.locator("#id_doc_design").set_input_files(pdf_file("desain.pdf"))
    phone.locator("#id_doc_land_consent").set_input_files(pdf_file("persetujuan.pdf"))
    with phone.expect_navigation():  # a form post: wait for the answer page
        phone.get_by_role("button", name="Ajukan permohonan").click()
    phone.check("upload-error")
    error = phone.locator("#id_doc_npwp_error")
    assert "bukan berkas" in error.inner_text()
    assert phone.locator("#id_doc_npwp").get_attribute("aria-invalid") == "true"
    assert phone.locator("#id_f_location").input_value() == "Jl. Pemuda No. 12"
    assert "ktp.pdf" in phone.locator("#id_doc_ktp_helptext").inner_text()  # already stored
    phone.locator("#id_doc_npwp").set_input_files(pdf_file("npwp.pdf"))
    phone.get_by_role("button", name="Ajukan permohonan").click()
    phone.wait_for_url(re.compile(r".*/perizinan/permohonan/\d+/$"))
    phone.check("submitted")
    application = Application.objects.get()
    assert phone.locator("[data-testid=registration-number]").inner_text() == application.registration_number
    assert "Petugas Dinas Penanaman Modal" in phone.locator("[data-testid=held-by]").inner_text()
    assert fits_the_phone(phone)

    # 2. The front office returns it: the KTP must be uploaded again.
    sign_in_staff(page, live_server, office.front)
    page.visit(f"{live_server.url}/perizinan/staf/", "queue")
    page.get_by_role("link", name=application.registration_number).click()
    page.wait_for_url(re.compile(r".*/perizinan/staf/permohonan/\d+/$"))
    page.check("front-office")
    page.locator("summary", has_text="Kembalikan kepada pemohon").click()
    page.get_by_label("KTP penanggung jawab").check()
    page.locator("#id_return-note").fill("Scan KTP terpotong, mohon unggah ulang yang utuh.")
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Kembalikan untuk dilengkapi").click()
    page.check("returned")

    # 3. The resident completes it (the clock stops meanwhile).
    phone.visit(f"{live_server.url}/perizinan/permohonan/{application.pk}/", "to-complete")
    assert "Scan KTP terpotong" in phone.locator("[data-testid=returned]").inner_text()
    phone.locator("[data-testid=complete-link]").click()
    phone.wait_for_url(re.compile(r".*/ubah/$"))
    phone.check("complete-form")
    phone.locator("#id_doc_ktp").set_input_files(pdf_file("ktp-utuh.pdf"))
    phone.get_by_role("button", name="Kirim kembali ke kantor").click()
    phone.wait_for_url(re.compile(r".*/perizinan/permohonan/\d+/$"))
    phone.check("resubmitted")

    # 4. Front office: complete; technical review with the site-survey report; fee assessment.
    page.visit(f"{live_server.url}/perizinan/staf/permohonan/{application.pk}/", "complete")
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Lengkap: lanjutkan").click()
    page.check("completed")
    sign_in_staff(page, live_server, office.distaru)
    page.visit(f"{live_server.url}/perizinan/staf/permohonan/{application.pk}/", "review")
    page.get_by_label("Rekomendasi disetujui").check()
    page.locator("#id_review-note").fill("Lokasi sesuai, konstruksi aman.")
    page.locator("#id_review-survey_report").set_input_files(pdf_file("survei-lokasi.pdf"))
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Simpan hasil tinjauan").click()
    page.check("reviewed")
    sign_in_staff(page, live_server, office.front)
    page.visit(f"{live_server.url}/perizinan/staf/permohonan/{application.pk}/", "fee")
    assert page.locator("#id_assess-amount").input_value() == "7200000"
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Terbitkan SKRD").click()
    page.check("skrd-issued")

    # 5. The resident downloads the SKRD and pays through the (simulated) gateway.
    phone.visit(f"{live_server.url}/perizinan/permohonan/{application.pk}/", "fee")
    assert phone.locator("[data-testid=fee-amount]").inner_text() == "Rp 7.200.000"
    skrd = download(phone, phone.locator("[data-testid=skrd-link]"))
    assert skrd.startswith(b"%PDF") and any("7.200.000" in line for line in text_lines(skrd))
    phone.locator("[data-testid=pay-link]").click()
    phone.wait_for_url(re.compile(r".*/bayar/$"))
    phone.check("gateway")
    assert fits_the_phone(phone)
    phone.locator("[data-testid=gateway-pay]").click()
    phone.wait_for_url(re.compile(r".*/perizinan/permohonan/\d+/$"))
    phone.check("paid")
    assert "Pembayaran diterima" in phone.locator(".messages").inner_text()

    # 6. Approval, then the head of DPMPTSP signs.
    page.visit(f"{live_server.url}/perizinan/staf/permohonan/{application.pk}/", "decision")
    page.get_by_label("Setujui").check()
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Simpan keputusan").click()
    page.check("approved")
    sign_in_staff(page, live_server, office.head)
    page.visit(f"{live_server.url}/perizinan/staf/permohonan/{application.pk}/", "signing")
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Tandatangani dan terbitkan").click()
    page.check("signed")
    permit = Permit.objects.get()

    # 7. The resident downloads the signed permit; its QR opens the verification page: valid.
    phone.visit(f"{live_server.url}/perizinan/permohonan/{application.pk}/", "issued")
    pdf = download(phone, phone.locator("[data-testid=permit-download]"))
    lines = text_lines(pdf)
    assert any(permit.number in line for line in lines) and any("CV Maju Jaya Abadi" in line for line in lines)
    qr_url = decode_matrix(qr_matrix(pdf))
    assert qr_url == f"{live_server.url}/verify/{permit.token}/"
    phone.context.clear_cookies()  # anyone may verify, signed in or not
    phone.visit(qr_url, "verify-valid")
    assert phone.locator("[data-testid=verify-result]").get_attribute("data-status") == "valid"
    assert "CV Maju Jaya Abadi" in phone.locator("[data-testid=verify-details]").inner_text()
    assert fits_the_phone(phone)

    # 8. The head revokes it; the same QR link now shows it revoked, with the date and reason.
    page.visit(f"{live_server.url}/perizinan/staf/izin/{permit.pk}/", "permit")
    page.locator("#id_revoke-reason").fill("Reklame dipasang di luar titik yang diizinkan.")
    with page.expect_navigation():  # a form post: wait for the answer page
        page.get_by_role("button", name="Cabut", exact=True).click()
    page.check("revoked")
    phone.visit(qr_url, "verify-revoked")
    result = phone.locator("[data-testid=verify-result]")
    assert result.get_attribute("data-status") == "revoked"
    assert "di luar titik yang diizinkan" in result.inner_text()

    # 9. A tampered code is "not valid", never an error page.
    phone.visit(qr_url.replace(permit.token, permit.token[:-6] + "AAAAAA"), "verify-tampered")
    assert phone.locator("[data-testid=verify-result]").get_attribute("data-status") == "invalid"

    # The hook for the portal: issuing offered the satisfaction survey for this case.
    from kotapintar.portal.models import SatisfactionSurvey

    assert SatisfactionSurvey.objects.filter(
        case_kind="permit", case_id=str(application.pk), respondent=resident
    ).exists()
