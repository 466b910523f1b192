"""The permit pages as residents and staff use them: forms, errors next to fields, access, downloads."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kotapintar.permits.models import Application, ApplicationDocument, Permit, Status
from kotapintar.permits.tests.pdfparse import qr_matrix, text_lines
from kotapintar.permits.tests.qrdecode import decode_matrix
from kotapintar.testing.accounts import make_user
from kotapintar.testing.core import login_verified
from kotapintar.testing.permits import ANSWERS, PDF_BYTES, apply_for, image_bytes, pdf_upload, png_upload, run_until


@pytest.fixture
def resident(permit_office) -> Client:
    client = Client()
    client.force_login(permit_office.applicant)
    return client


def staff(user) -> Client:
    return login_verified(Client(), user)


def form_post(permit_office, *, action="submit", key="form-token-1", answers=None, files=True, **overrides):
    data = {"client_key": key, "action": action, "holder_name": "CV Maju Jaya", "holder_address": "Jl. Gajahmada No. 7"}
    for name, value in (answers or ANSWERS["REKLAME"]).items():
        data[f"f_{name}"] = str(value).replace(".", ",")
    if files:
        for requirement in permit_office.types["REKLAME"].documents.filter(mandatory=True):
            data[f"doc_{requirement.key}"] = pdf_upload(f"{requirement.key}.pdf")
    data.update(overrides)
    return data


def test_catalogue_and_requirements_pages(client, permit_office):
    page = client.get("/perizinan/").content.decode()
    assert "Izin Reklame" in page and "/perizinan/ajukan/REKLAME/" in page
    page = client.get("/perizinan/jenis/SIP/").content.decode()
    assert "Rekomendasi Dinas Kesehatan" in page
    assert client.get("/perizinan/jenis/TIDAKADA/").status_code == 404


def test_the_form_asks_to_sign_in(client, permit_office):
    response = client.get("/perizinan/ajukan/REKLAME/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_apply_with_a_decimal_comma_and_get_a_number_at_once(resident, permit_office):
    page = resident.get("/perizinan/ajukan/REKLAME/").content.decode()
    assert 'name="client_key"' in page and 'inputmode="decimal"' in page and 'accept="application/pdf,.pdf"' in page
    response = resident.post(
        "/perizinan/ajukan/REKLAME/", form_post(permit_office, answers={**ANSWERS["REKLAME"], "width_m": "4,5"})
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/perizinan/permohonan/{application.pk}/"
    assert application.status == Status.IN_PROCESS and application.data["width_m"] == "4.5"
    page = resident.get(response["Location"]).content.decode()
    assert application.registration_number in page


def test_pressing_submit_twice_makes_one_application(resident, permit_office):
    first = resident.post("/perizinan/ajukan/REKLAME/", form_post(permit_office))
    second = resident.post("/perizinan/ajukan/REKLAME/", form_post(permit_office))
    assert Application.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert ApplicationDocument.objects.filter(is_current=True).count() == 5


def test_invalid_answers_are_shown_next_to_the_field_and_nothing_is_lost(resident, permit_office):
    data = form_post(permit_office, answers={**ANSWERS["REKLAME"], "faces": "3", "height_m": "enam"})
    response = resident.post("/perizinan/ajukan/REKLAME/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'name="f_faces"[^>]*aria-invalid="true"', page) or re.search(
        r'aria-invalid="true"[^>]*name="f_faces"', page
    )
    assert 'id="id_f_faces_error"' in page
    application = Application.objects.get()
    assert application.status == Status.DRAFT
    assert application.data["content"] == "Promo Toko Maju Jaya" and "faces" not in application.data
    # The valid files were kept; the form says so.
    assert ApplicationDocument.objects.filter(application=application).count() == 5
    assert "ktp.pdf" in page
    # The next post goes to the draft and completes it.
    assert f'action="/perizinan/permohonan/{application.pk}/ubah/"' in page
    fixed = form_post(permit_office, files=False)
    response = resident.post(f"/perizinan/permohonan/{application.pk}/ubah/", fixed)
    application.refresh_from_db()
    assert response.status_code == 302 and application.status == Status.IN_PROCESS


def test_a_wrong_file_is_refused_next_to_its_input(resident, permit_office):
    data = form_post(permit_office)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data["doc_land_consent"] = SimpleUploadedFile("izin.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    data["doc_site_photo"] = SimpleUploadedFile("foto.png", image_bytes("PNG"), content_type="image/png")
    response = resident.post("/perizinan/ajukan/REKLAME/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_doc_land_consent_error"' in page and "izin.pdf" in page
    application = Application.objects.get()
    assert application.status == Status.DRAFT
    assert ApplicationDocument.objects.filter(application=application, requirement__key="site_photo").exists()


def test_save_a_draft_and_come_back(resident, permit_office):
    response = resident.post(
        "/perizinan/ajukan/REKLAME/", form_post(permit_office, action="save", files=False, f_faces="")
    )
    application = Application.objects.get()
    assert response["Location"] == f"/perizinan/permohonan/{application.pk}/ubah/"
    page = resident.get(response["Location"]).content.decode()
    assert 'value="Promo Toko Maju Jaya"' in page
    assert application.status == Status.DRAFT


def test_someone_elses_application_is_404_everywhere(permit_office):
    application = apply_for(permit_office, "REKLAME")
    permit = run_until(permit_office, application, "issued")
    document = ApplicationDocument.objects.filter(application=application).first()
    other = Client()
    other.force_login(make_user(full_name="Tetangga"))
    for url in (
        f"/perizinan/permohonan/{application.pk}/",
        f"/perizinan/permohonan/{application.pk}/ubah/",
        f"/perizinan/permohonan/{application.pk}/skrd.pdf",
        f"/perizinan/permohonan/{application.pk}/bayar/",
        f"/perizinan/dokumen/{document.pk}/",
        f"/perizinan/izin/{permit.pk}/",
        f"/perizinan/izin/{permit.pk}/unduh/",
        f"/perizinan/staf/permohonan/{application.pk}/",
        "/perizinan/staf/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/perizinan/permohonan/{application.pk}/tarik/").status_code == 404
    assert other.get("/perizinan/permohonan/999999/").status_code == 404
    assert "api" not in other.get("/perizinan/permohonan/999999/").content.decode()[:50]


def test_documents_are_served_privately_with_safe_headers(resident, permit_office):
    application = apply_for(permit_office, "REKLAME")
    document = ApplicationDocument.objects.filter(application=application, requirement__key="ktp").get()
    response = resident.get(f"/perizinan/dokumen/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert Client().get(f"/perizinan/dokumen/{document.pk}/").status_code == 302  # sign in first
    assert staff(permit_office.front).get(f"/perizinan/dokumen/{document.pk}/").status_code == 200
    assert (
        staff(permit_office.dinkes).get(f"/perizinan/dokumen/{document.pk}/").status_code == 404
    )  # not their permit type


def test_the_survey_report_is_for_staff_only(resident, permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "technical_review")
    from kotapintar.permits import services

    services.review_submit(
        actor=permit_office.distaru,
        application=application,
        recommendation="approve",
        note="",
        survey_report=pdf_upload("survei.pdf"),
    )
    report = ApplicationDocument.objects.get(kind="survey_report")
    assert resident.get(f"/perizinan/dokumen/{report.pk}/").status_code == 404
    assert staff(permit_office.front).get(f"/perizinan/dokumen/{report.pk}/").status_code == 200


def test_staff_work_the_queue_through_the_pages(resident, permit_office):
    application = apply_for(permit_office, "REKLAME")
    front = staff(permit_office.front)
    page = front.get("/perizinan/staf/").content.decode()
    assert application.registration_number in page and 'data-testid="deadline"' in page
    # Return without saying what is missing: the error shows on the page.
    response = front.post(f"/perizinan/staf/permohonan/{application.pk}/return/", {"return-note": ""})
    assert response.status_code == 400
    assert "centang dokumen" in response.content.decode()
    response = front.post(
        f"/perizinan/staf/permohonan/{application.pk}/return/",
        {"return-note": "KTP buram", "return-missing_documents": ["ktp"]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    # The resident answers through the same form.
    page = resident.get(f"/perizinan/permohonan/{application.pk}/").content.decode()
    assert "KTP buram" in page
    response = resident.post(
        f"/perizinan/permohonan/{application.pk}/ubah/",
        form_post(
            permit_office, action="resubmit", files=False, doc_ktp=pdf_upload("ktp2.pdf"), key=application.client_key
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS
    assert (
        front.post(f"/perizinan/staf/permohonan/{application.pk}/complete/", {"complete-note": ""}).status_code == 302
    )
    review = staff(permit_office.distaru)
    response = review.post(
        f"/perizinan/staf/permohonan/{application.pk}/review/",
        {"review-recommendation": "approve", "review-note": "Sesuai", "review-survey_report": png_upload("survei.png")},
    )
    assert response.status_code == 302
    # The fee form starts from the rule; a changed amount without reason is refused on the page.
    page = front.get(f"/perizinan/staf/permohonan/{application.pk}/").content.decode()
    assert 'value="7200000"' in page
    response = front.post(
        f"/perizinan/staf/permohonan/{application.pk}/assess/", {"assess-amount": "5000000", "assess-reason": ""}
    )
    assert response.status_code == 400
    assert (
        front.post(f"/perizinan/staf/permohonan/{application.pk}/assess/", {"assess-amount": "7200000"}).status_code
        == 302
    )
    # The applicant downloads the SKRD and pays through the simulated gateway.
    skrd = resident.get(f"/perizinan/permohonan/{application.pk}/skrd.pdf")
    assert skrd.status_code == 200 and skrd.content.startswith(b"%PDF")
    assert "Rp 7.200.000" in resident.get(f"/perizinan/permohonan/{application.pk}/bayar/").content.decode()
    assert resident.post(f"/perizinan/permohonan/{application.pk}/bayar/").status_code == 302
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS and application.current_step.stage == "decision"
    # Decide, then the head signs.
    assert (
        front.post(f"/perizinan/staf/permohonan/{application.pk}/decide/", {"decide-decision": "approve"}).status_code
        == 302
    )
    assert front.post(f"/perizinan/staf/permohonan/{application.pk}/sign/").status_code == 302  # refused: message
    assert Permit.objects.count() == 0
    assert staff(permit_office.head).post(f"/perizinan/staf/permohonan/{application.pk}/sign/").status_code == 302
    permit = Permit.objects.get()
    pdf = resident.get(f"/perizinan/izin/{permit.pk}/unduh/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    lines = text_lines(pdf.content)
    assert any(permit.number in line for line in lines) and any("CV Maju Jaya" in line for line in lines)
    assert decode_matrix(qr_matrix(pdf.content)) == f"https://izin.semarangkota.go.id/verify/{permit.token}/"
    # The head revokes it from the staff permit page.
    head = staff(permit_office.head)
    response = head.post(f"/perizinan/staf/izin/{permit.pk}/", {"revoke-reason": "Izin lokasi dibatalkan"})
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.revoked_on is not None


def test_staff_home_card_lists_my_tasks(permit_office):
    application = apply_for(permit_office, "REKLAME")
    page = staff(permit_office.front).get("/staff/").content.decode()
    assert 'data-testid="permit-queue-card"' in page and application.registration_number in page
    assert application.registration_number not in staff(permit_office.dinkes).get("/staff/").content.decode()


def test_queue_export_and_search(permit_office):
    first = apply_for(permit_office, "REKLAME")
    apply_for(permit_office, "PBG")
    front = staff(permit_office.front)
    response = front.get("/perizinan/staf/?scope=open&q=" + first.registration_number, HTTP_HX_REQUEST="true")
    assert first.registration_number in response.content.decode() and "<html" not in response.content.decode()
    response = front.get("/perizinan/staf/?scope=open&export=csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert first.registration_number in content and "REG-PBG-" in content


def test_renew_and_amend_buttons(resident, permit_office):
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    page = resident.get(f"/perizinan/izin/{permit.pk}/").content.decode()
    assert f"/perizinan/izin/{permit.pk}/amendment/" in page
    response = resident.post(f"/perizinan/izin/{permit.pk}/amendment/")
    draft = Application.objects.get(kind="amendment")
    assert response["Location"] == f"/perizinan/permohonan/{draft.pk}/ubah/"
    response = resident.post(f"/perizinan/izin/{permit.pk}/renewal/")  # too early: a message, no draft
    assert response.status_code == 302 and not Application.objects.filter(kind="renewal").exists()
    assert resident.post(f"/perizinan/izin/{permit.pk}/nonsense/").status_code == 404


def test_my_applications_page(resident, permit_office):
    apply_for(permit_office, "REKLAME", submit=False)
    run_until(permit_office, apply_for(permit_office, "SIP"), "issued")
    page = resident.get("/perizinan/permohonan/").content.decode()
    assert 'data-testid="my-applications"' in page and 'data-status="valid"' in page
