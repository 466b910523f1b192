"""Where the permits app plugs into the rest of the platform (called from PermitsConfig.ready()).

- navigation: "Perizinan" for everybody, the work queue for staff;
- staff home: the queue card; residents' home: the permits tile;
- personal data: exporter and eraser of applications, documents and permits (accounts.privacy);
- the portal (when installed): the online form of each permit type is `permits:apply` with
  the type code (the portal resolves it itself); after a permit is issued the resident is
  offered the satisfaction survey through `portal.services.survey_offer` (see offer_survey).
  "Layanan Saya" reads `permits.selectors.applications_of(user)` / `permits_of(user)` and the
  expiry reminders `permits.selectors.expiring_permits(first_day, last_day)`.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def register_all() -> None:
    from kotapintar.accounts import privacy
    from kotapintar.core import dashboard, navigation

    from . import privacy_data, views

    navigation.register(
        navigation.NavItem(
            key="permits.catalogue",
            label=_("Permits"),
            url_name="permits:index",
            icon="file-earmark-check",
            order=30,
            roles=frozenset({navigation.VISITOR}),  # staff have the permit queue instead
        )
    )
    navigation.register(
        navigation.NavItem(
            key="permits.mine",
            label=_("My applications"),
            url_name="permits:my_applications",
            icon="file-earmark-text",
            order=17,
            roles=frozenset({navigation.AUTHENTICATED}),
            menu=navigation.USER_MENU,
        )
    )
    navigation.register(
        navigation.NavItem(
            key="permits.queue",
            label=_("Permit queue"),
            url_name="permits:staff_queue",
            icon="inboxes",
            order=31,
            roles=frozenset({"agency"}),
        )
    )
    dashboard.register_card(
        dashboard.Card(
            key="permits.queue",
            title=_("Permit applications"),
            template="permits/cards/queue.html",
            roles=frozenset({"agency", "leadership", "admin"}),
            context=views.queue_card_context,
            order=20,
            wide=True,
        )
    )
    dashboard.register_tile(
        dashboard.Tile(
            key="permits.apply",
            title=_("Apply for a permit"),
            description=_("Billboards, health-worker practice, buildings: apply online and follow every step."),
            url_name="permits:index",
            icon="file-earmark-check",
            order=20,
        )
    )
    privacy.register(
        "permits",
        label=_("Permit applications and permits"),
        exporter=privacy_data.exporter,
        eraser=privacy_data.eraser,
        summary=privacy_data.summary,
        order=300,
    )


def offer_survey(application) -> None:
    """Offer the satisfaction survey (SKM) for an issued permit, when the portal is installed.

    Called inside the issuing transaction, in a savepoint: if the portal is missing, has no
    catalogue entry for this permit type (online form "permit" + the type code), or fails,
    the permit is issued all the same and the reason is logged.
    """
    try:
        from kotapintar.portal import selectors as portal_selectors
        from kotapintar.portal import services as portal_services
    except ImportError:
        return
    offer = getattr(portal_services, "survey_offer", None)
    find = getattr(portal_selectors, "service_for_online", None)
    if offer is None or find is None:
        return
    service = find("permit", application.permit_type.code)
    if service is None:
        logger.info("no catalogue service for permit type %s: no survey offered", application.permit_type.code)
        return
    from django.urls import reverse

    try:
        with transaction.atomic():
            offer(
                user=application.applicant,
                case_kind="permit",
                case_id=application.pk,
                service=service,
                agency=application.permit_type.lead_agency,
                case_label=f"{application.permit_type.name} {application.registration_number}",
                case_url=reverse("permits:application_detail", args=[application.pk]),
            )
    except Exception:
        logger.exception("the satisfaction survey for application %s could not be offered", application.pk)
