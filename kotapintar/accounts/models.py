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


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
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
    # NIK is encrypted at rest (accounts/crypto.py); the keyed hash makes it unique without
    # storing it in clear.
    nik_encrypted = models.TextField(_("NIK (encrypted)"), blank=True, editable=False)
    nik_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    preferred_language = models.CharField(_("language"), max_length=5, default="id")
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
