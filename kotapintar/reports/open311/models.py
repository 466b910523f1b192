"""Client applications of the Open311 GeoReport v2 server and their API keys.

A key is shown once, when it is made (admin or `manage.py open311_key create NAME`); only
its SHA-256 is stored, with its first characters (`key_prefix`) to find the row and to name
the key in lists. A 256-bit random key needs no slow hash: nobody can try 2^256 keys.

The model lives in the `reports` app (imported at the end of reports/models.py), because
every report filed through Open311 records which client filed it (`Report.channel_client`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Open311Client(models.Model):
    """An application (a 311 app, a partner's system, an aggregator) allowed to file reports through Open311."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who maintains the application: e-mail or phone.")
    )
    # The first characters of the key (e.g. "kp311_Ab3dE9xQ"): finds the row, names the key.
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last report filed"), null=True, blank=True, editable=False)

    class Meta:
        app_label = "reports"
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_label(self) -> str:
        """What reports filed by this client carry in `Report.channel_client` ("<id>:<name>")."""
        return f"{self.pk}:{self.name}"[:100]
