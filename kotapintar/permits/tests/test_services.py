"""The permit process through its services: every step, every refusal, the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kotapintar.core.errors import DomainError, InvalidTransition, NotAllowed
from kotapintar.core.models import AuditLog, Notification
from kotapintar.permits import gateway, services
from kotapintar.permits.models import (
    Application,
    ApplicationDocument,
    ApplicationKind,
    FeeAssessment,
    Payment,
    Permit,
    Stage,
    Status,
)
from kotapintar.permits.qr import decode_token
from kotapintar.permits.signing import get_verifier
from kotapintar.testing.accounts import make_user
from kotapintar.testing.permits import ANSWERS, apply_for, pdf_upload, run_until


def _actions(obj) -> list[str]:
    from django.contrib.contenttypes.models import ContentType

    rows = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return list(rows.order_by("id").values_list("action", flat=True))


# --- drafts and submission -----------------------------------------------------------------------


def test_submit_gives_a_registration_number_and_the_first_staff_step(permit_office):
    application = apply_for(permit_office, "REKLAME")
    assert application.status == Status.IN_PROCESS
    assert application.registration_number.startswith("REG-REKLAME-")
    # Registration (0 days) passes at once; the front office holds it.
    assert application.current_step.stage == Stage.COMPLETENESS
    assert (
        services.holder_label(application.current_step)
        == "Petugas Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    )
    assert application.due_at is not None
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.submitted").exists()
    assert Notification.objects.filter(recipient=permit_office.front, kind="permits.step").exists()
    assert _actions(application) == [
        "permit_application.create",
        "permit_application.answers",
        "permit_application.submit",
    ]


def test_submit_refuses_missing_answers_and_documents_and_keeps_the_draft(permit_office):
    applicant = permit_office.applicant
    application, created = services.application_start(applicant=applicant, permit_type=permit_office.types["REKLAME"])
    assert created
    services.application_save_answers(
        actor=applicant, application=application, holder_name="CV Maju", holder_address="", data={"width_m": "4"}
    )
    with pytest.raises(services.ApplicationIncomplete) as caught:
        services.application_submit(actor=applicant, application=application)
    fields = caught.value.fields
    assert "f_height_m" in fields and "holder_address" in fields and "doc_ktp" in fields
    assert "doc_construction" not in fields  # optional
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.registration_number is None
    assert application.data == {"width_m": "4"}


def test_answers_out_of_range_are_refused_at_submission(permit_office):
    application = apply_for(permit_office, "REKLAME", answers={**ANSWERS["REKLAME"], "faces": 3}, submit=False)
    with pytest.raises(services.ApplicationIncomplete) as caught:
        services.application_submit(actor=permit_office.applicant, application=application)
    assert "f_faces" in caught.value.fields


def test_double_submit_and_the_same_form_token_give_one_application(permit_office):
    applicant = permit_office.applicant
    permit_type = permit_office.types["SIP"]
    first, created = services.application_start(applicant=applicant, permit_type=permit_type, client_key="token-1")
    again, created_again = services.application_start(
        applicant=applicant, permit_type=permit_type, client_key="token-1"
    )
    assert created and not created_again and first.pk == again.pk
    application = apply_for(permit_office, "SIP", submit=False)
    services.application_submit(actor=applicant, application=application)
    number = application.registration_number
    services.application_submit(actor=applicant, application=application)  # pressed twice
    application.refresh_from_db()
    assert application.registration_number == number
    assert Application.objects.filter(registration_number__isnull=False).count() == 1


def test_someone_else_may_not_touch_an_application(permit_office):
    application = apply_for(permit_office, "REKLAME", submit=False)
    stranger = make_user(full_name="Orang Lain")
    with pytest.raises(NotAllowed):
        services.application_submit(actor=stranger, application=application)
    with pytest.raises(NotAllowed):
        services.application_save_answers(
            actor=stranger, application=application, holder_name="x", holder_address="y", data={}
        )
    requirement = permit_office.types["REKLAME"].documents.get(key="ktp")
    with pytest.raises(NotAllowed):
        services.document_upload(
            actor=stranger, application=application, requirement=requirement, uploaded=pdf_upload()
        )


def test_a_new_upload_replaces_the_old_one_which_is_kept(permit_office):
    application = apply_for(permit_office, "REKLAME", submit=False)
    requirement = permit_office.types["REKLAME"].documents.get(key="ktp")
    services.document_upload(
        actor=permit_office.applicant, application=application, requirement=requirement, uploaded=pdf_upload("baru.pdf")
    )
    rows = ApplicationDocument.objects.filter(application=application, requirement=requirement).order_by("id")
    assert [r.is_current for r in rows] == [False, True]
    assert rows.last().original_name == "baru.pdf"


def test_documents_and_answers_are_frozen_once_submitted(permit_office):
    application = apply_for(permit_office, "REKLAME")
    requirement = permit_office.types["REKLAME"].documents.get(key="ktp")
    with pytest.raises(InvalidTransition):
        services.document_upload(
            actor=permit_office.applicant, application=application, requirement=requirement, uploaded=pdf_upload()
        )
    with pytest.raises(InvalidTransition):
        services.application_save_answers(
            actor=permit_office.applicant, application=application, holder_name="x", holder_address="y", data={}
        )


def test_a_closed_type_takes_no_applications(permit_office):
    permit_type = permit_office.types["PBG"]
    permit_type.is_active = False
    permit_type.save()
    with pytest.raises(DomainError):
        services.application_start(applicant=permit_office.applicant, permit_type=permit_type)


# --- staff steps ----------------------------------------------------------------------------------


def test_only_the_handlers_of_the_current_step_may_act(permit_office):
    application = apply_for(permit_office, "REKLAME")
    for outsider in (permit_office.distaru, permit_office.treasury, permit_office.applicant):
        with pytest.raises(NotAllowed):
            services.completeness_confirm(actor=outsider, application=application)
    with pytest.raises(InvalidTransition):  # not at that step
        services.review_submit(actor=permit_office.distaru, application=application, recommendation="approve", note="")
    services.completeness_confirm(actor=permit_office.front, application=application)
    with pytest.raises(InvalidTransition):  # a second click changes nothing
        services.completeness_confirm(actor=permit_office.front, application=application)
    assert application.current_step.stage == Stage.TECHNICAL_REVIEW


def test_return_for_completion_and_answer(permit_office):
    application = apply_for(permit_office, "REKLAME")
    with pytest.raises(DomainError):
        services.application_return(actor=permit_office.front, application=application, note="", missing_documents=[])
    services.application_return(
        actor=permit_office.front, application=application, note="KTP tidak terbaca.", missing_documents=["ktp", "zzz"]
    )
    assert application.status == Status.RETURNED and application.missing_documents == ["ktp"]
    assert application.paused_since is not None
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.returned").exists()
    event = application.events.get(kind="returned")
    assert "KTP penanggung jawab" in event.message and "KTP tidak terbaca." in event.message
    # Sending back without the asked document is refused, with the document named.
    with pytest.raises(services.ApplicationIncomplete) as caught:
        services.application_resubmit(actor=permit_office.applicant, application=application)
    assert "doc_ktp" in caught.value.fields
    requirement = permit_office.types["REKLAME"].documents.get(key="ktp")
    services.document_upload(
        actor=permit_office.applicant,
        application=application,
        requirement=requirement,
        uploaded=pdf_upload("ktp-jelas.pdf"),
    )
    services.application_resubmit(actor=permit_office.applicant, application=application, note="Sudah saya ganti.")
    assert application.status == Status.IN_PROCESS and application.current_step.stage == Stage.COMPLETENESS
    assert application.paused_since is None and application.pauses.get().ended_at is not None
    assert Notification.objects.filter(recipient=permit_office.front, kind="permits.resubmitted").exists()
    assert "permit_application.return" in _actions(application) and "permit_application.resubmit" in _actions(
        application
    )


def test_completeness_cannot_pass_with_a_mandatory_document_missing(permit_office):
    application = apply_for(permit_office, "REKLAME")
    ApplicationDocument.objects.filter(application=application, requirement__key="npwp").update(is_current=False)
    with pytest.raises(DomainError) as caught:
        services.completeness_confirm(actor=permit_office.front, application=application)
    assert "NPWP" in caught.value.message


def test_technical_review_with_survey_report_and_rejection_needs_reasons(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "technical_review")
    with pytest.raises(DomainError):
        services.review_submit(actor=permit_office.distaru, application=application, recommendation="reject", note="")
    with pytest.raises(DomainError):
        services.review_submit(actor=permit_office.distaru, application=application, recommendation="maybe", note="x")
    services.review_submit(
        actor=permit_office.distaru,
        application=application,
        recommendation="approve",
        note="Lokasi sesuai, konstruksi aman.",
        survey_report=pdf_upload("survei.pdf"),
    )
    report = ApplicationDocument.objects.get(application=application, kind=ApplicationDocument.Kind.SURVEY_REPORT)
    assert report.uploaded_by == permit_office.distaru
    assert application.recommendation == "approve"
    assert application.current_step.stage == Stage.FEE_ASSESSMENT
    # The recommendation's note is for staff only.
    assert application.events.filter(kind="reviewed", internal=True).exists()


def test_fee_assessment_from_the_rule_waits_for_payment_and_stops_the_clock(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "fee_assessment")
    assessment = services.fee_assess(actor=permit_office.front, application=application)
    assert assessment.amount == assessment.computed_amount == Decimal("7200000")
    assert assessment.skrd_number.startswith("SKRD/REKLAME/")
    assert application.status == Status.AWAITING_PAYMENT and application.paused_since is not None
    assert assessment.due_date == timezone.localdate() + dt.timedelta(days=30)
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.assessed").exists()


def test_changing_the_fee_needs_a_reason_and_is_audited(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "fee_assessment")
    with pytest.raises(DomainError) as caught:
        services.fee_assess(actor=permit_office.front, application=application, amount=Decimal("5000000"))
    assert "7.200.000" in caught.value.message
    with pytest.raises(DomainError):
        services.fee_assess(actor=permit_office.front, application=application, amount=Decimal("100.50"), reason="x")
    with pytest.raises(TypeError):
        services.fee_assess(actor=permit_office.front, application=application, amount=5000000.0, reason="x")
    assessment = services.fee_assess(
        actor=permit_office.front,
        application=application,
        amount=Decimal("5000000"),
        reason="Reklame di kawasan UMKM: keringanan Perwal.",
    )
    assert assessment.amount == Decimal("5000000") and assessment.computed_amount == Decimal("7200000")
    row = AuditLog.objects.get(action="permit_application.fee_assess", object_id=str(application.pk))
    assert row.after["computed_amount"] == "7200000" and row.after["amount"] == "5000000"
    assert "keringanan" in row.after["reason"]


def test_free_permits_skip_the_fee(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "SIP"), "decision")
    assert not FeeAssessment.objects.filter(application=application).exists()


def test_manual_payment_by_the_treasury(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "awaiting_payment")
    with pytest.raises(NotAllowed):
        services.payment_record_manual(
            actor=permit_office.front, application=application, amount=Decimal("7200000"), reference="BJB-1"
        )
    with pytest.raises(DomainError) as caught:
        services.payment_record_manual(
            actor=permit_office.treasury, application=application, amount=Decimal("7000000"), reference="BJB-1"
        )
    assert caught.value.code == "amount_mismatch"
    with pytest.raises(DomainError):
        services.payment_record_manual(
            actor=permit_office.treasury, application=application, amount=Decimal("7200000"), reference=""
        )
    with pytest.raises(DomainError):
        services.payment_record_manual(
            actor=permit_office.treasury,
            application=application,
            amount=Decimal("7200000"),
            reference="BJB-1",
            paid_on=timezone.localdate() + dt.timedelta(days=1),
        )
    payment = services.payment_record_manual(
        actor=permit_office.treasury, application=application, amount=Decimal("7200000"), reference="BJB-1"
    )
    assert payment.channel == Payment.Channel.MANUAL and payment.recorded_by == permit_office.treasury
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS and application.current_step.stage == Stage.DECISION
    with pytest.raises(NotAllowed):  # nothing left to pay
        services.payment_record_manual(
            actor=permit_office.treasury, application=application, amount=Decimal("7200000"), reference="BJB-2"
        )
    assert Payment.objects.count() == 1


def test_reject_needs_reasons_cancels_the_unpaid_fee_and_tells_the_applicant(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "SIP"), "decision")
    with pytest.raises(DomainError):
        services.application_reject(actor=permit_office.front, application=application, reason="  ")
    services.application_reject(actor=permit_office.front, application=application, reason="STR tidak berlaku.")
    assert application.status == Status.REJECTED and application.closed_at
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.rejected").exists()
    with pytest.raises(InvalidTransition):
        services.application_approve(actor=permit_office.front, application=application)


def test_signing_is_for_the_head_and_makes_a_verifiable_permit(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "signing")
    with pytest.raises(NotAllowed):
        services.permit_sign(actor=permit_office.front, application=application)
    permit = services.permit_sign(actor=permit_office.head, application=application)
    application.refresh_from_db()
    assert application.status == Status.ISSUED and permit.released_at is not None
    today = timezone.localdate()
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][today.month - 1]
    assert permit.number == f"503/0001/IR/DPMPTSP/{roman}/{today.year}"
    assert permit.valid_from == today and permit.valid_until == services._add_months(today, 12) - dt.timedelta(days=1)
    assert permit.object_summary == "Billboard 4 x 6 m, Jl. Pemuda No. 12"
    assert ["Lebar bidang reklame", "4 m"] in permit.object_fields
    assert permit.official_name == permit_office.head.full_name
    assert permit.official_position == "Kepala DPMPTSP Kota Semarang"
    decoded = decode_token(permit.token)
    assert decoded.data.decode() == permit.canonical and decoded.kid == permit.kid == "dev"
    assert get_verifier().verify(decoded.data, decoded.kid, decoded.signature)
    assert decoded.claims.holder == application.holder_name
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.issued").exists()
    assert _actions(permit) == ["permit.sign"]


def test_validity_follows_the_months_asked_within_the_maximum(permit_office):
    answers = {**ANSWERS["REKLAME"], "duration_months": 3}
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME", answers=answers), "issued")
    assert permit.valid_until == services._add_months(permit.valid_from, 3) - dt.timedelta(days=1)
    assert services.validity(
        permit_office.types["REKLAME"], {"duration_months": 40}, start=dt.date(2026, 1, 31)
    ) == dt.date(2027, 1, 30)
    assert services.validity(permit_office.types["PBG"], {}, start=dt.date(2026, 1, 31)) is None


def test_handover_step_releases_the_permit(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "SIP"), "signing")
    permit = services.permit_sign(actor=permit_office.head, application=application)
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS and application.current_step.stage == Stage.HANDOVER
    assert permit.released_at is None
    services.permit_release(actor=permit_office.front, application=application)
    permit.refresh_from_db()
    assert application.status == Status.ISSUED and permit.released_at is not None
    assert sum(s.deadline_days for s in permit_office.types["SIP"].steps.all()) == 9


def test_revocation_by_the_head_with_reason_and_date(permit_office):
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    with pytest.raises(NotAllowed):
        services.permit_revoke(actor=permit_office.front, permit=permit, reason="x")
    with pytest.raises(DomainError):
        services.permit_revoke(actor=permit_office.head, permit=permit, reason="")
    with pytest.raises(DomainError):
        services.permit_revoke(
            actor=permit_office.head, permit=permit, reason="x", effective_on=permit.issued_on - dt.timedelta(days=1)
        )
    services.permit_revoke(actor=permit_office.head, permit=permit, reason="Konstruksi membahayakan.")
    permit.refresh_from_db()
    assert permit.revoked_on == timezone.localdate() and permit.status_on() == "revoked"
    with pytest.raises(InvalidTransition):
        services.permit_revoke(actor=permit_office.head, permit=permit, reason="lagi")
    assert Notification.objects.filter(recipient=permit_office.applicant, kind="permits.revoked").exists()


def test_withdraw(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "awaiting_payment")
    services.application_withdraw(actor=permit_office.applicant, application=application, reason="Batal pasang.")
    assert application.status == Status.WITHDRAWN
    assert application.assessments.get().status == FeeAssessment.Status.CANCELLED
    result = gateway.simulate_payment(application.assessments.get())
    assert result.body == {"result": "already_paid", "payment_code": application.assessments.get().payment_code}


def test_withdrawal_is_refused_once_signing_started(permit_office):
    application = run_until(permit_office, apply_for(permit_office, "SIP"), "signing")
    with pytest.raises(InvalidTransition):
        services.application_withdraw(actor=permit_office.applicant, application=application)


# --- renewal and amendment ------------------------------------------------------------------------------


def test_amendment_replaces_the_old_permit(permit_office):
    old = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    with pytest.raises(NotAllowed):
        services.follow_up_start(actor=permit_office.front, permit=old, kind=ApplicationKind.AMENDMENT)
    draft, _ = services.follow_up_start(actor=permit_office.applicant, permit=old, kind=ApplicationKind.AMENDMENT)
    assert draft.previous_permit == old and draft.data == old.application.data and draft.holder_name == old.holder_name
    services.application_save_answers(
        actor=permit_office.applicant,
        application=draft,
        holder_name=draft.holder_name,
        holder_address=draft.holder_address,
        data={**draft.data, "content": "Materi baru"},
    )
    for requirement in permit_office.types["REKLAME"].documents.filter(mandatory=True):
        services.document_upload(
            actor=permit_office.applicant,
            application=draft,
            requirement=requirement,
            uploaded=pdf_upload(f"{requirement.key}.pdf"),
        )
    services.application_submit(actor=permit_office.applicant, application=draft)
    new = run_until(permit_office, draft, "issued")
    old.refresh_from_db()
    assert old.revoked_on == new.issued_on and old.superseded_by == new
    assert new.number in old.revocation_reason


def test_renewal_opens_in_the_window_and_continues_the_validity(permit_office):
    old = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    with pytest.raises(DomainError) as caught:
        services.follow_up_start(actor=permit_office.applicant, permit=old, kind=ApplicationKind.RENEWAL)
    assert caught.value.code == "too_early"
    Permit.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=10))
    old.refresh_from_db()
    draft, _ = services.follow_up_start(actor=permit_office.applicant, permit=old, kind=ApplicationKind.RENEWAL)
    with pytest.raises(DomainError):  # an SIP cannot be amended while...  a second follow-up while one is open
        for requirement in permit_office.types["REKLAME"].documents.filter(mandatory=True):
            services.document_upload(
                actor=permit_office.applicant, application=draft, requirement=requirement, uploaded=pdf_upload()
            )
        services.application_submit(actor=permit_office.applicant, application=draft)
        services.follow_up_start(actor=permit_office.applicant, permit=old, kind=ApplicationKind.RENEWAL)
    new = run_until(permit_office, draft, "issued")
    assert new.valid_from == old.valid_until + dt.timedelta(days=1)
    old.refresh_from_db()
    assert old.revoked_on is None  # a renewal does not revoke the running permit


def test_revoked_permits_are_not_renewed(permit_office):
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    services.permit_revoke(actor=permit_office.head, permit=permit, reason="Dicabut.")
    with pytest.raises(DomainError):
        services.follow_up_start(actor=permit_office.applicant, permit=permit, kind=ApplicationKind.AMENDMENT)


# --- the survey hook ----------------------------------------------------------------------------------------


def test_issuing_offers_the_satisfaction_survey_when_the_portal_lists_the_service(permit_office):
    from kotapintar.portal.models import SatisfactionSurvey
    from kotapintar.testing.portal import make_service

    make_service(permit_office.agencies["DPMPTSP"], name="Izin Reklame", online_kind="permit", online_code="REKLAME")
    application = apply_for(permit_office, "REKLAME")
    run_until(permit_office, application, "issued")
    survey = SatisfactionSurvey.objects.get(case_kind="permit", case_id=str(application.pk))
    assert survey.respondent == permit_office.applicant


def test_a_missing_catalogue_entry_does_not_stop_the_issue(permit_office):
    permit = run_until(permit_office, apply_for(permit_office, "SIP"), "issued")
    assert permit.released_at is not None
