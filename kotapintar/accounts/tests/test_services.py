"""Services of the accounts app: sign-up, verification, profile, privacy, staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from kotapintar.accounts import privacy, services
from kotapintar.accounts.errors import AccountError, ThrottledError, VerificationError
from kotapintar.accounts.models import Role, User, VerificationCode
from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import AuditLog, Notification

from .conftest import code_sent_to

pytestmark = pytest.mark.django_db

STRONG = "Rahasia-Semarang-77"


def signup(contact="warga@example.test", name="Rina Warga", password=STRONG):
    return services.citizen_signup(full_name=name, contact=contact, password=password)


# --- sign-up ----------------------------------------------------------------------------


def test_signup_by_email_sends_a_code_by_email_and_leaves_the_account_unverified():
    user = signup("Warga@Example.Test")
    assert user.email == "warga@example.test"
    assert user.phone is None
    assert user.role == Role.CITIZEN
    assert user.is_active and not user.is_contact_verified
    assert user.check_password(STRONG)
    assert user.privacy_consent_at is not None
    sent = Notification.objects.filter(kind="accounts.verification")
    assert [n.channel for n in sent] == ["email"]
    assert sent[0].address == "warga@example.test"
    assert AuditLog.objects.filter(action="accounts.signup", object_id=str(user.pk)).exists()


def test_signup_by_phone_sends_sms_and_whatsapp_to_the_normalised_number():
    user = signup("0812-3456-7890")
    assert user.phone == "+6281234567890"
    assert user.email is None
    channels = sorted(Notification.objects.filter(kind="accounts.verification").values_list("channel", flat=True))
    assert channels == ["sms", "whatsapp"]
    assert set(Notification.objects.values_list("address", flat=True)) == {"+6281234567890"}


def test_the_code_is_stored_hashed_and_expires_in_15_minutes():
    user = signup()
    code = code_sent_to(user.email)
    row = VerificationCode.objects.get(user=user)
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == dt.timedelta(minutes=15)


def test_signup_refuses_a_taken_email_or_phone_in_any_form(citizen, make_user):
    make_user(phone="+6281111111111")
    with pytest.raises(AccountError) as exc:
        signup(citizen.email.upper())
    assert exc.value.field == "contact"
    with pytest.raises(AccountError):
        signup("+62 811-1111-1111")


@pytest.mark.parametrize("password", ["12345678", "password", "Rina Warga"])
def test_signup_applies_the_password_validators(password):
    with pytest.raises(ValidationError) as exc:
        signup(name="Rina Warga", password=password)
    assert "password" in exc.value.error_dict
    assert not User.objects.exists()


def test_signup_refuses_something_that_is_neither_email_nor_phone():
    with pytest.raises(ValidationError) as exc:
        signup("bukan-alamat")
    assert "contact" in exc.value.error_dict


def test_signup_requires_consent():
    with pytest.raises(AccountError) as exc:
        services.citizen_signup(full_name="A", contact="a@example.test", password=STRONG, privacy_consent=False)
    assert exc.value.field == "consent"


# --- verification -----------------------------------------------------------------------


def test_right_code_verifies_the_email_and_hides_it_in_the_outbox():
    user = signup()
    code = code_sent_to(user.email)
    services.verification_confirm(user=user, code=code)
    user.refresh_from_db()
    assert user.is_contact_verified and user.email_verified_at is not None
    assert code not in Notification.objects.get(kind="accounts.verification").body
    assert AuditLog.objects.filter(action="accounts.contact_verify").exists()
    with pytest.raises(VerificationError):  # used once only
        services.verification_confirm(user=user, code=code)


def test_wrong_codes_are_counted_and_the_sixth_try_is_refused_even_when_right():
    user = signup()
    code = code_sent_to(user.email)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(VerificationError) as exc:
            services.verification_confirm(user=user, code=wrong)
        assert exc.value.code == "wrong_code"
        assert str(left) in exc.value.message
    with pytest.raises(VerificationError):
        services.verification_confirm(user=user, code=wrong)
    assert VerificationCode.objects.get(user=user).attempts == 5
    with pytest.raises(VerificationError) as exc:
        services.verification_confirm(user=user, code=code)
    assert exc.value.code == "too_many_attempts"
    user.refresh_from_db()
    assert not user.is_contact_verified


def test_an_expired_code_is_refused():
    user = signup()
    code = code_sent_to(user.email)
    VerificationCode.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(VerificationError) as exc:
        services.verification_confirm(user=user, code=code)
    assert exc.value.code == "expired"
    user.refresh_from_db()
    assert not user.is_contact_verified


def _age_codes(user, minutes):
    for row in VerificationCode.objects.filter(user=user):
        VerificationCode.objects.filter(pk=row.pk).update(created_at=row.created_at - dt.timedelta(minutes=minutes))


def test_resend_is_throttled_then_replaces_the_old_code():
    user = signup()
    first = code_sent_to(user.email)
    with pytest.raises(ThrottledError) as exc:
        services.verification_resend(user=user)
    assert 0 < exc.value.wait_seconds <= 61
    _age_codes(user, 2)
    services.verification_resend(user=user)
    second = code_sent_to(user.email)
    assert VerificationCode.objects.filter(user=user, cancelled_at__isnull=True).count() == 1
    if first != second:
        with pytest.raises(VerificationError):
            services.verification_confirm(user=user, code=first)
    services.verification_confirm(user=user, code=second)
    user.refresh_from_db()
    assert user.is_contact_verified


def test_at_most_five_codes_an_hour():
    user = signup()
    for _ in range(4):
        _age_codes(user, 2)
        services.verification_resend(user=user)
    _age_codes(user, 2)
    with pytest.raises(ThrottledError) as exc:
        services.verification_resend(user=user)
    assert exc.value.code == "too_many_codes"
    _age_codes(user, 60)
    services.verification_resend(user=user)


def test_resend_after_verification_has_nothing_to_send(citizen):
    with pytest.raises(AccountError) as exc:
        services.verification_resend(user=citizen)
    assert exc.value.code == "nothing_to_verify"


def test_unverified_account_can_fix_a_mistyped_address():
    user = signup("salah@example.test")
    services.contact_change_request(user=user, channel="phone", value="081234567890")
    user.refresh_from_db()
    assert user.email is None and user.phone == "+6281234567890"
    services.verification_confirm(user=user, code=code_sent_to("+6281234567890"))
    user.refresh_from_db()
    assert user.is_contact_verified


def test_verified_email_change_takes_effect_only_after_the_new_code(citizen):
    old = citizen.email
    services.contact_change_request(user=citizen, channel="email", value="Baru@Example.Test")
    citizen.refresh_from_db()
    assert citizen.email == old  # not yet
    services.verification_confirm(user=citizen, code=code_sent_to("baru@example.test"))
    citizen.refresh_from_db()
    assert citizen.email == "baru@example.test" and citizen.email_verified_at
    # The old address is told about the change.
    assert Notification.objects.filter(kind="accounts.contact_changed", address=old).exists()
    assert AuditLog.objects.filter(action="accounts.contact_change", object_id=str(citizen.pk)).exists()


def test_adding_a_phone_to_an_email_account(citizen):
    services.contact_change_request(user=citizen, channel="phone", value="+62 812 0000 1111")
    services.verification_confirm(user=citizen, code=code_sent_to("+6281200001111"))
    citizen.refresh_from_db()
    assert citizen.phone == "+6281200001111" and citizen.phone_verified_at and citizen.email


def test_contact_change_refuses_an_address_of_another_account(citizen, make_user):
    other = make_user()
    with pytest.raises(AccountError) as exc:
        services.contact_change_request(user=citizen, channel="email", value=other.email)
    assert exc.value.field == "email"


# --- profile and password ---------------------------------------------------------------


def test_profile_update_records_changed_fields_not_values(citizen):
    services.user_profile_update(actor=citizen, user=citizen, full_name="  Siti   Aminah ", preferred_language="en")
    citizen.refresh_from_db()
    assert citizen.full_name == "Siti Aminah" and citizen.preferred_language == "en"
    row = AuditLog.objects.get(action="accounts.profile_update")
    assert row.after == {"changed": ["full_name", "preferred_language"]}
    assert "Siti" not in str(row.after) and "Siti" not in row.object_label and "Siti" not in row.actor_label


def test_someone_else_cannot_change_a_profile(citizen, make_user):
    with pytest.raises(NotAllowed):
        services.user_profile_update(actor=make_user(), user=citizen, full_name="X")


def test_password_change_checks_the_old_password(citizen):
    with pytest.raises(AccountError) as exc:
        services.user_password_change(user=citizen, old_password="salah", new_password=STRONG)
    assert exc.value.field == "old_password"
    services.user_password_change(user=citizen, old_password="kata-sandi-uji-123", new_password=STRONG)
    citizen.refresh_from_db()
    assert citizen.check_password(STRONG)
    assert Notification.objects.filter(kind="accounts.password_changed", recipient=citizen).exists()


# --- privacy: export and deletion -------------------------------------------------------


def test_export_contains_the_account_with_clear_nik_and_the_inbox(citizen, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    Notification.objects.create(
        recipient=citizen, channel="inbox", subject="Laporan diterima", body="Isi", dedupe_key="t:1:inbox"
    )
    data = services.user_data_export(user=citizen)
    account = data["sections"]["account"]
    assert account["email"] == citizen.email
    assert account["full_name"] == "Siti Warga"
    assert account["nik"] == "3374014506900001"
    assert [n["subject"] for n in data["sections"]["notifications"]] == ["Laporan diterima"]
    assert AuditLog.objects.filter(action="accounts.data_export", object_id=str(citizen.pk)).exists()


def test_other_apps_can_register_an_exporter_and_an_eraser(citizen):
    calls = []
    privacy.register(
        "test-app",
        label="Test",
        exporter=lambda user: {"owner": user.pk},
        eraser=lambda user: calls.append(user.pk),
    )
    try:
        assert services.user_data_export(user=citizen)["sections"]["test-app"] == {"owner": citizen.pk}
        services.user_delete(actor=citizen, user=citizen, password="kata-sandi-uji-123")
        assert calls == [citizen.pk]
    finally:
        privacy.unregister("test-app")


def test_delete_anonymises_and_keeps_the_row_and_audit_log(citizen, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    Token.objects.create(user=citizen)
    Notification.objects.create(recipient=citizen, channel="inbox", subject="S", body="B", dedupe_key="t:2:inbox")
    audit_rows = AuditLog.objects.count()
    with pytest.raises(AccountError):
        services.user_delete(actor=citizen, user=citizen, password="salah")
    services.user_delete(actor=citizen, user=citizen, password="kata-sandi-uji-123")
    user = User.objects.get(pk=citizen.pk)
    assert user.full_name == "" and user.email is None and user.phone is None
    assert user.nik_encrypted == "" and user.nik_hash is None
    assert not user.has_usable_password() and not user.is_active and user.deleted_at
    assert not Token.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert AuditLog.objects.count() == audit_rows + 1
    row = AuditLog.objects.get(action="accounts.delete")
    assert "Siti" not in row.object_label and citizen.email not in str(row.after)
    # The NIK and the email are free again.
    other = services.citizen_signup(full_name="Baru", contact=citizen.email, password=STRONG)
    services.verification_confirm(user=other, code=code_sent_to(citizen.email))
    services.user_nik_set(actor=other, user=other, nik="3374014506900001")


def test_staff_cannot_delete_their_own_account_but_an_admin_can(verifier, admin_user):
    with pytest.raises(NotAllowed):
        services.user_delete(actor=verifier, user=verifier, password="kata-sandi-uji-123")
    services.user_delete(actor=admin_user, user=verifier)
    verifier.refresh_from_db()
    assert verifier.is_deleted


# --- staff ------------------------------------------------------------------------------


def test_staff_create_makes_a_staff_account_with_an_unconfirmed_totp_device(admin_user):
    result = services.staff_create(
        actor=admin_user, full_name="Dewi Verifikator", email="Dewi@Kota.test", role=Role.VERIFIER
    )
    user = result.user
    assert user.email == "dewi@kota.test" and user.role == Role.VERIFIER
    assert user.is_contact_verified and not user.is_staff
    assert result.generated_password and user.check_password(result.generated_password)
    assert result.device.user == user and not result.device.confirmed
    assert AuditLog.objects.filter(action="accounts.staff_create", object_id=str(user.pk)).exists()


def test_staff_create_for_an_administrator_gives_admin_access(admin_user):
    user = services.staff_create(
        actor=admin_user, full_name="Admin Dua", email="a2@kota.test", role=Role.ADMIN, password=STRONG
    ).user
    assert user.is_staff and user.is_superuser and user.check_password(STRONG)


def test_staff_create_refuses_citizen_role_and_non_admins(admin_user, verifier):
    with pytest.raises(AccountError) as exc:
        services.staff_create(actor=admin_user, full_name="X", email="x@kota.test", role=Role.CITIZEN)
    assert exc.value.field == "role"
    with pytest.raises(NotAllowed):
        services.staff_create(actor=verifier, full_name="X", email="x@kota.test", role=Role.VERIFIER)


def test_only_admins_change_roles(citizen, admin_user, verifier):
    with pytest.raises(NotAllowed):
        services.user_admin_update(actor=citizen, user=citizen, changes={"role": Role.ADMIN})
    with pytest.raises(NotAllowed):
        services.user_admin_update(actor=verifier, user=citizen, changes={"role": Role.VERIFIER})
    services.user_admin_update(actor=admin_user, user=citizen, changes={"role": Role.VERIFIER})
    citizen.refresh_from_db()
    assert citizen.role == Role.VERIFIER
    assert TOTPDevice.objects.filter(user=citizen, confirmed=False).exists()
    row = AuditLog.objects.get(action="accounts.admin_update")
    assert row.before == {"role": "citizen"} and row.after["role"] == "verifier"


def test_two_factor_reset_replaces_the_device(admin_user, verifier):
    from kotapintar.testing.accounts import confirmed_device

    old = confirmed_device(verifier)
    new = services.staff_two_factor_reset(actor=admin_user, user=verifier)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert not new.confirmed
    assert AuditLog.objects.filter(action="accounts.two_factor_reset", object_id=str(verifier.pk)).exists()
    with pytest.raises(NotAllowed):
        services.staff_two_factor_reset(actor=verifier, user=verifier)


def test_two_factor_codes_are_throttled_by_django_otp(verifier):
    from kotapintar.testing.accounts import confirmed_device, totp_code

    device = confirmed_device(verifier)
    result = services.two_factor_verify(user=verifier, token="000000" if totp_code(device) != "000000" else "111111")
    assert not result.ok
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # After many failures the right code is refused until the wait is over.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    result = services.two_factor_verify(user=verifier, token=totp_code(device))
    assert not result.ok and result.wait_seconds > 60
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))
    assert services.two_factor_verify(user=verifier, token=totp_code(device)).ok
