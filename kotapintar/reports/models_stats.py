"""Pre-aggregated figures of the public transparency pages (rebuilt by reports.stats).

Both tables are derived data: `manage.py refresh_report_stats` (and the periodic task
reports.refresh_public_stats) rebuild them from the reports table in one transaction, so
the public statistics page and the whole-city map never scan a million reports.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportStat(models.Model):
    """The figures of one period for the whole city, one agency, one kecamatan or one month."""

    class Dimension(models.TextChoices):
        CITY = "city", _("Whole city")
        AGENCY = "agency", _("Agency")
        DISTRICT = "district", _("Kecamatan")
        MONTH = "month", _("Month")

    # "30d", "90d", "365d" (rolling, up to the moment of computing) or a year, e.g. "2025".
    period = models.CharField(_("period"), max_length=10)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    # Agency code, kecamatan code, "YYYY-MM", or "" for the whole city.
    key = models.CharField(_("key"), max_length=40, blank=True)
    label = models.CharField(_("name"), max_length=200, blank=True)

    received = models.PositiveIntegerField(_("received"), default=0)
    in_progress = models.PositiveIntegerField(_("in progress"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    set_aside = models.PositiveIntegerField(_("set aside"), default=0)
    # Resolved reports that had a resolution deadline, and those of them resolved by it.
    with_deadline = models.PositiveIntegerField(_("resolved with a deadline"), default=0)
    on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    responded = models.PositiveIntegerField(_("with a first follow-up"), default=0)
    # Calendar days from filing (a decimal number of days, 24-hour units).
    median_response_days = models.FloatField(_("median days to first follow-up"), null=True, blank=True)
    median_resolution_days = models.FloatField(_("median days to resolution"), null=True, blank=True)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    rating_avg = models.FloatField(_("average rating"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("report statistic")
        verbose_name_plural = _("report statistics")
        ordering = ["period", "dimension", "key"]
        constraints = [
            models.UniqueConstraint(fields=["period", "dimension", "key"], name="reports_stat_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period}/{self.dimension}/{self.key or '-'}"

    @property
    def on_time_share(self) -> float | None:
        """Share (0–1) of resolved reports with a deadline that were resolved by it."""
        return self.on_time / self.with_deadline if self.with_deadline else None

    @property
    def on_time_percent(self) -> float | None:
        share = self.on_time_share
        return None if share is None else round(100 * share, 1)


class ReportMapCell(models.Model):
    """Public reports counted per fine map cell, category, status and kecamatan.

    A cell is 360/2^16 degrees (about 600 m) on the grid of the public (blurred)
    coordinates; the map merges 2^k × 2^k of them into the clusters of a lower zoom.
    """

    iy = models.IntegerField()  # floor(latitude / cell)
    ix = models.IntegerField()  # floor(longitude / cell)
    category = models.ForeignKey(
        "reports.Category", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    status = models.CharField(max_length=15)
    district_code = models.CharField(max_length=13, blank=True)
    count = models.PositiveIntegerField(default=0)
    # Sums of the public coordinates, for the position of a cluster (mean of its reports).
    sum_lat = models.FloatField(default=0)
    sum_lng = models.FloatField(default=0)

    class Meta:
        verbose_name = _("map cell")
        verbose_name_plural = _("map cells")
        indexes = [models.Index(fields=["iy", "ix"], name="reports_mapcell_idx")]

    def __str__(self) -> str:
        return f"{self.iy}:{self.ix} {self.status} ×{self.count}"


class ReportMapTotal(models.Model):
    """All public reports of one fine map cell: the unfiltered map (the common case) reads
    only these, a few thousand rows for a whole city whatever the number of reports."""

    iy = models.IntegerField()
    ix = models.IntegerField()
    count = models.PositiveIntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)  # not yet resolved
    sum_lat = models.FloatField(default=0)
    sum_lng = models.FloatField(default=0)

    class Meta:
        verbose_name = _("map cell total")
        verbose_name_plural = _("map cell totals")
        constraints = [models.UniqueConstraint(fields=["iy", "ix"], name="reports_maptotal_unique")]

    def __str__(self) -> str:
        return f"{self.iy}:{self.ix} ×{self.count}"
