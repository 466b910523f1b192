"""Demo accounts: one resident and one staff account per role (see kotapintar/core/demo.py).

Idempotent: existing accounts are left as they are (a password changed by the person who
tried the demo stays changed); only the printed list is rebuilt every time. Each staff
account gets a confirmed TOTP authenticator whose secret is printed, so a person can add
it to an authenticator app and sign in with the 6-digit code.
"""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from kotapintar.agencies.models import Agency, Membership
from kotapintar.agencies.services import membership_set
from kotapintar.core.demo import DEMO_FLAG_DOMAIN, DemoAccount

from . import services, totp
from .models import Role, User

CITIZEN_PASSWORD = "WargaDemo#2026"  # noqa: S105 (published demo credentials)
STAFF_PASSWORD = "StafDemo#2026"  # noqa: S105

# (email local part, full name, role, agency code, agency role, position)
STAFF = [
    ("admin", "Admin Platform (demo)", Role.ADMIN, None, None, ""),
    ("verifikator", "Sari Verifikator (demo)", Role.VERIFIER, None, None, ""),
    ("pimpinan", "Pak Wali (demo)", Role.LEADERSHIP, None, None, ""),
    ("operator.dpu", "Budi Operator DPU (demo)", Role.AGENCY, "DPU", Membership.Role.OFFICER, "Operator pengaduan"),
    ("kepala.dpu", "Ir. Rina Kepala DPU (demo)", Role.AGENCY, "DPU", Membership.Role.HEAD, "Kepala Dinas"),
    ("operator.disperkim", "Dewi Operator Disperkim (demo)", Role.AGENCY, "DISPERKIM", Membership.Role.OFFICER, ""),
    ("operator.dlh", "Agus Operator DLH (demo)", Role.AGENCY, "DLH", Membership.Role.OFFICER, ""),
    ("operator.dpmptsp", "Lina Front Office DPMPTSP (demo)", Role.AGENCY, "DPMPTSP", Membership.Role.OFFICER, ""),
    ("kepala.dpmptsp", "Drs. Hadi Kepala DPMPTSP (demo)", Role.AGENCY, "DPMPTSP", Membership.Role.HEAD, "Kepala Dinas"),
]

CITIZENS = [
    ("warga", "Wulan Warga (demo)", "081200000001"),
    ("warga2", "Joko Warga (demo)", "081200000002"),
]


def email(local: str) -> str:
    return f"{local}@{DEMO_FLAG_DOMAIN}"


def _admin() -> User:
    admin = User.objects.filter(email=email("admin")).first()
    if admin is None:
        # The first administrator is created the way `manage.py createsuperuser` does;
        # every later account goes through the services, with this admin as the actor.
        admin = User.objects.create_superuser(email=email("admin"), password=STAFF_PASSWORD, full_name=STAFF[0][1])
    return admin


def _device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        return device
    device = services.two_factor_device_ensure(user=user)
    services.two_factor_setup_confirm(user=user, token=totp.current_token(device))
    device.refresh_from_db()
    return device


def load(*, stdout) -> list[DemoAccount]:
    admin = _admin()
    accounts: list[DemoAccount] = []
    for local, name, role, agency_code, agency_role, position in STAFF:
        user = User.objects.filter(email=email(local)).first()
        if user is None:
            user = services.staff_create(
                actor=admin, full_name=name, email=email(local), role=role, password=STAFF_PASSWORD
            ).user
        note = ""
        if agency_code:
            agency = Agency.objects.filter(code=agency_code).first()
            if agency is None:
                stdout.write(f"demo: agency {agency_code} is missing (run import_agencies); {local} has no agency")
            else:
                if not Membership.objects.filter(user=user, agency=agency, is_active=True).exists():
                    membership_set(actor=admin, user=user, agency=agency, role=agency_role, position=position)
                note = f"{agency.short_name or agency.code} — {Membership.Role(agency_role).label}"
        device = _device(user)
        accounts.append(
            DemoAccount(
                role=str(Role(role).label),
                login=user.email,
                password=STAFF_PASSWORD,
                totp_secret=totp.secret_base32(device),
                otpauth_uri=totp.otpauth_uri(device),
                note=str(note),
            )
        )
    citizens: list[DemoAccount] = []
    for local, name, phone in CITIZENS:
        user = User.objects.filter(email=email(local)).first()
        if user is None:
            # create_user counts the contact as verified (accounts created from code).
            user = User.objects.create_user(
                email=email(local), password=CITIZEN_PASSWORD, full_name=name, phone=phone.replace("0", "+62", 1)
            )
        citizens.append(
            DemoAccount(role=str(Role.CITIZEN.label), login=f"{user.email} / {phone}", password=CITIZEN_PASSWORD)
        )
    return citizens + accounts
