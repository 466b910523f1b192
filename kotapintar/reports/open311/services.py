"""Writes of the Open311 server: client applications and their keys, and filing a request.

Every write is keyword-only, atomic and audited, like the rest of the platform. A request
filed through Open311 goes through reports.services.report_submit — the same checks,
routing, deadlines, audit row and notifications as a report from the website — with
channel "open311" and the client recorded in `channel_client`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core import access, audit
from kotapintar.core.errors import DomainError, InvalidTransition, NotAllowed

from ..errors import ReportInvalid
from ..models import Category, Channel
from ..services import SubmitResult, clean_text, report_submit
from . import selectors
from .models import Open311Client

NAME_RE = re.compile(r"^[\w][\w .()&'+-]{1,79}$")


class ClientInvalid(DomainError):
    """A client application that cannot be created as asked (name taken, empty, too long…)."""

    status_code = 400
    code = "invalid"


def _require_admin(actor: Any) -> None:
    if actor is not None and access.role_of(actor) != access.ADMIN:
        raise NotAllowed(_("Only administrators may manage Open311 client applications."))


def new_key() -> str:
    """A fresh API key: the mark, then 256 random bits (url-safe base64)."""
    return selectors.KEY_MARK + secrets.token_urlsafe(32)


def client_name_check(name: str) -> str:
    """The name as it will be stored, or ClientInvalid saying what to change."""
    name = " ".join(clean_text(name).split())
    if not NAME_RE.match(name):
        raise ClientInvalid(
            _(
                "Give the application a name of 2 to 80 letters, digits, spaces or . _ - ( ) & ' +, "
                "starting with a letter or digit."
            )
        )
    if Open311Client.objects.filter(name__iexact=name).exists():
        raise ClientInvalid(_("An application named “%(name)s” already exists.") % {"name": name})
    return name


def client_contact_check(contact: str) -> str:
    contact = " ".join(clean_text(contact).split())
    if len(contact) > 200:
        raise ClientInvalid(_("The contact is too long: at most 200 characters."))
    return contact


@transaction.atomic
def client_create(*, actor: Any, name: str, contact: str = "") -> tuple[Open311Client, str]:
    """Register a client application; returns it AND its key, which is never available again."""
    _require_admin(actor)
    name = client_name_check(name)
    contact = client_contact_check(contact)
    for _attempt in range(5):
        key = new_key()
        try:
            with transaction.atomic():
                client = Open311Client.objects.create(
                    name=name,
                    contact=contact,
                    key_prefix=key[: selectors.KEY_PREFIX_LENGTH],
                    key_hash=selectors.hash_key(key),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            break
        except IntegrityError:  # pragma: no cover - two keys with the same 48-bit prefix
            continue
    else:  # pragma: no cover
        raise RuntimeError("could not draw a free key prefix")
    audit.record(
        actor=actor,
        action="open311.client_create",
        obj=client,
        after={"name": client.name, "contact": client.contact, "key_prefix": client.key_prefix},
    )
    return client, key


@transaction.atomic
def client_update(*, actor: Any, client: Open311Client, contact: str) -> Open311Client:
    """Change who maintains a client application (its name and key stay)."""
    _require_admin(actor)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    contact = client_contact_check(contact)
    if contact == client.contact:
        return client
    before = {"contact": client.contact}
    client.contact = contact
    client.save(update_fields=["contact"])
    audit.record(actor=actor, action="open311.client_update", obj=client, before=before, after={"contact": contact})
    return client


@transaction.atomic
def client_revoke(*, actor: Any, client: Open311Client) -> Open311Client:
    """Revoke a client's key at once: its next POST answers 403. The reports it filed stay."""
    _require_admin(actor)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise InvalidTransition(_("The key of “%(name)s” was already revoked.") % {"name": client.name})
    client.is_active = False
    client.revoked_at = timezone.now()
    client.revoked_by = actor if getattr(actor, "pk", None) else None
    client.save(update_fields=["is_active", "revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="open311.client_revoke",
        obj=client,
        before={"is_active": True},
        after={"is_active": False, "revoked_at": client.revoked_at, "key_prefix": client.key_prefix},
    )
    return client


# --- filing a request ---------------------------------------------------------------------------


@dataclass
class Submission:
    """The fields of a POST requests, as the client sent them (checked by request_create)."""

    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    media: Sequence[Any] = ()
    idempotency_key: str | None = None


def _location(submission: Submission) -> tuple[Any, Any]:
    """lat & long, else the kelurahan of address_id, else the place the address names."""
    lat, lng = submission.lat.strip(), submission.long.strip()
    if lat or lng:
        if not (lat and lng):
            raise ReportInvalid.single("location", _("Send lat and long together."))
        return lat, lng
    if submission.address_id.strip():
        place = selectors.place_by_code(submission.address_id)
        if place is None:
            raise ReportInvalid.single(
                "address_id",
                _("address_id “%(id)s” is not a kelurahan of this city (use its Kemendagri code, e.g. %(example)s).")
                % {"id": submission.address_id.strip()[:40], "example": selectors.example_village_code()},
            )
        return place.lat, place.lng
    if submission.address_string.strip():
        place = selectors.place_in_text(submission.address_string)
        if place is None:
            raise ReportInvalid.single(
                "address_string",
                _(
                    "The address could not be placed on the map: send lat and long, or name the "
                    "kelurahan (or kecamatan) in address_string."
                ),
            )
        return place.lat, place.lng
    raise ReportInvalid.single(
        "location", _("A location is required: send lat and long, or address_string, or address_id.")
    )


@transaction.atomic
def request_create(*, client: Open311Client, category: Category, submission: Submission) -> SubmitResult:
    """File a report for a client application (checked, routed and audited by report_submit).

    Without a description, the service's name (and the address) stand for it: the category
    and the place are the report. The reporter's name, e-mail, phone and device are kept for
    the complaint desk only; account_id is not stored at all (nothing uses it).
    """
    lat, lng = _location(submission)
    text = clean_text(submission.description)
    if not text:
        text = category.name + (f" — {clean_text(submission.address_string)}" if submission.address_string else "")
    name = " ".join(f"{submission.first_name} {submission.last_name}".split())
    result = report_submit(
        reporter=None,
        category=category,
        text=text,
        lat=lat,
        lng=lng,
        address=submission.address_string,
        attributes=dict(submission.attributes),
        photos_in=list(submission.media),
        reporter_name=name,
        reporter_email=submission.email,
        reporter_phone=submission.phone,
        channel=Channel.OPEN311,
        channel_client=client.channel_label,
        device_id=submission.device_id,
        idempotency_key=submission.idempotency_key,
        external_media_url=submission.media_url,
    )
    # Usage bookkeeping, not a change of state: no audit row (report_submit wrote one).
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return result
