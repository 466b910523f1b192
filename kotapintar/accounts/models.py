"""One account per person: residents and city staff."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The platform role of an account (DESIGN.md). Agency officer/head comes from Membership."""

    CITIZEN = "citizen", _("Citizen")
    VERIFIER = "verifier", _("Verifier")
    AGENCY = "agency", _("Agency staff")
    LEADERSHIP = "leadership", _("Leadership")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.VERIFIER, Role.AGENCY, Role.LEADERSHIP, Role.ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email=None, password=None, *, verified: bool = True, **extra):
        """Create an account from code (admin, demo data, tests): its contact counts as verified.

        Residents who sign up themselves go through `services.citizen_signup`, which leaves the
        contact unverified until they enter the code we send.
        """
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra)
        if verified:
            now = timezone.now()
            if user.email and not user.email_verified_at:
                user.email_verified_at = now
            if user.phone and not user.phone_verified_at:
                user.phone_verified_at = now
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email=email, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: a resident, or a member of the city's staff."""

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    # E.164 without spaces, e.g. +6281234567890 (normalised by accounts.phone).
    phone = models.CharField(_("phone number"), max_length=20, unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)
    # Set when an administrator created the account with a generated password: the person
    # chooses their own before anything else (accounts.middleware).
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)
    # NIK is encrypted at rest (accounts/crypto.py); the keyed hash makes it unique without
    # storing it in clear.
    nik_encrypted = models.TextField(_("NIK (encrypted)"), blank=True, editable=False)
    nik_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    preferred_language = models.CharField(_("language"), max_length=5, default="id")
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("account")
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    def get_username(self) -> str:
        return self.email or self.phone or ""

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_staff_member(self) -> bool:
        """Any city staff role: these accounts must sign in with two factors."""
        return self.role in STAFF_ROLES

    @property
    def is_contact_verified(self) -> bool:
        """The person proved they hold their email address or phone number."""
        return bool((self.email and self.email_verified_at) or (self.phone and self.phone_verified_at))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_nik(self) -> bool:
        return bool(self.nik_encrypted)


class VerificationCode(models.Model):
    """A one-time code sent to an email address or phone number to prove the person holds it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone number")

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="verification_codes"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The address being proved: the account's own, or the new one of a change request.
    target = models.CharField(_("address"), max_length=254)
    # Keyed hash of the code (never the code itself).
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification code")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="accounts_vcode_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.cancelled_at is None
