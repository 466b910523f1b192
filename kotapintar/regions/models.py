"""Administrative areas of Indonesia (Kemendagri codes) and their boundaries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A province, regency/city, district (kecamatan) or village (kelurahan/desa)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency/City")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (kelurahan/desa)")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120, db_index=True)
    # GeoJSON geometry (Polygon/MultiPolygon, WGS84) as text; null where no boundary is loaded.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    boundary_approximate = models.BooleanField(_("approximate boundary (not official)"), default=False)
    boundary_updated_at = models.DateTimeField(_("boundary updated"), null=True, blank=True)
    # Bounding box and a representative point, kept with the boundary for maps and indexes.
    min_lat = models.FloatField(null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    center_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    center_lng = models.FloatField(_("centre longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("region")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"], name="regions_parent_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
