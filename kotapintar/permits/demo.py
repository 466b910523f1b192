"""Demo data of the permits app (see kotapintar/core/demo.py): idempotent, through the services.

- the Semarang permit types (Izin Reklame, SIP, PBG) if `import_permit_types` has not run;
- the technical and treasury staff the workflow needs besides the accounts demo's DPMPTSP
  officer and head: a DISTARU officer, a DINKES officer and a BAPENDA treasurer;
- applications of the demo resident (warga@…) in every state: a draft, one at the front
  office, one returned for completion, one waiting for payment, one at signing, an issued
  Izin Reklame (its QR verifies) and a revoked one.
"""

from __future__ import annotations

from django.db import transaction

from kotapintar.core.demo import DEMO_FLAG_DOMAIN, DemoAccount

DEMO_MARKER = "DEMO-PERMITS"

STAFF = [
    # (email local part, full name, agency, membership role, position, what they do here)
    (
        "operator.distaru",
        "Agus Tim Teknis DISTARU (demo)",
        "DISTARU",
        "officer",
        "Tim teknis reklame dan bangunan",
        "technical review",
    ),
    (
        "operator.dinkes",
        "dr. Sari Dinkes (demo)",
        "DINKES",
        "officer",
        "Seksi perizinan tenaga kesehatan",
        "technical review",
    ),
    ("bendahara.bapenda", "Dewi Bendahara BAPENDA (demo)", "BAPENDA", "officer", "Bendahara penerimaan", "treasury"),
]

REKLAME_ANSWERS = [
    {
        "ad_type": "Billboard",
        "content": "Promo Toko Maju Jaya",
        "location": "Jl. Pemuda No. 12",
        "village": "Sekayu, Semarang Tengah",
        "width_m": "4",
        "height_m": "6",
        "faces": 1,
        "duration_months": 12,
    },
    {
        "ad_type": "Neon Box",
        "content": "Warung Makan Bu Tini",
        "location": "Jl. Pandanaran No. 88",
        "village": "Pekunden, Semarang Tengah",
        "width_m": "1.5",
        "height_m": "0.8",
        "faces": 2,
        "duration_months": 12,
    },
    {
        "ad_type": "Baliho",
        "content": "Pameran UMKM Kota Semarang",
        "location": "Jl. Pahlawan No. 3",
        "village": "Mugassari, Semarang Selatan",
        "width_m": "3",
        "height_m": "5",
        "faces": 1,
        "duration_months": 3,
    },
]


def _email(local: str) -> str:
    return f"{local}@{DEMO_FLAG_DOMAIN}"


def _staff(admin, stdout) -> list[DemoAccount]:
    from kotapintar.accounts import services as account_services
    from kotapintar.accounts import totp
    from kotapintar.accounts.demo import STAFF_PASSWORD, _device
    from kotapintar.accounts.models import Role, User
    from kotapintar.agencies.models import Agency, Membership
    from kotapintar.agencies.services import membership_set

    accounts = []
    for local, name, agency_code, role, position, note in STAFF:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            stdout.write(f"demo: agency {agency_code} is missing (run import_agencies); {local} skipped")
            continue
        user = User.objects.filter(email=_email(local)).first()
        if user is None:
            user = account_services.staff_create(
                actor=admin, full_name=name, email=_email(local), role=Role.AGENCY, password=STAFF_PASSWORD
            ).user
        if not Membership.objects.filter(user=user, agency=agency, is_active=True).exists():
            membership_set(actor=admin, user=user, agency=agency, role=role, position=position)
        device = _device(user)
        accounts.append(
            DemoAccount(
                role=str(Role.AGENCY.label),
                login=user.email,
                password=STAFF_PASSWORD,
                totp_secret=totp.secret_base32(device),
                otpauth_uri=totp.otpauth_uri(device),
                note=f"{agency_code} — {note} (perizinan)",
            )
        )
    return accounts


def _upload_all(services, application, applicant, *, skip: str = "") -> None:
    from kotapintar.permits.samples import upload_for

    for requirement in application.permit_type.documents.all():
        if requirement.mandatory and requirement.key != skip:
            services.document_upload(
                actor=applicant, application=application, requirement=requirement, uploaded=upload_for(requirement)
            )


def _start(services, applicant, permit_type, key, answers, holder):
    application, created = services.application_start(
        applicant=applicant, permit_type=permit_type, client_key=f"{DEMO_MARKER}-{key}"
    )
    if created:
        services.application_save_answers(
            actor=applicant,
            application=application,
            holder_name=holder,
            holder_address="Jl. Gajahmada No. 7, Semarang",
            data=answers,
        )
    return application, created


def load(*, stdout) -> list[DemoAccount]:
    from kotapintar.accounts.demo import _admin
    from kotapintar.accounts.models import User
    from kotapintar.agencies.models import Agency
    from kotapintar.permits import services
    from kotapintar.permits.models import PermitType
    from kotapintar.permits.samples import ANSWERS, run_until

    if not Agency.objects.filter(code="DPMPTSP").exists():
        stdout.write("demo: agencies are missing (run import_agencies); permits demo skipped")
        return []
    if not PermitType.objects.exists():
        services.permit_types_import()
    admin = _admin()
    accounts = _staff(admin, stdout)
    applicant = User.objects.filter(email=_email("warga")).first()
    front = User.objects.filter(email=_email("operator.dpmptsp")).first()
    head = User.objects.filter(email=_email("kepala.dpmptsp")).first()
    distaru = User.objects.filter(email=_email("operator.distaru")).first()
    dinkes = User.objects.filter(email=_email("operator.dinkes")).first()
    treasury = User.objects.filter(email=_email("bendahara.bapenda")).first()
    if None in (applicant, front, head, distaru, dinkes, treasury):
        stdout.write("demo: demo accounts are missing; permit applications skipped")
        return accounts
    types = {t.code: t for t in PermitType.objects.all()}
    office = _Office(
        types=types, front=front, head=head, distaru=distaru, dinkes=dinkes, treasury=treasury, applicant=applicant
    )

    def scenario(key, code, answers, holder, until, *, returned=False, revoke=False):
        if code not in types:
            return
        with transaction.atomic():
            application, created = _start(services, applicant, types[code], key, answers, holder)
            if not created:
                return
            if until == "draft":
                return
            _upload_all(services, application, applicant)
            services.application_submit(actor=applicant, application=application)
            if returned:
                services.application_return(
                    actor=front,
                    application=application,
                    note="Foto KTP terpotong dan tidak terbaca. Unggah ulang scan KTP yang utuh.",
                    missing_documents=["ktp"],
                )
                return
            if until == "awaiting_payment":
                run_until(office, application, "awaiting_payment")
                return
            result = run_until(office, application, until)
            if revoke and until == "issued":
                services.permit_revoke(
                    actor=head, permit=result, reason="Reklame dipasang tidak sesuai lokasi yang diizinkan."
                )

    scenario(
        "draft",
        "PBG",
        {"building_function": "Hunian", "site_address": "Jl. Setiabudi No. 20"},
        applicant.full_name,
        "draft",
    )
    scenario("front-office", "SIP", ANSWERS["SIP"], "dr. " + applicant.full_name.replace(" (demo)", ""), "completeness")
    scenario("returned", "REKLAME", REKLAME_ANSWERS[1], "Warung Makan Bu Tini", "completeness", returned=True)
    scenario("payment", "PBG", ANSWERS["PBG"], applicant.full_name.replace(" (demo)", ""), "awaiting_payment")
    scenario("signing", "REKLAME", REKLAME_ANSWERS[2], "Paguyuban UMKM Semarang", "signing")
    scenario("issued", "REKLAME", REKLAME_ANSWERS[0], "CV Maju Jaya Abadi", "issued")
    scenario(
        "revoked",
        "REKLAME",
        {**REKLAME_ANSWERS[0], "location": "Jl. Imam Bonjol No. 40"},
        "CV Maju Jaya Abadi",
        "issued",
        revoke=True,
    )
    return accounts


class _Office:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
