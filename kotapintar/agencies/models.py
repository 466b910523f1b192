"""The city's agencies (perangkat daerah / OPD), their units and their staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import TimeStampedModel


class Agency(TimeStampedModel):
    """A city agency (dinas, badan, kecamatan office, BUMD) that answers for services."""

    class Kind(models.TextChoices):
        DINAS = "dinas", _("Dinas (department)")
        BADAN = "badan", _("Badan (board)")
        SATUAN = "satuan", _("Satuan (unit)")
        BAGIAN = "bagian", _("Bagian (section)")
        BUMD = "bumd", _("BUMD (city-owned company)")
        KECAMATAN = "kecamatan", _("Kecamatan office")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Kecamatan offices are linked to the kecamatan they serve (routing by location).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    description = models.TextField(_("duties"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agency (OPD)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def audit_agency_id(self) -> int | None:
        """Audit rows about an agency belong to that agency: its staff may read them."""
        return self.pk


class Unit(TimeStampedModel):
    """A unit inside an agency (bidang, seksi, UPTD, puskesmas…)."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("unit")
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="agencies_unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.agency} — {self.name}"


class Membership(TimeStampedModel):
    """A staff member's place in an agency, with their role there."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Agency officer")
        HEAD = "head", _("Agency head")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OFFICER)
    position = models.CharField(_("position"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency membership")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="agencies_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"
