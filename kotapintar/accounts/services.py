"""Every write to accounts: sign-up, verification, profile, NIK, privacy, staff and 2FA.

Rules kept here (and nowhere else):
- Residents' personal data never enters the append-only audit log: rows about an account are
  labelled "user #<id>" and record which fields changed, not their values.
- A wrong verification code or TOTP code is *counted* even though the call fails: those
  functions commit the counter in their own transaction and raise (or return) afterwards.
- Notifications (codes, security notices) go through the kernel outbox in the person's
  preferred language.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from kotapintar.core import audit
from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import Notification
from kotapintar.core.notifications import notify

from . import crypto, policies, privacy
from .contact import EMAIL, PHONE, Contact, parse_contact, parse_email, parse_phone
from .errors import AccountError, ThrottledError, VerificationError
from .models import STAFF_ROLES, Role, User, VerificationCode
from .nik import parse_nik

VERIFICATION_TTL = dt.timedelta(minutes=15)
VERIFICATION_MAX_ATTEMPTS = 5
RESEND_INTERVAL = dt.timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def label_of(user: User) -> str:
    """How audit rows name an account: never by name, email, phone or NIK."""
    return f"user #{user.pk}"


def _language(user: User) -> str:
    return user.preferred_language if user.preferred_language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _field_error(field: str, exc: ValidationError) -> ValidationError:
    return ValidationError({field: exc.error_list})


# --- Verification codes -----------------------------------------------------------------


def _code_hash(row_id: int, code: str) -> str:
    return crypto.keyed_hash(f"{row_id}:{code}", purpose="verification-code")


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _ensure_available(contact: Contact, *, exclude: User | None = None, field: str = "contact") -> None:
    if contact.channel == EMAIL:
        qs = User.objects.filter(email__iexact=contact.value)
        message = _("An account with this email address already exists. Sign in instead, or use another address.")
    else:
        qs = User.objects.filter(phone=contact.value)
        message = _("An account with this phone number already exists. Sign in instead, or use another number.")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise AccountError(str(message), code="taken", field=field)


def _send_code(*, user: User, row: VerificationCode, code: str) -> None:
    with translation.override(_language(user)):
        subject = gettext("Your %(platform)s verification code") % {"platform": settings.PLATFORM_NAME}
        body = gettext(
            "Your verification code is %(code)s. It is valid for %(minutes)d minutes. "
            "Do not share it with anyone, not even with city staff."
        ) % {"code": code, "minutes": int(VERIFICATION_TTL.total_seconds() // 60)}
    channels = (
        [Notification.Channel.EMAIL]
        if row.channel == EMAIL
        else [
            Notification.Channel.SMS,
            Notification.Channel.WHATSAPP,
        ]
    )
    notify(
        channels=channels,
        kind="accounts.verification",
        subject=subject,
        body=body,
        dedupe_key=f"accounts:verification:{row.pk}",
        recipient=user,
        address=row.target,
    )


def _issue_code(*, user: User, channel: str, target: str) -> VerificationCode:
    now = timezone.now()
    VerificationCode.objects.filter(user=user, used_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
    row = VerificationCode.objects.create(
        user=user, channel=channel, target=target, code_hash="", created_at=now, expires_at=now + VERIFICATION_TTL
    )
    code = _new_code()
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    _send_code(user=user, row=row, code=code)
    return row


def _check_send_allowed(user: User, *, interval: bool = True) -> None:
    now = timezone.now()
    recent = list(
        VerificationCode.objects.filter(user=user, created_at__gte=now - dt.timedelta(hours=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if interval and recent and now - recent[-1] < RESEND_INTERVAL:
        wait = max(1, int((recent[-1] + RESEND_INTERVAL - now).total_seconds()) + 1)
        raise ThrottledError(
            ngettext(
                "A code was sent a moment ago. Wait %(seconds)d second before asking for a new one.",
                "A code was sent a moment ago. Wait %(seconds)d seconds before asking for a new one.",
                wait,
            )
            % {"seconds": wait},
            wait_seconds=wait,
            code="resend_too_soon",
        )
    if len(recent) >= MAX_CODES_PER_HOUR:
        wait = max(60, int((recent[0] + dt.timedelta(hours=1) - now).total_seconds()) + 1)
        minutes = (wait + 59) // 60
        raise ThrottledError(
            ngettext(
                "You asked for too many codes. Try again in %(minutes)d minute.",
                "You asked for too many codes. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            wait_seconds=wait,
            code="too_many_codes",
        )


def open_code(user: User) -> VerificationCode | None:
    """The code the person is expected to type now, if any."""
    return (
        VerificationCode.objects.filter(user=user, used_at__isnull=True, cancelled_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def citizen_signup(
    *, full_name: str, contact: str, password: str, language: str = "id", privacy_consent: bool = True
) -> User:
    """Create a resident's account and send the code that proves the email/phone is theirs.

    The account can sign in at once but is sent to the verification page until the code is
    entered (see accounts.middleware).
    """
    if not privacy_consent:
        raise AccountError(
            gettext("You must accept the privacy notice to create an account."), code="consent", field="consent"
        )
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": gettext("Enter your full name.")})
    try:
        parsed = parse_contact(contact)
    except ValidationError as exc:
        raise _field_error("contact", exc) from exc
    _ensure_available(parsed)
    user = User(
        full_name=full_name[:150],
        role=Role.CITIZEN,
        preferred_language=language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE,
        privacy_consent_at=timezone.now(),
    )
    if parsed.channel == EMAIL:
        user.email = parsed.value
    else:
        user.phone = parsed.value
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise _field_error("password", exc) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same address won the race
        raise AccountError(
            gettext("An account with this email address or phone number already exists."),
            code="taken",
            field="contact",
        ) from exc
    audit.record(
        actor=user, action="accounts.signup", obj=user, label=label_of(user), after={"channel": parsed.channel}
    )
    _issue_code(user=user, channel=parsed.channel, target=parsed.value)
    return user


@transaction.atomic
def verification_resend(*, user: User) -> VerificationCode:
    """Send a fresh code (the old one stops working); at most one a minute, five an hour."""
    pending = open_code(user)
    if pending is not None:
        channel, target = pending.channel, pending.target
    elif not user.is_contact_verified:
        channel, target = (EMAIL, user.email or "") if user.email else (PHONE, user.phone or "")
    else:
        raise AccountError(gettext("Your account is already verified."), code="nothing_to_verify")
    _check_send_allowed(user)
    row = _issue_code(user=user, channel=channel, target=target)
    audit.record(actor=user, action="accounts.verification_resend", obj=user, label=label_of(user))
    return row


def verification_confirm(*, user: User, code: str) -> User:
    """Check the code the person typed; on success their email/phone counts as verified.

    A wrong code is counted (at most VERIFICATION_MAX_ATTEMPTS) and the count is committed
    before the error is raised.
    """
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    failure: VerificationError | None = None
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, cancelled_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if row is None:
            raise VerificationError(
                gettext("There is no code waiting to be confirmed. Ask for a new code."), code="no_code", field="code"
            )
        if row.expires_at <= now:
            raise VerificationError(gettext("This code has expired. Ask for a new code."), code="expired", field="code")
        if row.attempts >= VERIFICATION_MAX_ATTEMPTS:
            raise VerificationError(
                gettext("Too many wrong codes were entered. Ask for a new code."),
                code="too_many_attempts",
                field="code",
            )
        if len(code) != 6 or not hmac.compare_digest(row.code_hash, _code_hash(row.pk, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = VERIFICATION_MAX_ATTEMPTS - row.attempts
            if left > 0:
                message = ngettext(
                    "The code is not correct. You have %(left)d try left.",
                    "The code is not correct. You have %(left)d tries left.",
                    left,
                ) % {"left": left}
            else:
                message = gettext("The code is not correct, and that was the last try. Ask for a new code.")
            failure = VerificationError(message, code="wrong_code", field="code")
        else:
            _apply_verified_contact(user=user, row=row, now=now)
    if failure is not None:
        raise failure
    user.refresh_from_db()
    return user


def _apply_verified_contact(*, user: User, row: VerificationCode, now: dt.datetime) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    contact = Contact(row.channel, row.target)
    _ensure_available(contact, exclude=user, field="code")
    old = user.email if row.channel == EMAIL else user.phone
    if row.channel == EMAIL:
        user.email, user.email_verified_at = row.target, now
        fields = ["email", "email_verified_at"]
    else:
        user.phone, user.phone_verified_at = row.target, now
        fields = ["phone", "phone_verified_at"]
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError as exc:
        raise AccountError(gettext("This address is now used by another account."), code="taken", field="code") from exc
    row.used_at = now
    row.save(update_fields=["used_at"])
    # The code has done its job: do not keep it readable in the outbox.
    Notification.objects.filter(dedupe_key__startswith=f"accounts:verification:{row.pk}:").update(
        body=gettext("(verification code used)")
    )
    changed = bool(old) and old != row.target
    audit.record(
        actor=user,
        action="accounts.contact_change" if changed else "accounts.contact_verify",
        obj=user,
        label=label_of(user),
        after={"channel": row.channel},
    )
    if changed and old:
        _notify_contact_changed(user=user, channel=row.channel, old_address=old)


def _notify_contact_changed(*, user: User, channel: str, old_address: str) -> None:
    with translation.override(_language(user)):
        subject = gettext("Your %(platform)s account details changed") % {"platform": settings.PLATFORM_NAME}
        if channel == EMAIL:
            body = gettext(
                "The email address of your account was changed. If you did not do this, "
                "contact the city's help desk at once."
            )
        else:
            body = gettext(
                "The phone number of your account was changed. If you did not do this, "
                "contact the city's help desk at once."
            )
    notify(
        channels=[Notification.Channel.EMAIL] if channel == EMAIL else [Notification.Channel.SMS],
        kind="accounts.contact_changed",
        subject=subject,
        body=body,
        dedupe_key=f"accounts:contact_changed:{user.pk}:{channel}:{timezone.now().timestamp()}",
        recipient=user,
        address=old_address,
    )


@transaction.atomic
def contact_change_request(*, user: User, channel: str, value: str) -> VerificationCode:
    """Start changing (or adding) the email or phone of an account; a code goes to the new one.

    For an account that has not verified anything yet (a typo at sign-up), the new address
    replaces the unverified one at once and the sign-up code is sent to it.
    """
    field = "email" if channel == EMAIL else "phone"
    try:
        new = parse_email(value) if channel == EMAIL else parse_phone(value)
    except ValidationError as exc:
        raise _field_error(field, exc) from exc
    contact = Contact(channel, new)
    current, verified_at = (
        (user.email, user.email_verified_at)
        if channel == EMAIL
        else (
            user.phone,
            user.phone_verified_at,
        )
    )
    if current == new and verified_at:
        raise AccountError(
            gettext("This is already the verified address of your account."), code="unchanged", field=field
        )
    _ensure_available(contact, exclude=user, field=field)
    _check_send_allowed(user, interval=False)
    if not user.is_contact_verified:
        user.email = new if channel == EMAIL else None
        user.phone = new if channel == PHONE else None
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "phone"])
        except IntegrityError as exc:
            raise AccountError(gettext("This address is used by another account."), code="taken", field=field) from exc
        audit.record(
            actor=user, action="accounts.contact_replace", obj=user, label=label_of(user), after={"channel": channel}
        )
    else:
        audit.record(
            actor=user,
            action="accounts.contact_change_request",
            obj=user,
            label=label_of(user),
            after={"channel": channel},
        )
    return _issue_code(user=user, channel=channel, target=new)


# --- Profile ----------------------------------------------------------------------------


@transaction.atomic
def user_profile_update(
    *, actor: User, user: User, full_name: str | None = None, preferred_language: str | None = None
) -> User:
    """Change the name or language of an account (the person themself or an administrator)."""
    if not policies.can_view_profile(actor, user):
        raise NotAllowed(gettext("You may not change this account."))
    changed: list[str] = []
    if full_name is not None:
        full_name = " ".join(full_name.split())
        if not full_name:
            raise ValidationError({"full_name": gettext("Enter your full name.")})
        if full_name != user.full_name:
            user.full_name = full_name[:150]
            changed.append("full_name")
    if preferred_language is not None and preferred_language != user.preferred_language:
        if preferred_language not in LANGUAGE_CODES:
            raise ValidationError({"preferred_language": gettext("Choose one of the offered languages.")})
        user.preferred_language = preferred_language
        changed.append("preferred_language")
    if changed:
        user.save(update_fields=changed)
        audit.record(
            actor=actor, action="accounts.profile_update", obj=user, label=label_of(user), after={"changed": changed}
        )
    return user


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise AccountError(
            gettext("Your current password is not correct."), code="wrong_password", field="old_password"
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise _field_error("new_password1", exc) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="accounts.password_change", obj=user, label=label_of(user))
    with translation.override(_language(user)):
        subject = gettext("Your %(platform)s password was changed") % {"platform": settings.PLATFORM_NAME}
        body = gettext(
            "The password of your account was changed. If you did not do this, contact the city's help desk at once."
        )
    notify(
        channels=[Notification.Channel.EMAIL, Notification.Channel.SMS, Notification.Channel.INBOX],
        kind="accounts.password_changed",
        subject=subject,
        body=body,
        dedupe_key=f"accounts:password_changed:{user.pk}:{timezone.now().timestamp()}",
        recipient=user,
    )
    return user


# --- NIK --------------------------------------------------------------------------------


def nik_hash(nik: str) -> str:
    return crypto.keyed_hash(nik, purpose="nik")


@transaction.atomic
def user_nik_set(*, actor: User, user: User, nik: str) -> User:
    """Add or change the NIK of one's own account (validated, encrypted, unique)."""
    if actor is None or actor.pk != user.pk:
        raise NotAllowed(gettext("Only the account holder can enter their NIK."))
    try:
        info = parse_nik(nik)
    except ValidationError as exc:
        raise _field_error("nik", exc) from exc
    digest = nik_hash(info.nik)
    taken = AccountError(
        gettext("This NIK is already registered to another account. If it is yours, contact the city's help desk."),
        code="nik_taken",
        field="nik",
    )
    if User.objects.filter(nik_hash=digest).exclude(pk=user.pk).exists():
        raise taken
    had = user.has_nik
    if had and user.nik_hash == digest:
        return user
    user.nik_encrypted = crypto.encrypt(info.nik)
    user.nik_hash = digest
    try:
        with transaction.atomic():
            user.save(update_fields=["nik_encrypted", "nik_hash"])
    except IntegrityError as exc:
        raise taken from exc
    audit.record(
        actor=actor, action="accounts.nik_change" if had else "accounts.nik_add", obj=user, label=label_of(user)
    )
    return user


def nik_clear(user: User) -> str:
    """The NIK in clear, for code that already passed the policy (exports, reveals)."""
    return crypto.decrypt(user.nik_encrypted) if user.nik_encrypted else ""


@transaction.atomic
def user_nik_reveal(*, viewer: User, subject: User) -> str:
    """Show a NIK in clear to someone allowed to read it; every reveal is audited."""
    if not policies.can_read_nik(viewer, subject):
        raise NotAllowed(gettext("You may not see this NIK."))
    if not subject.has_nik:
        return ""
    audit.record(actor=viewer, action="accounts.nik_reveal", obj=subject, label=label_of(subject))
    return nik_clear(subject)


# --- Privacy: export and deletion -------------------------------------------------------


@transaction.atomic
def user_data_export(*, user: User) -> dict:
    """All the data the platform holds about the person (UU PDP right of access)."""
    if not user.is_authenticated or user.is_deleted:
        raise NotAllowed(gettext("This account cannot export data."))
    audit.record(actor=user, action="accounts.data_export", obj=user, label=label_of(user))
    return privacy.export_user_data(user)


@transaction.atomic
def user_delete(*, actor: User | None, user: User, password: str | None = None) -> User:
    """Close an account for good: erase personal data, keep the row (FKs, audit log).

    The person closes their own account with their password; an administrator may close any
    account (no password). Every registered privacy eraser runs first, then the account is
    anonymised: name, email, phone, NIK and password wiped, deactivated, sessions and API
    tokens ended.
    """
    if user.is_deleted:
        raise AccountError(gettext("This account is already deleted."), code="already_deleted")
    if actor is not None and actor.pk == user.pk:
        if not policies.can_delete_own_account(actor):
            raise NotAllowed(gettext("Staff accounts are closed by an administrator."))
        if not password or not user.check_password(password):
            raise AccountError(gettext("Your password is not correct."), code="wrong_password", field="password")
    elif not policies.can_manage_accounts(actor):
        raise NotAllowed(gettext("You may not delete this account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    erased = privacy.erase_user_data(user)
    user.full_name = ""
    user.email = None
    user.phone = None
    user.email_verified_at = None
    user.phone_verified_at = None
    user.nik_encrypted = ""
    user.nik_hash = None
    user.set_unusable_password()  # also ends every session: their auth hash no longer matches
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    audit.record(actor=actor, action="accounts.delete", obj=user, label=label_of(user), after={"erased": erased})
    return user


def _account_export(user: User) -> dict:
    from .selectors import memberships_of

    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_verified_at": user.email_verified_at,
        "phone_verified_at": user.phone_verified_at,
        "privacy_consent_at": user.privacy_consent_at,
        "nik": nik_clear(user) or None,
        "two_factor_enabled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "api_token_issued": Token.objects.filter(user=user).exists(),
        "agency_memberships": [
            {
                "agency": str(m.agency),
                "unit": str(m.unit.name) if m.unit_id else None,
                "role": m.role,
                "position": m.position,
            }
            for m in memberships_of(user)
        ],
    }


def _jsonable(data):
    return audit._jsonable(data)


def account_exporter(user: User) -> dict:
    return _jsonable(_account_export(user))


def account_eraser(user: User) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    identifiers = [v for v in (user.email, user.phone) if v]
    if identifiers:
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__in=identifiers).delete()
    VerificationCode.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()


def account_summary(user: User) -> str:
    parts = [gettext("name"), gettext("sign-in details")]
    if user.email:
        parts.append(gettext("email address"))
    if user.phone:
        parts.append(gettext("phone number"))
    if user.has_nik:
        parts.append(gettext("NIK (encrypted)"))
    return ", ".join(str(p) for p in parts)


def notifications_exporter(user: User) -> list[dict]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return [
        _jsonable(
            {
                "created_at": n.created_at,
                "channel": n.channel,
                "address": n.address,
                "subject": n.subject,
                "body": n.body,
                "url": n.url,
                "status": n.status,
                "read_at": n.read_at,
            }
        )
        for n in rows
    ]


def notifications_eraser(user: User) -> None:
    Notification.objects.filter(recipient=user).delete()


def notifications_summary(user: User) -> str:
    count = Notification.objects.filter(recipient=user).count()
    return ngettext("%(count)d message", "%(count)d messages", count) % {"count": count}


# --- Staff accounts and two-factor sign-in ----------------------------------------------


@dataclass(frozen=True)
class StaffCreated:
    user: User
    device: TOTPDevice
    # The password to hand over, when one was generated (None when the admin chose one).
    generated_password: str | None


def _require_admin(actor: User | None) -> None:
    if not policies.can_manage_accounts(actor):
        raise NotAllowed(gettext("Only administrators can manage staff accounts."))


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    full_name: str,
    email: str,
    role: str,
    password: str | None = None,
    phone: str | None = None,
) -> StaffCreated:
    """Create a staff account (administrators only) with a TOTP device still to be set up.

    The staff member sees the setup page (QR code) at their first sign-in. Administrators
    get Django-admin access. Agency memberships are given separately (agencies app).
    """
    _require_admin(actor)
    if role not in STAFF_ROLES:
        raise AccountError(gettext("Choose a staff role."), code="not_staff_role", field="role")
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": gettext("Enter the full name.")})
    try:
        email_value = parse_email(email)
    except ValidationError as exc:
        raise _field_error("email", exc) from exc
    _ensure_available(Contact(EMAIL, email_value), field="email")
    phone_value = None
    if phone:
        try:
            phone_value = parse_phone(phone)
        except ValidationError as exc:
            raise _field_error("phone", exc) from exc
        _ensure_available(Contact(PHONE, phone_value), field="phone")
    now = timezone.now()
    user = User(
        full_name=full_name[:150],
        email=email_value,
        phone=phone_value,
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        email_verified_at=now,
        phone_verified_at=now if phone_value else None,
    )
    generated = None
    user.must_change_password = not password
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise _field_error("password", exc) from exc
    else:
        generated = password = secrets.token_urlsafe(12)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise AccountError(gettext("This email address is already used."), code="taken", field="email") from exc
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    audit.record(actor=actor, action="accounts.staff_create", obj=user, label=label_of(user), after={"role": role})
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your %(platform)s staff account") % {"platform": settings.PLATFORM_NAME}
        body = gettext(
            "A staff account was created for you. Sign in with your email address and the password "
            "your administrator gives you, then set up two-step verification with an authenticator app."
        )
    notify(
        channels=[Notification.Channel.EMAIL],
        kind="accounts.staff_created",
        subject=subject,
        body=body,
        dedupe_key=f"accounts:staff_created:{user.pk}",
        recipient=user,
    )
    return StaffCreated(user=user, device=device, generated_password=generated)


@transaction.atomic
def user_admin_update(*, actor: User, user: User, changes: dict) -> User:
    """An administrator changes an account's name, contact, role, language or access."""
    _require_admin(actor)
    allowed = {"full_name", "email", "phone", "role", "is_active", "is_staff", "preferred_language", "is_superuser"}
    unknown = set(changes) - allowed
    if unknown:
        raise AccountError(
            gettext("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if (
        ("is_superuser" in changes or changes.get("role") == Role.ADMIN)
        and actor is not None
        and not actor.is_superuser
    ):
        raise NotAllowed(gettext("Only a superuser can grant administrator rights."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before_role = user.role
    changed = []
    for name, value in changes.items():
        if name == "email" and value:
            value = parse_email(value)
            _ensure_available(Contact(EMAIL, value), exclude=user, field="email")
        if name == "phone" and value:
            value = parse_phone(value)
            _ensure_available(Contact(PHONE, value), exclude=user, field="phone")
        if name in ("email", "phone") and not value:
            value = None
        if name == "role" and value not in Role.values:
            raise AccountError(gettext("Choose a valid role."), field="role")
        if name == "preferred_language" and value not in LANGUAGE_CODES:
            raise AccountError(gettext("Choose one of the offered languages."), field="preferred_language")
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
            if name == "role":
                # Platform administrators work in the Django admin; nobody else gets it by role.
                for flag in ("is_staff", "is_superuser"):
                    if flag not in changes:
                        setattr(user, flag, value == Role.ADMIN)
                        changed.append(flag)
            if name == "email" and value:
                user.email_verified_at = timezone.now()
                changed.append("email_verified_at")
            if name == "phone" and value:
                user.phone_verified_at = timezone.now()
                changed.append("phone_verified_at")
    if not (user.email or user.phone):
        raise AccountError(gettext("An account needs an email address or a phone number."), field="email")
    if changed:
        user.save(update_fields=changed)
        after: dict[str, object] = {"changed": changed}
        if "role" in changed:
            after["role"] = user.role
        audit.record(
            actor=actor,
            action="accounts.admin_update",
            obj=user,
            label=label_of(user),
            before={"role": before_role} if "role" in changed else None,
            after=after,
        )
        if "role" in changed and user.is_staff_member and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return user


@transaction.atomic
def staff_two_factor_reset(*, actor: User, user: User) -> TOTPDevice:
    """Forget a staff member's authenticator (lost phone): they set it up again at next sign-in.

    Their current verified sessions stop being verified at once (the device is gone).
    """
    _require_admin(actor)
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    audit.record(actor=actor, action="accounts.two_factor_reset", obj=user, label=label_of(user))
    return device


@dataclass(frozen=True)
class TwoFactorResult:
    ok: bool
    device: TOTPDevice | None = None
    # When the code was refused because of too many wrong codes: seconds to wait.
    wait_seconds: int = 0


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def two_factor_device_ensure(*, user: User) -> TOTPDevice:
    """The device to set up: the unconfirmed one, created if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def _check_token(device_id: int, token: str) -> TwoFactorResult:
    # Committed whatever the outcome: django-otp's failure counter must survive a wrong code.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device_id)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            until = (data or {}).get("locked_until")
            wait = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
            return TwoFactorResult(ok=False, device=device, wait_seconds=wait)
        token = "".join(ch for ch in (token or "") if ch.isdigit())
        ok = device.verify_token(token)  # counts a failure itself
        return TwoFactorResult(ok=ok, device=device)


def two_factor_verify(*, user: User, token: str) -> TwoFactorResult:
    """Check a sign-in code against the staff member's confirmed authenticator."""
    device = confirmed_device(user)
    if device is None:
        raise AccountError(
            gettext("Two-step verification is not set up for this account yet."), code="two_factor_not_set_up"
        )
    return _check_token(device.pk, token)


def two_factor_setup_confirm(*, user: User, token: str) -> TwoFactorResult:
    """Confirm the new authenticator with its first code; then it guards every sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise AccountError(gettext("There is no authenticator waiting to be set up."), code="no_device")
    result = _check_token(device.pk, token)
    if result.ok:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            audit.record(actor=user, action="accounts.two_factor_enable", obj=user, label=label_of(user))
        device.confirmed = True
    return result


# --- API tokens -------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    token, created = Token.objects.get_or_create(user=user)
    audit.record(actor=user, action="accounts.api_token_issue", obj=user, label=label_of(user), after={"new": created})
    return token


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=user, action="accounts.api_token_revoke", obj=user, label=label_of(user))
    return bool(deleted)
