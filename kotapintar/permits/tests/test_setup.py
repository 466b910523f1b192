"""Configuration: the shipped Semarang types, the import command, the admin's whole-type checks,
system checks, and personal data (export and erase)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kotapintar.core.errors import DomainError
from kotapintar.core.models import AuditLog
from kotapintar.permits import checks, services, uploads
from kotapintar.permits.models import Application, ApplicationDocument, Permit, PermitType, Stage, Status, WorkflowStep
from kotapintar.testing.accounts import make_user
from kotapintar.testing.core import login_verified
from kotapintar.testing.permits import apply_for, run_until


def test_semarang_types_with_the_published_service_times(permit_office):
    types = permit_office.types
    assert set(types) == {"REKLAME", "SIP", "PBG"}
    assert types["REKLAME"].service_days == 5
    assert [s.stage for s in types["REKLAME"].ordered_steps()] == [
        Stage.REGISTRATION,
        Stage.COMPLETENESS,
        Stage.TECHNICAL_REVIEW,
        Stage.FEE_ASSESSMENT,
        Stage.DECISION,
        Stage.SIGNING,
    ]
    assert [s.deadline_days for s in types["SIP"].ordered_steps()] == [0, 1, 3, 2, 2, 1]
    assert types["SIP"].technical_agency.code == "DINKES" and types["SIP"].is_free
    assert types["PBG"].validity_months is None and types["PBG"].technical_agency.code == "DISTARU"
    assert types["REKLAME"].treasury_agency.code == "BAPENDA"
    assert types["REKLAME"].fee_amount == Decimal("25000")


def test_the_import_command_is_idempotent_and_updates_on_request(permit_office):
    out = io.StringIO()
    call_command("import_permit_types", stdout=out)
    assert "0 dibuat" in out.getvalue() and "3 tetap" in out.getvalue()
    PermitType.objects.filter(code="SIP").update(name="Diubah admin")
    call_command("import_permit_types", stdout=io.StringIO())
    assert PermitType.objects.get(code="SIP").name == "Diubah admin"  # an admin's change stays
    call_command("import_permit_types", "--update", stdout=io.StringIO())
    assert PermitType.objects.get(code="SIP").name.startswith("Surat Izin Praktik")
    assert AuditLog.objects.filter(action="permit_type.import").count() == 6  # 3 at set-up, 3 updated


def test_the_import_needs_the_agencies(db):
    with pytest.raises(CommandError) as caught:
        call_command("import_permit_types", stdout=io.StringIO())
    assert "import_agencies" in str(caught.value)


def test_float_amounts_are_refused_in_the_file(permit_office, tmp_path):
    path = tmp_path / "types.yaml"
    path.write_text(
        "- {code: TEST, name: Uji, document_title: Uji, lead_agency: DPMPTSP, fee_kind: fixed, fee_amount: 1500.5,"
        " number_format: 'T/{seq}', object_summary_template: 'Uji',"
        " steps: [{stage: decision, name: D}, {stage: fee_assessment, name: F},"
        " {stage: signing, name: S, handler_role: head}]}\n"
    )
    with pytest.raises(DomainError):
        services.permit_types_import(path=path)


@pytest.mark.parametrize(
    ("change", "message_part"),
    [
        ({"number_format": "503/IR/{year}"}, "{seq}"),
        ({"object_summary_template": "{nope} x"}, "nope"),
        ({"fee_unit_fields": "content"}, "content"),
        ({"validity_field": "width_m"}, "bilangan bulat"),
    ],
)
def test_whole_type_checks(permit_office, change, message_part):
    permit_type = permit_office.types["REKLAME"]
    for key, value in change.items():
        setattr(permit_type, key, value)
    with pytest.raises(DomainError) as caught:
        services.permit_type_check(permit_type)
    assert message_part in caught.value.message or message_part in str(caught.value.message)


def test_workflow_rules(permit_office):
    permit_type = permit_office.types["REKLAME"]
    steps = list(permit_type.steps.all())
    with pytest.raises(DomainError):
        services.permit_type_check(permit_type, steps=[s for s in steps if s.stage != Stage.SIGNING])
    with pytest.raises(DomainError):
        services.permit_type_check(permit_type, steps=[s for s in steps if s.stage != Stage.FEE_ASSESSMENT])
    signing = next(s for s in steps if s.stage == Stage.SIGNING)
    signing.handler_role = "officer"
    with pytest.raises(DomainError):
        services.permit_type_check(permit_type, steps=steps)
    clash = permit_office.types["SIP"]
    clash.number_format = permit_type.number_format
    with pytest.raises(DomainError):
        services.permit_type_check(clash)


def test_admin_refuses_a_broken_type_and_audits_a_good_change(permit_office):
    admin = make_user(role="admin", full_name="Admin", is_superuser=True)
    client = login_verified(Client(), admin)
    permit_type = permit_office.types["SIP"]
    url = f"/admin/permits/permittype/{permit_type.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    for key in ("lead_agency", "technical_agency", "treasury_agency"):
        value = data.get(key)
        data[key] = getattr(value, "pk", value) or ""
    data.update({"allow_renewal": "on", "allow_amendment": "on", "is_active": "on"})
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = str(len(fs.forms))
        data[f"{fs.prefix}-INITIAL_FORMS"] = str(len(fs.forms))
        data[f"{fs.prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{fs.prefix}-MAX_NUM_FORMS"] = "1000"
        for i, f in enumerate(fs.forms):
            for name in f.fields:
                value = f.initial.get(name)
                if name == "id":
                    value = f.instance.pk
                elif name == "permit_type":
                    value = permit_type.pk
                if isinstance(value, bool):
                    if value:
                        data[f"{fs.prefix}-{i}-{name}"] = "on"
                    continue
                data[f"{fs.prefix}-{i}-{name}"] = "" if value is None else getattr(value, "pk", value)
    # Taking away the signing step is refused with the reason, and nothing is saved.
    steps_prefix = next(
        fs.formset.prefix for fs in page.context["inline_admin_formsets"] if fs.formset.model is WorkflowStep
    )
    signing_index = next(
        i
        for i, f in enumerate(
            next(fs.formset for fs in page.context["inline_admin_formsets"] if fs.formset.model is WorkflowStep).forms
        )
        if f.instance.stage == Stage.SIGNING
    )
    broken = {**data, f"{steps_prefix}-{signing_index}-DELETE": "on"}
    response = client.post(url, broken)
    assert response.status_code == 200
    assert "Tanda tangan elektronik" in response.content.decode()
    assert permit_type.steps.filter(stage=Stage.SIGNING).exists()
    data["name"] = "SIP Tenaga Kesehatan"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PermitType.objects.get(pk=permit_type.pk).name == "SIP Tenaga Kesehatan"
    assert AuditLog.objects.filter(action="permit_type.change", object_id=str(permit_type.pk)).exists()


def test_payment_and_key_checks(settings):
    settings.PAYMENT_SIMULATED_GATEWAY = True
    settings.PAYMENT_GATEWAY_SECRET = ""
    assert {m.id for m in checks.check_payment_gateway()} == {"permits.W002", "permits.W003"}
    settings.PAYMENT_SIMULATED_GATEWAY = False
    settings.PAYMENT_GATEWAY_SECRET = "x" * 32
    assert checks.check_payment_gateway() == []
    settings.PERMIT_SIGNING_KEYS = [{"kid": "bad", "private_key": "nope"}]
    assert [m.id for m in checks.check_signing_keys_errors()] == ["permits.E001"]


def test_personal_data_export_and_erase(permit_office):
    applicant = permit_office.applicant
    draft = apply_for(permit_office, "PBG", submit=False)
    draft_files = [d.path for d in ApplicationDocument.objects.filter(application=draft)]
    rejected = run_until(permit_office, apply_for(permit_office, "SIP"), "decision")
    services.application_reject(actor=permit_office.front, application=rejected, reason="STR kedaluwarsa.")
    open_one = apply_for(permit_office, "REKLAME")
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")

    from kotapintar.accounts import privacy

    exported = privacy.export_user_data(applicant)["sections"]["permits"]
    assert len(exported["applications"]) == 4
    assert exported["permits"][0]["number"] == permit.number and exported["permits"][0]["status"] == "valid"
    assert any(a["answers"].get("str_number") for a in exported["applications"])

    from django.db import transaction

    with transaction.atomic():
        privacy.erase_user_data(applicant)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not any(uploads.absolute(p).exists() for p in draft_files)
    rejected.refresh_from_db()
    assert rejected.data == {} and rejected.holder_name == "" and rejected.registration_number
    assert not ApplicationDocument.objects.filter(application=rejected).exists()
    open_one.refresh_from_db()
    assert open_one.status == Status.WITHDRAWN and open_one.data == {}
    # The issued permit is a public record: it stays, and keeps verifying.
    permit.refresh_from_db()
    assert permit.holder_name and Permit.objects.filter(pk=permit.pk).exists()
    assert Client().get(f"/verify/{permit.token}/").content.decode().count('data-status="valid"') == 1
