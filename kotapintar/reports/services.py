"""Every change to reports goes through these services (keyword-only, atomic, audited).

Each service: checks the actor's right (core.access, reports.policies) — a visible report the
actor may not change raises NotAllowed (403); checks the state machine (models.TRANSITIONS) —
a wrong step raises InvalidTransition (409); validates input — ReportInvalid (400) with
messages per field; then changes the report, appends its timeline (ReportEvent), writes an
audit row, and queues notifications and file work after commit.

`actor=None` means the system itself (periodic tasks, imports, demo data).

Reporter actions (reply, confirm, rate, reopen) take either the reporter's account as
`actor` or the tracking `token` of a person who filed without an account.

Services return the changed report as read under lock: use the returned object.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.accounts.phone import normalize_phone
from kotapintar.agencies.models import Agency, Membership
from kotapintar.agencies.selectors import agency_for_district
from kotapintar.core import access, audit, context, geo
from kotapintar.core.errors import DomainError, InvalidTransition, NotAllowed
from kotapintar.core.models import Notification
from kotapintar.core.notifications import notify

from . import links, notices, photos, sla, tracking
from .attributes import validate_attributes
from .errors import IdempotencyConflict, RateLimited, ReportInvalid
from .models import (
    AGENCY_STATUSES,
    OPEN_STATUSES,
    TRIAGE_STATUSES,
    Category,
    CategoryAttribute,
    Channel,
    Disposition,
    EventKind,
    Follower,
    Privacy,
    Report,
    ReportEvent,
    ReportKind,
    ReportPhoto,
    SetAsideReason,
    Status,
    Visibility,
    can_transition,
)
from .policies import HANDLE, TRIAGE

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_NOTE = 4000
TITLE_LENGTH = 80
DUPLICATE_WINDOW_DAYS = 30
CHANNELS_FOR_PHONE_SETTING = "REPORTS_PHONE_CHANNELS"  # default ["whatsapp"]
RATE_LIMIT_SETTING = "REPORTS_ANONYMOUS_RATE"  # default {"ip": (10, 3600), "device": (5, 3600)}
DEFAULT_RATES = {"ip": (10, 3600), "device": (5, 3600)}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")


# --- small helpers -----------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    """Plain text as stored: NFC, no control characters, \\n line ends, trimmed.

    HTML is kept as typed (it is text, shown escaped everywhere), never interpreted.
    """
    text = unicodedata.normalize("NFC", str(value or ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


# Abbreviations after which a full stop does not end a sentence ("Jl. Pemuda", "RT. 03").
_ABBREVIATIONS = frozenset(
    {"jl", "jln", "gg", "no", "kel", "kec", "kab", "rt", "rw", "dr", "drs", "ir", "bpk", "bp", "ibu", "sdr"}
    | {"prof", "hj", "h", "st", "tj", "kav", "blk", "ds", "dk", "pt", "cv", "dll", "dsb"}
)


def _first_sentence(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    for match in re.finditer(r"[.!?](?=\s)", line):
        before = re.findall(r"[A-Za-z]+$", line[: match.start()])
        if match.group() == "." and before and before[0].lower() in _ABBREVIATIONS:
            continue
        return line[: match.end()].strip()
    return line.strip() or text.strip()


def derive_title(text: str) -> str:
    """The first sentence (or line) of the text, cut at a word boundary to 80 characters."""
    first = _first_sentence(text)
    first = " ".join(first.split())
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[: TITLE_LENGTH - 1]
    if " " in cut[20:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _now() -> dt.datetime:
    return timezone.now()


def _require(actor: Any, report: Report, action: str, message: str) -> None:
    if actor is None:
        return  # the system itself
    if not access.can(actor, report, action):
        raise NotAllowed(message)


def _lock(report: Report) -> Report:
    """The report re-read under a row lock (a concurrent change waits for ours)."""
    return Report.objects.select_for_update().select_related("category").get(pk=report.pk)


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _transition(report: Report, target: str) -> None:
    if not can_transition(report.status, target):
        raise InvalidTransition(
            _("A report that is “%(status)s” cannot become “%(target)s”.")
            % {"status": _status_label(report.status), "target": _status_label(target)}
        )
    report.status = target


def _save(report: Report, fields: Iterable[str], now: dt.datetime) -> None:
    report.updated_at = now
    report.save(update_fields=sorted({*fields, "updated_at"}))


def _event(
    report: Report,
    kind: str,
    visibility: str,
    *,
    actor: Any = None,
    agency: Agency | None = None,
    text: str = "",
    reason: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        visibility=visibility,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        text=text,
        reason=reason,
        data=data or {},
        created_at=at or _now(),
    )


_AUDIT_FIELDS = [
    "status",
    "category_id",
    "privacy",
    "responsible_agency_id",
    "assigned_to_id",
    "due_at",
    "escalation_level",
    "duplicate_of_id",
    "is_public",
]


def _snapshot(report: Report) -> dict:
    return audit.snapshot(report, _AUDIT_FIELDS)


def _audit(actor: Any, action: str, report: Report, before: dict | None, extra: dict | None = None) -> None:
    after = _snapshot(report)
    if extra:
        after.update(extra)
    audit.record(
        actor=actor,
        action=f"report.{action}",
        obj=report,
        before=before,
        after=after,
        agency_id=report.responsible_agency_id,
        label=report.tracking_number,
    )


def _text_required(value: Any, field: str, empty_message: str, limit: int = MAX_NOTE) -> str:
    text = clean_text(value)
    if not text:
        raise ReportInvalid.single(field, empty_message)
    if len(text) > limit:
        raise ReportInvalid.single(
            field,
            _("The text is too long: at most %(limit)s characters (now %(n)s).")
            % {"limit": f"{limit:,}".replace(",", "."), "n": f"{len(text):,}".replace(",", ".")},
        )
    return text


def _refresh_visibility(report: Report) -> bool:
    """Recompute is_public; when it changed, move the photos after commit. True if changed."""
    if not report.refresh_is_public():
        return False
    target = ReportPhoto.Storage.PUBLIC if report.is_public else ReportPhoto.Storage.PRIVATE
    _move_photos(report, target)
    return True


def _move_photos(report: Report, target: str) -> None:
    # Only the reporter's own photos and those of public entries ever become public; photos
    # sent with a reply to the agency stay private.
    movable = ReportPhoto.objects.filter(report=report).filter(
        Q(event__isnull=True) | Q(event__visibility=Visibility.PUBLIC)
    )
    if target == ReportPhoto.Storage.PRIVATE:
        movable = ReportPhoto.objects.filter(report=report)
    moving = movable.exclude(storage=target)
    rows = list(moving.values_list("pk", "storage", "file", "thumbnail"))
    if not rows:
        return
    ReportPhoto.objects.filter(pk__in=[r[0] for r in rows]).update(storage=target)
    by_source: dict[str, list[tuple[str, str]]] = {}
    for _pk, source, file, thumbnail in rows:
        by_source.setdefault(source, []).append((file, thumbnail))
    for source, files in by_source.items():
        transaction.on_commit(functools.partial(photos.move_files, files, source, target))


def _store_photos(
    report: Report,
    processed: Sequence[photos.ProcessedPhoto],
    *,
    event: ReportEvent | None,
    uploaded_by: Any,
    now: dt.datetime,
) -> list[ReportPhoto]:
    if not processed:
        return []
    public = report.is_public and (event is None or event.visibility == Visibility.PUBLIC)
    storage = ReportPhoto.Storage.PUBLIC if public else ReportPhoto.Storage.PRIVATE
    rows, files = [], []
    for item in processed:
        file, thumbnail = photos.new_paths(now)
        rows.append(
            ReportPhoto(
                report=report,
                event=event,
                kind=item.kind,
                storage=storage,
                file=file,
                thumbnail=thumbnail,
                width=item.width,
                height=item.height,
                size=len(item.data),
                uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                created_at=now,
            )
        )
        files.append((file, thumbnail, item))
    created = ReportPhoto.objects.bulk_create(rows)
    transaction.on_commit(functools.partial(photos.write_files, storage, files))
    return created


def _photo_inputs(items: Sequence[Any], default_kind: str) -> tuple[list[Any], list[str]]:
    """Accept files, or (file, kind) pairs with kind in report/before/after."""
    uploads, kinds = [], []
    for item in items or []:
        if isinstance(item, tuple):
            upload, kind = item
        else:
            upload, kind = item, default_kind
        if kind not in ReportPhoto.Kind.values:
            raise ReportInvalid.single("photos", _("Unknown kind of photo “%(kind)s”.") % {"kind": kind})
        uploads.append(upload)
        kinds.append(kind)
    return uploads, kinds


# --- notifications -------------------------------------------------------------------------------


def _phone_channels() -> list[str]:
    return list(getattr(settings, CHANNELS_FOR_PHONE_SETTING, ["whatsapp"]))


def _language(user: Any) -> str:
    return (getattr(user, "preferred_language", "") or "id") if user is not None else "id"


def _params(report: Report, **extra: Any) -> dict[str, Any]:
    params = {"number": report.tracking_number, "title": report.title}
    params.update(extra)
    return params


def _notify_reporter(report: Report, kind: str, key: str, *, url: str = "", inbox: bool = True, **extra: Any) -> None:
    """The reporter: account (inbox, e-mail, phone channel) or the contact given on the form."""
    user = report.reporter
    if user is not None and user.is_active:
        subject, body = notices.render(
            kind, _language(user), **_params(report, url=url or links.reporter_path(report), **extra)
        )
        channels: list[str] = [Notification.Channel.INBOX] if inbox else []
        channels.append(Notification.Channel.EMAIL)
        if user.phone:
            channels += _phone_channels()
        notify(
            channels=channels,
            kind=f"reports.{kind}",
            subject=subject,
            body=body,
            dedupe_key=f"report:{report.pk}:{key}:reporter",
            recipient=user,
            url=url or links.reporter_path(report),
        )
        return
    if not (report.reporter_email or report.reporter_phone):
        return
    token = _token(report)
    link = url or links.tracking_path(report.tracking_number, token)
    subject, body = notices.render(kind, "id", **_params(report, url=link, **extra))
    if report.reporter_email:
        notify(
            channels=[Notification.Channel.EMAIL],
            kind=f"reports.{kind}",
            subject=subject,
            body=body,
            dedupe_key=f"report:{report.pk}:{key}:contact",
            address=report.reporter_email,
            url=link,
        )
    if report.reporter_phone:
        notify(
            channels=_phone_channels(),
            kind=f"reports.{kind}",
            subject=subject,
            body=body,
            dedupe_key=f"report:{report.pk}:{key}:phone",
            address=report.reporter_phone,
            url=link,
        )


def _notify_users(users: Iterable[Any], report: Report, kind: str, key: str, *, url: str, email: bool = True, **extra):
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        subject, body = notices.render(kind, _language(user), **_params(report, url=url, **extra))
        channels = [Notification.Channel.INBOX] + ([Notification.Channel.EMAIL] if email else [])
        notify(
            channels=channels,
            kind=f"reports.{kind}",
            subject=subject,
            body=body,
            dedupe_key=f"report:{report.pk}:{key}:user:{user.pk}",
            recipient=user,
            url=url,
        )


def _notify_followers(report: Report, kind: str, key: str, **extra: Any) -> None:
    followers = [f.user for f in Follower.objects.filter(report=report).select_related("user")]
    _notify_users(followers, report, kind, key, url=links.public_path(report), **extra)


def _agency_staff(agency_ids: Iterable[int], *, role: str | None = None) -> list[Any]:
    qs = Membership.objects.filter(agency_id__in=list(agency_ids), is_active=True, user__is_active=True)
    if role:
        qs = qs.filter(role=role)
    return [m.user for m in qs.select_related("user").order_by("user_id")]


def _users_with_role(role: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role=role, is_active=True).order_by("pk"))


def _agency_name(agency: Agency | None) -> str:
    return agency.name if agency is not None else _("the verifier desk")


# --- categories ----------------------------------------------------------------------------------

CATEGORY_FILE = Path(__file__).resolve().parent / "data" / "categories.csv"
CATEGORY_COLUMNS = ("code", "name_id", "name_en", "kind", "default_agency", "routing", "resolution_days")
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,39}$")


class CategoryImportError(DomainError):
    """The category file has errors; nothing was changed."""

    status_code = 400
    code = "invalid_import"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(_("The category file has errors; nothing was changed.") + "\n" + "\n".join(errors))


@dataclass
class CategoryImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _read_categories(path: Path) -> list[dict[str, Any]]:
    errors: list[str] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CategoryImportError(
            [f"{path}: " + _("the file cannot be read (%(reason)s).") % {"reason": exc.strerror}]
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = set(CATEGORY_COLUMNS) - set(reader.fieldnames or [])
            rows = [] if missing else [(reader.line_num, row) for row in reader]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CategoryImportError(
                [f"{path.name}: " + _("the file is not valid UTF-8 CSV (%(reason)s).") % {"reason": exc}]
            ) from exc
    if missing:
        raise CategoryImportError(
            [
                f"{path.name}:1: "
                + _("missing column(s) %(columns)s; the first line must name the columns %(all)s.")
                % {"columns": ", ".join(sorted(missing)), "all": ",".join(CATEGORY_COLUMNS)}
            ]
        )
    agencies = {a.code: a for a in Agency.objects.all()}
    specs: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for order, (line, row) in enumerate(rows, start=1):
        where = f"{path.name}:{line}: "
        code = (row.get("code") or "").strip().upper()
        name = (row.get("name_id") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        routing = (row.get("routing") or "").strip().lower()
        agency_code = (row.get("default_agency") or "").strip()
        days_raw = (row.get("resolution_days") or "").strip()
        problems: list[str] = []
        if not _CODE_RE.match(code):
            problems.append(
                _("the code “%(code)s” may only have capital letters, digits, dots, dashes and underscores.")
                % {"code": code}
            )
        elif code in seen:
            problems.append(_("the code “%(code)s” is already on line %(line)d.") % {"code": code, "line": seen[code]})
        if not name:
            problems.append(_("the Indonesian name (name_id) is empty."))
        elif len(name) > 200:
            problems.append(_("the name is longer than 200 characters."))
        if kind not in ReportKind.values:
            problems.append(
                _("unknown kind “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(ReportKind.values)}
            )
        if routing not in Category.Routing.values:
            problems.append(
                _("unknown routing “%(routing)s”; use one of: %(values)s.")
                % {"routing": routing, "values": ", ".join(Category.Routing.values)}
            )
        try:
            days = int(days_raw)
            if not 1 <= days <= 365:
                raise ValueError
        except ValueError:
            problems.append(_("resolution_days must be a whole number of working days from 1 to 365."))
            days = 0
        agency = None
        if routing == Category.Routing.AGENCY:
            if not agency_code:
                problems.append(_("a category routed to an agency needs a default_agency."))
            else:
                agency = agencies.get(agency_code)
                if agency is None:
                    problems.append(
                        _("unknown agency “%(code)s”; import the agencies first (manage.py import_agencies).")
                        % {"code": agency_code}
                    )
        elif routing == Category.Routing.AREA:
            agency = None  # the kecamatan office of the location (agency code KECAMATAN in the file)
        elif agency_code:
            agency = agencies.get(agency_code)
        if problems:
            errors.extend(where + p for p in problems)
            continue
        seen[code] = line
        specs.append(
            {
                "code": code,
                "name": name,
                "name_en": (row.get("name_en") or "").strip()[:200],
                "kind": kind,
                "routing": routing,
                "resolution_days": days,
                "default_agency": agency,
                "keywords": (row.get("examples") or "").strip(),
                "order": order,
            }
        )
    if errors:
        raise CategoryImportError(errors)
    return specs


def _require_admin(actor: Any) -> None:
    if actor is None:
        return
    if access.role_of(actor) != access.ADMIN:
        raise NotAllowed(_("Only administrators may change report categories."))


@transaction.atomic
def category_import(*, actor: Any = None, path: Path | str | None = None) -> CategoryImportResult:
    """Create or update the report categories from the category file (upsert by code).

    The file is checked first: on any error nothing changes and CategoryImportError lists
    each error with file and line. An administrator's later decisions survive a re-import:
    existing categories keep their agency, radius, description and active flag; only the
    names, kind, routing and resolution days of the file are applied.
    """
    _require_admin(actor)
    specs = _read_categories(Path(path) if path else CATEGORY_FILE)
    result = CategoryImportResult()
    existing = {c.code: c for c in Category.objects.select_for_update().filter(code__in=[s["code"] for s in specs])}
    for spec in specs:
        category = existing.get(spec["code"])
        if category is None:
            category = Category.objects.create(**spec)
            audit.record(actor=actor, action="category.create", obj=category, after={"code": category.code})
            result.created.append(category.code)
            continue
        wanted = {k: spec[k] for k in ("name", "name_en", "kind", "routing", "resolution_days")}
        if not category.keywords:
            wanted["keywords"] = spec["keywords"]
        if category.default_agency_id is None and spec["default_agency"] is not None:
            wanted["default_agency"] = spec["default_agency"]
        changes = {k: v for k, v in wanted.items() if getattr(category, k) != v}
        if not changes:
            result.unchanged.append(category.code)
            continue
        before = {k: audit._jsonable(getattr(category, k)) for k in changes}
        for k, v in changes.items():
            setattr(category, k, v)
        category.save()
        audit.record(actor=actor, action="category.update", obj=category, before=before, after=changes)
        result.updated.append(category.code)
    _categories_changed()
    return result


CATEGORY_FIELDS = (
    "name",
    "name_en",
    "kind",
    "default_agency",
    "routing",
    "resolution_days",
    "duplicate_radius_m",
    "keywords",
    "description",
    "is_active",
    "order",
)


def _check_category(category: Category) -> None:
    if category.routing == Category.Routing.AGENCY and category.default_agency_id is None:
        raise ReportInvalid.single("default_agency", _("A category routed to an agency needs a default agency."))
    if not 1 <= category.resolution_days <= 365:
        raise ReportInvalid.single("resolution_days", _("The resolution limit must be 1 to 365 working days."))
    if not 10 <= category.duplicate_radius_m <= 5000:
        raise ReportInvalid.single("duplicate_radius_m", _("The duplicate radius must be 10 to 5,000 metres."))


@transaction.atomic
def category_update(
    *, actor: Any, category: Category, related: Sequence[Category] | None = None, **changes: Any
) -> Category:
    """Change a category (administrators). `related`: the categories searched for duplicates too."""
    _require_admin(actor)
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"unknown category fields: {', '.join(sorted(unknown))}")
    before = {k: audit._jsonable(getattr(category, k)) for k in changes}
    for k, v in changes.items():
        setattr(category, k, v)
    _check_category(category)
    category.save()
    after = {k: audit._jsonable(getattr(category, k)) for k in changes}
    if related is not None:
        before["related"] = sorted(c.code for c in category.related.all())
        category.related.set([c for c in related if c.pk != category.pk])
        after["related"] = sorted(c.code for c in related if c.pk != category.pk)
    audit.record(actor=actor, action="category.update", obj=category, before=before, after=after)
    _categories_changed()
    return category


ATTRIBUTE_FIELDS = (
    "variable",
    "datatype",
    "required",
    "description",
    "datatype_description",
    "order",
    "values",
    "is_active",
)


def _check_attribute(attribute: CategoryAttribute) -> None:
    errors: dict[str, list[str]] = {}
    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,59}$", attribute.code or ""):
        errors["code"] = [_("The code may only have small letters, digits, dashes and underscores.")]
    if attribute.datatype not in CategoryAttribute.Datatype.values:
        errors["datatype"] = [_("Choose a type of answer.")]
    if not (attribute.description or "").strip():
        errors["description"] = [_("Write the question.")]
    values = attribute.values or []
    if attribute.datatype in CategoryAttribute.LIST_TYPES:
        keys = [v.get("key") for v in values if isinstance(v, dict)]
        if (
            not values
            or len(keys) != len(values)
            or any(
                not str(k or "").strip() or not str(v.get("name") or "").strip()
                for k, v in zip(keys, values, strict=True)
            )
            or len(set(map(str, keys))) != len(keys)
        ):
            errors["values"] = [_("List answers need choices, each with a unique key and a name.")]
        else:
            attribute.values = [{"key": str(v["key"]).strip(), "name": str(v["name"]).strip()} for v in values]
    elif values:
        errors["values"] = [_("Only list answers have choices.")]
    if errors:
        raise ReportInvalid(errors)


@transaction.atomic
def category_attribute_save(
    *, actor: Any, category: Category, code: str, attribute: CategoryAttribute | None = None, **fields: Any
) -> CategoryAttribute:
    """Create (attribute=None) or change one question of a category (administrators)."""
    _require_admin(actor)
    unknown = set(fields) - set(ATTRIBUTE_FIELDS)
    if unknown:
        raise TypeError(f"unknown attribute fields: {', '.join(sorted(unknown))}")
    creating = attribute is None
    if attribute is None:
        attribute = CategoryAttribute(category=category, code=code)
    before = None if creating else {k: audit._jsonable(getattr(attribute, k)) for k in (*fields, "code")}
    attribute.code = code
    for k, v in fields.items():
        setattr(attribute, k, v)
    _check_attribute(attribute)
    clash = CategoryAttribute.objects.filter(category=category, code=attribute.code).exclude(pk=attribute.pk)
    if clash.exists():
        raise ReportInvalid.single("code", _("This category already has a question with this code."))
    attribute.save()
    audit.record(
        actor=actor,
        action="category.attribute_create" if creating else "category.attribute_update",
        obj=attribute,
        before=before,
        after={k: audit._jsonable(getattr(attribute, k)) for k in (*fields, "code")},
    )
    _categories_changed()
    return attribute


def _categories_changed() -> None:
    from . import selectors

    transaction.on_commit(selectors.forget_categories)


# --- filing ----------------------------------------------------------------------------------------


@dataclass
class SubmitResult:
    """What report_submit gives back: the report and its tracking link (once, to the filer)."""

    report: Report
    tracking_token: str
    tracking_url: str
    created: bool = True


def _idempotency_scope(reporter: Any, channel: str, channel_client: str, device_id: str, ip: str | None) -> str:
    if reporter is not None:
        return f"user:{reporter.pk}"
    if channel_client:
        return f"client:{channel}:{channel_client}"[:100]
    if device_id:
        return f"device:{device_id}"[:100]
    return f"ip:{ip or '-'}"[:100]


def _rate_limits() -> dict[str, tuple[int, int]]:
    configured = getattr(settings, RATE_LIMIT_SETTING, None) or {}
    return {**DEFAULT_RATES, **configured}


def _rate_keys(ip: str | None, device_id: str, now: dt.datetime) -> list[tuple[str, int, int]]:
    keys = []
    for kind, value in (("ip", ip), ("device", device_id)):
        if not value:
            continue
        limit, window = _rate_limits()[kind]
        bucket = int(now.timestamp()) // window
        keys.append((f"reports:rate:{kind}:{value}:{bucket}", limit, window))
    return keys


def _check_rate(ip: str | None, device_id: str, now: dt.datetime) -> list[tuple[str, int, int]]:
    keys = _rate_keys(ip, device_id, now)
    if not keys:
        return keys
    counts = cache.get_many([k for k, _limit, _window in keys])
    for key, limit, window in keys:
        if counts.get(key, 0) >= limit:
            minutes = max(1, math.ceil((window - int(now.timestamp()) % window) / 60))
            raise RateLimited(
                _(
                    "Too many reports were sent from this connection or device in a short time. "
                    "Try again in %(minutes)d minutes, or sign in to file more."
                )
                % {"minutes": minutes},
                retry_after=minutes * 60,
            )
    return keys


def _count_rate(keys: list[tuple[str, int, int]]) -> None:
    for key, _limit, window in keys:
        if cache.add(key, 1, window + 60):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window + 60)


def _clean_location(lat: Any, lng: Any, errors: dict[str, list[str]]):
    try:
        lat_f, lng_f = float(lat), float(lng)
        if not (math.isfinite(lat_f) and math.isfinite(lng_f) and -90 <= lat_f <= 90 and -180 <= lng_f <= 180):
            raise ValueError
    except (TypeError, ValueError):
        errors["location"] = [_("Choose the location on the map (latitude and longitude are missing or not valid).")]
        return None, None, None
    lat_f, lng_f = round(lat_f, 6), round(lng_f, 6)
    found = geo.locate(lat_f, lng_f)
    if found is None:
        from kotapintar.regions.selectors import city_name

        errors["location"] = [
            _("The point is outside %(city)s. Choose a location inside the city's boundary.")
            % {"city": city_name() or _("the city")}
        ]
    return lat_f, lng_f, found


def _clean_contact(name: str, email: str, phone: str, errors: dict[str, list[str]]) -> tuple[str, str, str]:
    name = " ".join(clean_text(name).split())[:150]
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
            email = email.lower()
        except ValidationError:
            errors["reporter_email"] = [_("Enter a valid email address, e.g. name@example.com.")]
    phone_raw = (phone or "").strip()
    phone_clean = ""
    if phone_raw:
        phone_clean = normalize_phone(phone_raw) or ""
        if not phone_clean:
            errors["reporter_phone"] = [_("Enter a valid Indonesian mobile number, e.g. 0812 3456 7890.")]
    return name, email, phone_clean


def _retried_on_clash(func: Callable[..., SubmitResult]) -> Callable[..., SubmitResult]:
    """Run the filing again when its transaction failed on a uniqueness clash: a tracking
    number drawn twice (one in 10^9), or a concurrent retry with the same Idempotency-Key
    (the next attempt returns the report that request filed)."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> SubmitResult:
        for attempt in range(3):
            try:
                return func(**kwargs, _retry=attempt > 0)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("report_submit: uniqueness clash, trying again")
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


@_retried_on_clash
@transaction.atomic
def report_submit(
    *,
    reporter: Any,
    category: Category | None,
    text: str,
    lat: Any,
    lng: Any,
    kind: str | None = None,
    privacy: str = Privacy.ANONYMOUS,
    show_name: bool = False,
    address: str = "",
    attributes: dict[str, Any] | None = None,
    photos_in: Sequence[Any] = (),
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    channel: str = Channel.WEB,
    channel_client: str = "",
    device_id: str = "",
    ip: str | None = None,
    idempotency_key: str | None = None,
    external_media_url: str = "",
    rate_limit: bool | None = None,
    _retry: bool = False,
) -> SubmitResult:
    """File a report (resident, app, Open311 client or staff on someone's behalf).

    Validates everything first — category, text (1–4,000 characters), point inside the city,
    privacy, the category's questions, contact details, photos (≤ 5, ≤ 10 MB, real images) —
    and refuses with ReportInvalid listing every problem; nothing is stored then.
    `reporter` is the signed-in account or None (filing without an account: `reporter_name`,
    `reporter_email`, `reporter_phone` are kept for the desk, never shown publicly).
    Anonymous filing (no account, not an Open311 client) is rate-limited per IP address and
    per device id. With `idempotency_key`, a repeated call from the same account, device or
    client returns the first report (created=False) instead of filing a second one.
    The result carries the tracking token and link: give them to the person at once.
    """
    now = _now()
    if reporter is not None and not (getattr(reporter, "is_authenticated", False) and reporter.is_active):
        reporter = None
    ip = ip if ip is not None else context.current().ip
    device_id = clean_text(device_id)[:64]
    channel_client = clean_text(channel_client)[:100]
    if channel not in Channel.values:
        raise ReportInvalid.single("channel", _("Unknown channel."))

    scope = ""
    if idempotency_key is not None:
        idempotency_key = str(idempotency_key).strip()
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise ReportInvalid.single(
                "idempotency_key", _("The Idempotency-Key must be 1 to 100 visible ASCII characters, e.g. a UUID.")
            )
        scope = _idempotency_scope(reporter, channel, channel_client, device_id, ip)
        # The first attempt does not look the key up (a round trip on every filing): a key
        # used before makes the insert fail on its unique constraint, and the retry
        # (_retried_on_clash) finds the report here and answers with it.
        existing = _by_idempotency_key(scope, idempotency_key) if _retry else None
        if existing is not None:
            return _replay(existing, text=text, category=category)

    if rate_limit is None:
        rate_limit = reporter is None and channel != Channel.OPEN311
    rate_keys = _check_rate(ip, device_id, now) if rate_limit else []

    errors: dict[str, list[str]] = {}
    if not isinstance(category, Category) or not category.is_active:
        errors["category"] = [_("Choose a category for the report.")]
        category = None
    body = clean_text(text)
    if not body:
        errors["text"] = [_("Describe the problem: the text of the report is empty.")]
    elif len(body) > MAX_TEXT:
        errors["text"] = [
            _("The text is too long: at most 4.000 characters (now %(n)s). Shorten it or split it.")
            % {"n": f"{len(body):,}".replace(",", ".")}
        ]
    lat_f, lng_f, location = _clean_location(lat, lng, errors)
    kind = kind or (category.kind if category else ReportKind.COMPLAINT)
    if kind not in ReportKind.values:
        errors["kind"] = [_("Choose the kind of report: complaint, aspiration or information request.")]
    if privacy not in Privacy.values:
        errors["privacy"] = [_("Choose who may see the report: public, anonymous or confidential.")]
    address = " ".join(clean_text(address).split())
    if len(address) > 300:
        errors["address"] = [_("The address is too long: at most 300 characters.")]
    name, email, phone = _clean_contact(reporter_name, reporter_email, reporter_phone, errors)
    external_media_url = (external_media_url or "").strip()
    if external_media_url:
        try:
            URLValidator(schemes=["http", "https"])(external_media_url)
            if len(external_media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors["media_url"] = [_("The photo link must be an http(s) address of at most 500 characters.")]
    clean_attributes: dict[str, Any] = {}
    if category is not None:
        try:
            clean_attributes = validate_attributes(category, attributes)
        except ReportInvalid as exc:
            errors.update(exc.fields)
    processed: list[photos.ProcessedPhoto] = []
    try:
        processed = photos.process_many(photos_in)
    except ReportInvalid as exc:
        errors.update(exc.fields)
    if errors:
        raise ReportInvalid(errors)
    assert category is not None and location is not None  # for the type checker

    shown = ""
    if show_name and privacy == Privacy.PUBLIC:
        shown = (reporter.full_name if reporter is not None else name)[:150]
    report = Report(
        kind=kind,
        category=category,
        submitted_category=category,
        title=derive_title(body),
        text=body,
        attributes=clean_attributes,
        lat=lat_f,
        lng=lng_f,
        address=address,
        village_id=location.village_code,
        district_id=location.district_code,
        privacy=privacy,
        show_name=bool(show_name and shown),
        public_name=shown,
        reporter=reporter,
        reporter_name=name if reporter is None else "",
        reporter_email=email if reporter is None else "",
        reporter_phone=phone if reporter is None else "",
        device_id=device_id,
        channel=channel,
        channel_client=channel_client,
        idempotency_scope=scope,
        idempotency_key=idempotency_key,
        external_media_url=external_media_url,
        created_at=now,
        updated_at=now,
        verify_due=sla.verify_due(now),
    )
    report.due_at = report.verify_due
    report.tracking_number = tracking.new_tracking_number(timezone.localtime(now).year)
    report.tracking_token_hash = tracking.hash_token(tracking.token_for(report.tracking_number))
    # No savepoint here (two round trips on every filing): a clash of tracking numbers
    # (one in 10^9) or a concurrent retry with the same Idempotency-Key fails the whole
    # attempt, and report_submit runs it again.
    report.save(force_insert=True)
    _store_photos(report, processed, event=None, uploaded_by=reporter, now=now)
    _event(report, EventKind.SUBMITTED, Visibility.PUBLIC, actor=reporter, at=now, data={"channel": channel})
    _audit(reporter, "submit", report, None, {"channel": channel, "photos": len(processed)})
    token = _token(report)
    if reporter is None:
        # Without an account, the tracking link is the person's only way back to the report:
        # it goes to the e-mail address or WhatsApp number they gave (if any). An account
        # holder sees the number on screen and in "Laporan Saya"; messages follow each change.
        _notify_reporter(
            report,
            "received",
            "received",
            url=links.tracking_path(report.tracking_number, token),
            due=report.verify_due,
        )
    if rate_keys:
        transaction.on_commit(functools.partial(_count_rate, rate_keys))
    return SubmitResult(
        report=report, tracking_token=token, tracking_url=links.tracking_path(report.tracking_number, token)
    )


def _by_idempotency_key(scope: str, key: str) -> Report | None:
    # No ORDER BY: the pair is unique, and the lookup stays on its index.
    return next(iter(Report.objects.filter(idempotency_scope=scope, idempotency_key=key).order_by()[:1]), None)


def _token(report: Report) -> str:
    return tracking.token_for(report.tracking_number)


def _replay(existing: Report, *, text: str, category: Category | None) -> SubmitResult:
    same = clean_text(text) == existing.text and (category is None or category.pk == existing.category_id)
    if not same:
        raise IdempotencyConflict(
            _("This Idempotency-Key was already used for another report; use a new key for a new report.")
        )
    token = _token(existing)
    return SubmitResult(
        report=existing,
        tracking_token=token,
        tracking_url=links.tracking_path(existing.tracking_number, token),
        created=False,
    )


def check_tracking_token(report: Report, token: str | None) -> bool:
    """Does `token` open this report's tracking link?"""
    return tracking.check_token(report.tracking_token_hash, token)


# --- the verifier desk -------------------------------------------------------------------------


def _triage(actor: Any, report: Report) -> None:
    _require(actor, report, TRIAGE, _("Only the verifier desk may do this."))


def _do_verify(actor: Any, report: Report, now: dt.datetime, note: str = "") -> None:
    _transition(report, Status.VERIFIED)
    report.verified_at = now
    _event(report, EventKind.VERIFIED, Visibility.PUBLIC, actor=actor, text=note, at=now)


@transaction.atomic
def report_verify(*, actor: Any, report: Report, note: str = "", category: Category | None = None) -> Report:
    """The desk accepts a report (optionally correcting its category): it becomes public
    unless confidential, and waits to be routed (same 3-working-day limit)."""
    report = _lock(report)
    _triage(actor, report)
    before = _snapshot(report)
    now = _now()
    if category is not None and category.pk != report.category_id:
        _do_recategorise(actor, report, category, now, "")
    _do_verify(actor, report, now, clean_text(note)[:MAX_NOTE])
    _refresh_visibility(report)
    _save(report, ["status", "verified_at", "is_public", "category", "kind"], now)
    _audit(actor, "verify", report, before)
    _notify_reporter(report, "verified", "verified")
    return report


@transaction.atomic
def report_set_aside(*, actor: Any, report: Report, reason: str, note: str = "") -> Report:
    """The desk does not take the report forward, with a reason from the list (shown to the
    reporter): out of scope, not the city's authority, incomplete, duplicate."""
    report = _lock(report)
    _triage(actor, report)
    if reason not in SetAsideReason.values:
        raise ReportInvalid.single(
            "reason", _("Choose a reason: out of scope, not the city's authority, incomplete or duplicate.")
        )
    note = clean_text(note)
    if len(note) > MAX_NOTE:
        raise ReportInvalid.single("note", _("The explanation is too long: at most 4.000 characters."))
    before = _snapshot(report)
    now = _now()
    _transition(report, Status.SET_ASIDE)
    report.set_aside_reason = reason
    report.set_aside_at = now
    report.due_at = None
    report.escalation_level = 0
    _refresh_visibility(report)
    _save(report, ["status", "set_aside_reason", "set_aside_at", "due_at", "escalation_level", "is_public"], now)
    _event(report, EventKind.SET_ASIDE, Visibility.REPORTER, actor=actor, text=note, reason=reason, at=now)
    _audit(actor, "set_aside", report, before, {"reason": reason})
    _notify_reporter(report, "set_aside", "set_aside", reason=SetAsideReason(reason).label, text=note)
    return report


def _do_recategorise(actor: Any, report: Report, category: Category, now: dt.datetime, note: str) -> None:
    if not category.is_active:
        raise ReportInvalid.single("category", _("This category is no longer in use; choose another."))
    old = report.category
    report.category = category
    report.kind = category.kind if report.kind == old.kind else report.kind
    if report.dispositioned_at is not None and report.status in AGENCY_STATUSES and report.resolution_due is not None:
        report.resolution_due = sla.resolution_due(report.dispositioned_at, category.resolution_days)
        report.due_at = sla.current_due(report)
    _event(
        report,
        EventKind.RECATEGORISED,
        Visibility.PUBLIC,
        actor=actor,
        text=note,
        data={"from": old.code, "to": category.code},
        at=now,
    )


@transaction.atomic
def report_recategorise(*, actor: Any, report: Report, category: Category, note: str = "") -> Report:
    """The desk corrects the category (the resolution deadline follows the new category)."""
    report = _lock(report)
    _triage(actor, report)
    if report.status not in OPEN_STATUSES:
        raise InvalidTransition(_("The category of a report that is no longer open cannot be changed."))
    if category.pk == report.category_id:
        return report
    before = _snapshot(report)
    now = _now()
    _do_recategorise(actor, report, category, now, clean_text(note)[:MAX_NOTE])
    _save(report, ["category", "kind", "resolution_due", "due_at"], now)
    _audit(actor, "recategorise", report, before)
    return report


def default_agencies(report: Report) -> list[Agency]:
    """Where the category and the location send a report (empty: the desk must choose).

    routing "agency": the category's agency; "area": the kecamatan office of the point;
    "verifier": nobody by default.
    """
    category = report.category
    if category.routing == Category.Routing.AREA:
        office = agency_for_district(report.district_id or report.village_id or "")
        if office is not None:
            return [office]
    fallback = category.default_agency
    if category.routing in (Category.Routing.AREA, Category.Routing.AGENCY) and fallback is not None:
        return [fallback] if fallback.is_active else []
    return []


def _set_deadlines_for_routing(report: Report, now: dt.datetime) -> None:
    report.dispositioned_at = report.dispositioned_at or now
    if report.first_response_at is None:
        report.response_due = sla.response_due(now)
    report.resolution_due = sla.resolution_due(now, report.category.resolution_days)
    report.due_at = sla.current_due(report)
    report.escalation_level = 0


@transaction.atomic
def report_disposition(
    *, actor: Any, report: Report, agencies: Sequence[Agency] | None = None, note: str = ""
) -> Report:
    """Route a report to one or more agencies (the first is answerable for it as a whole).

    Without `agencies`, the default from category and location is used (see
    default_agencies). A report still "submitted" is verified in the same step. On a report
    already with agencies, the agencies given are added (as supporting agencies).
    """
    report = _lock(report)
    _triage(actor, report)
    now = _now()
    before = _snapshot(report)
    chosen = list(dict.fromkeys(agencies)) if agencies else default_agencies(report)
    if not chosen:
        raise ReportInvalid.single(
            "agencies", _("Choose the agency that must handle this report (its category has no default agency).")
        )
    inactive = [a for a in chosen if not a.is_active]
    if inactive:
        raise ReportInvalid.single("agencies", _("The agency “%(name)s” is not active.") % {"name": inactive[0].name})
    note = clean_text(note)[:MAX_NOTE]
    adding = report.status in AGENCY_STATUSES
    if not adding:
        if report.status == Status.SUBMITTED:
            _do_verify(actor, report, now)
        _transition(report, Status.DISPOSITIONED)
        _set_deadlines_for_routing(report, now)
    active = set(
        Disposition.objects.filter(report=report, state=Disposition.State.ACTIVE).values_list("agency_id", flat=True)
    )
    new = [a for a in chosen if a.pk not in active]
    if adding and not new:
        raise ReportInvalid.single("agencies", _("The report is already with these agencies."))
    rows = []
    for index, agency in enumerate(new):
        primary = not adding and index == 0
        rows.append(
            Disposition(
                report=report,
                agency=agency,
                is_primary=primary,
                created_by=actor if getattr(actor, "pk", None) else None,
                note=note,
                due_at=report.resolution_due,
                created_at=now,
            )
        )
    Disposition.objects.bulk_create(rows)
    if not adding:
        report.responsible_agency = new[0]
        report.assigned_to = None
    _refresh_visibility(report)
    _save(
        report,
        [
            "status",
            "verified_at",
            "dispositioned_at",
            "response_due",
            "resolution_due",
            "due_at",
            "escalation_level",
            "responsible_agency",
            "assigned_to",
            "is_public",
        ],
        now,
    )
    for agency in new:
        _event(
            report,
            EventKind.DISPOSITIONED,
            Visibility.PUBLIC,
            actor=actor,
            agency=agency,
            text=note if agency == new[0] else "",
            data={"primary": not adding and agency == new[0]},
            at=now,
        )
    _audit(actor, "disposition", report, before, {"agencies": [a.code for a in new]})
    main = report.responsible_agency
    _notify_reporter(
        report,
        "dispositioned",
        f"dispositioned:{main.pk if main else 0}",
        agency=_agency_name(main),
        due=report.response_due,
    )
    _notify_users(
        _agency_staff([a.pk for a in new]),
        report,
        "new_for_agency",
        f"routed:{now.timestamp()}",
        url=links.staff_path(report),
        email=True,
        agency=", ".join(a.name for a in new),
        due=report.response_due or report.resolution_due,
    )
    return report


@transaction.atomic
def report_merge(*, actor: Any, report: Report, into: Report, note: str = "") -> Report:
    """The desk merges a duplicate into the original: its followers (and its reporter, if
    they have an account) follow the original from now on, and are told."""
    if report.pk == into.pk:
        raise ReportInvalid.single("into", _("A report cannot be merged into itself."))
    # Lock both in id order so two merges cannot deadlock.
    first, second = sorted([report.pk, into.pk])
    locked = {
        r.pk: r for r in Report.objects.select_for_update().select_related("category").filter(pk__in=[first, second])
    }
    report, into = locked[report.pk], locked[into.pk]
    _triage(actor, report)
    if into.status in (Status.MERGED, Status.SET_ASIDE):
        raise InvalidTransition(
            _("Report %(number)s is “%(status)s”; merge into the report it belongs to instead.")
            % {"number": into.tracking_number, "status": _status_label(into.status)}
        )
    chain, seen = into, set()
    while chain.duplicate_of_id and chain.pk not in seen:
        seen.add(chain.pk)
        if chain.duplicate_of_id == report.pk:
            raise ReportInvalid.single("into", _("These reports are already merged the other way round."))
        chain = Report.objects.get(pk=chain.duplicate_of_id)
    before = _snapshot(report)
    now = _now()
    _transition(report, Status.MERGED)
    report.duplicate_of = into
    report.due_at = None
    report.escalation_level = 0
    report.closed_at = now
    Disposition.objects.filter(report=report, state=Disposition.State.ACTIVE).update(
        state=Disposition.State.WITHDRAWN, closed_at=now
    )
    _refresh_visibility(report)
    _save(report, ["status", "duplicate_of", "due_at", "escalation_level", "closed_at", "is_public"], now)
    note = clean_text(note)[:MAX_NOTE]
    _event(
        report, EventKind.MERGED, Visibility.PUBLIC, actor=actor, text=note, data={"into": into.tracking_number}, at=now
    )
    _event(into, EventKind.MERGED, Visibility.PUBLIC, actor=actor, data={"from": report.tracking_number}, at=now)

    # Followers move over; the duplicate's reporter becomes a supporter of the original.
    moving = list(Follower.objects.filter(report=report).select_related("user"))
    already = set(Follower.objects.filter(report=into).values_list("user_id", flat=True))
    new_rows = []
    for follower in moving:
        if follower.user_id in already or follower.user_id == into.reporter_id:
            continue
        new_rows.append(Follower(report=into, user=follower.user, supports=follower.supports, created_at=now))
        already.add(follower.user_id)
    if report.reporter_id and report.reporter_id not in already and report.reporter_id != into.reporter_id:
        new_rows.append(Follower(report=into, user_id=report.reporter_id, supports=True, created_at=now))
    Follower.objects.bulk_create(new_rows)
    _recount(into)
    _save(into, ["support_count", "follower_count"], now)
    _audit(actor, "merge", report, before, {"into": into.tracking_number})
    audit.record(
        actor=actor,
        action="report.merged_into",
        obj=into,
        after={"from": report.tracking_number, "followers_moved": len(new_rows)},
        agency_id=into.responsible_agency_id,
        label=into.tracking_number,
    )
    _notify_reporter(report, "merged", f"merged:{into.pk}", other=into.tracking_number, url=links.public_path(into))
    _notify_users(
        [f.user for f in moving],
        report,
        "merged",
        f"merged:{into.pk}",
        url=links.public_path(into),
        email=True,
        other=into.tracking_number,
    )
    return report


def _recount(report: Report) -> None:
    counts = Follower.objects.filter(report=report).aggregate(
        total=Count("id"), supports=Count("id", filter=Q(supports=True))
    )
    report.follower_count = counts["total"]
    report.support_count = counts["supports"]


# --- the agencies -------------------------------------------------------------------------------


def _handle(actor: Any, report: Report) -> None:
    _require(actor, report, HANDLE, _("Only the agency this report is routed to (or the verifier desk) may do this."))


def _acting_agency(actor: Any, report: Report) -> Agency | None:
    """The agency on whose behalf `actor` acts: their own active disposition (the primary
    first); for the desk, administrators and the system, the responsible agency."""
    if actor is not None and access.role_of(actor) == access.AGENCY:
        ids = access.agency_ids(actor)
        disposition = (
            Disposition.objects.filter(report=report, state=Disposition.State.ACTIVE, agency_id__in=list(ids))
            .select_related("agency")
            .order_by("-is_primary", "created_at")
            .first()
        )
        return disposition.agency if disposition else None
    return report.responsible_agency


def _require_agency_stage(report: Report) -> None:
    if report.status not in AGENCY_STATUSES:
        raise InvalidTransition(
            _("This can only be done while the report is with an agency (it is “%(status)s”).")
            % {"status": _status_label(report.status)}
        )


@transaction.atomic
def report_assign(*, actor: Any, report: Report, officer: Any, agency: Agency | None = None) -> Report:
    """Give the report to one officer of the agency (the agency's staff or the desk)."""
    report = _lock(report)
    _handle(actor, report)
    _require_agency_stage(report)
    agency = agency or _acting_agency(actor, report)
    disposition = (
        Disposition.objects.select_for_update()
        .filter(report=report, agency=agency, state=Disposition.State.ACTIVE)
        .first()
        if agency
        else None
    )
    if agency is None or disposition is None:
        raise NotAllowed(_("The report is not routed to this agency."))
    if actor is not None and access.role_of(actor) == access.AGENCY and agency.pk not in access.agency_ids(actor):
        raise NotAllowed(_("You may only assign reports routed to your own agency."))
    if not Membership.objects.filter(user=officer, agency=agency, is_active=True, user__is_active=True).exists():
        raise ReportInvalid.single(
            "officer", _("%(name)s is not an active member of %(agency)s.") % {"name": officer, "agency": agency.name}
        )
    before = _snapshot(report)
    now = _now()
    disposition.assigned_to = officer
    disposition.save(update_fields=["assigned_to"])
    if disposition.is_primary:
        report.assigned_to = officer
    _save(report, ["assigned_to"], now)
    _event(
        report,
        EventKind.ASSIGNED,
        Visibility.INTERNAL,
        actor=actor,
        agency=agency,
        data={"officer": officer.pk},
        at=now,
    )
    _audit(actor, "assign", report, before, {"officer": officer.pk, "agency": agency.code})
    if getattr(actor, "pk", None) != officer.pk:
        _notify_users(
            [officer],
            report,
            "assigned",
            f"assigned:{officer.pk}:{now.timestamp()}",
            url=links.staff_path(report),
            due=report.due_at,
        )
    return report


@transaction.atomic
def report_note(*, actor: Any, report: Report, text: str) -> ReportEvent:
    """An internal note (staff only; never public, never shown to the reporter)."""
    report = _lock(report)
    if actor is None or not (access.can(actor, report, HANDLE) or access.can(actor, report, TRIAGE)):
        raise NotAllowed(_("Only the verifier desk and the agencies handling the report may add notes."))
    body = _text_required(text, "text", _("Write the note."))
    now = _now()
    event = _event(
        report,
        EventKind.NOTE,
        Visibility.INTERNAL,
        actor=actor,
        agency=_acting_agency(actor, report),
        text=body,
        at=now,
    )
    audit.record(
        actor=actor,
        action="report.note",
        obj=report,
        after={"event": event.pk},
        agency_id=report.responsible_agency_id,
        label=report.tracking_number,
    )
    return event


@transaction.atomic
def report_follow_up(*, actor: Any, report: Report, text: str, photos_in: Sequence[Any] = ()) -> ReportEvent:
    """A public follow-up (tindak lanjut) by the agency, optionally with photos (before/after:
    pass (file, "before") pairs; plain files count as "after"). The first one starts the
    handling (routed → being handled) and meets the first-response deadline."""
    report = _lock(report)
    _handle(actor, report)
    _require_agency_stage(report)
    body = _text_required(text, "text", _("Write what the agency did or will do."))
    uploads, kinds = _photo_inputs(photos_in, ReportPhoto.Kind.AFTER)
    processed = photos.process_many(uploads, kinds=kinds)
    before = _snapshot(report)
    now = _now()
    agency = _acting_agency(actor, report)
    if report.status == Status.DISPOSITIONED:
        _transition(report, Status.IN_PROGRESS)
    if report.first_response_at is None:
        report.first_response_at = now
    report.last_follow_up_at = now
    new_due = sla.current_due(report)
    if new_due != report.due_at:
        report.due_at = new_due
        report.escalation_level = 0
    _save(report, ["status", "first_response_at", "last_follow_up_at", "due_at", "escalation_level"], now)
    event = _event(report, EventKind.FOLLOW_UP, Visibility.PUBLIC, actor=actor, agency=agency, text=body, at=now)
    _store_photos(report, processed, event=event, uploaded_by=actor, now=now)
    _audit(actor, "follow_up", report, before, {"event": event.pk, "photos": len(processed)})
    _notify_reporter(report, "follow_up", f"follow_up:{event.pk}", agency=_agency_name(agency), text=body)
    _notify_followers(report, "follow_up", f"follow_up:{event.pk}", agency=_agency_name(agency), text=body)
    return event


@transaction.atomic
def report_request_info(*, actor: Any, report: Report, text: str) -> ReportEvent:
    """Ask the reporter for more information (the desk while triaging, or the agency)."""
    report = _lock(report)
    if report.status in TRIAGE_STATUSES:
        _triage(actor, report)
    else:
        _handle(actor, report)
        _require_agency_stage(report)
    body = _text_required(text, "text", _("Write the question for the reporter."))
    # A reporter without account or contact still reads the question on the tracking page.
    now = _now()
    agency = _acting_agency(actor, report) if report.status in AGENCY_STATUSES else None
    report.awaiting_reporter = True
    _save(report, ["awaiting_reporter"], now)
    event = _event(report, EventKind.INFO_REQUESTED, Visibility.REPORTER, actor=actor, agency=agency, text=body, at=now)
    _audit(actor, "request_info", report, None, {"event": event.pk})
    _notify_reporter(report, "info_requested", f"info:{event.pk}", agency=_agency_name(agency), text=body)
    return event


@transaction.atomic
def report_reroute(
    *, actor: Any, report: Report, to_agency: Agency, reason: str, from_agency: Agency | None = None
) -> Report:
    """Hand the report from one agency to another, with a reason (audited, shown publicly).

    Agency staff hand over their own agency's part; the desk may move any (default: the
    responsible agency's). The new agency gets fresh time limits from now.
    """
    report = _lock(report)
    _handle(actor, report)
    _require_agency_stage(report)
    why = _text_required(reason, "reason", _("Say why the report goes to another agency."))
    if not to_agency.is_active:
        raise ReportInvalid.single("to_agency", _("The agency “%(name)s” is not active.") % {"name": to_agency.name})
    source = from_agency or _acting_agency(actor, report)
    if (
        actor is not None
        and access.role_of(actor) == access.AGENCY
        and (source is None or source.pk not in access.agency_ids(actor))
    ):
        raise NotAllowed(_("You may only hand over reports routed to your own agency."))
    current = (
        Disposition.objects.select_for_update()
        .filter(report=report, agency=source, state=Disposition.State.ACTIVE)
        .first()
        if source
        else None
    )
    if source is None or current is None:
        raise ReportInvalid.single("from_agency", _("The report is not routed to this agency."))
    if to_agency.pk == source.pk:
        raise ReportInvalid.single("to_agency", _("Choose another agency than the one handling the report now."))
    if Disposition.objects.filter(report=report, agency=to_agency, state=Disposition.State.ACTIVE).exists():
        raise ReportInvalid.single("to_agency", _("The report is already with %(name)s.") % {"name": to_agency.name})
    before = _snapshot(report)
    now = _now()
    current.state = Disposition.State.REROUTED
    current.closed_at = now
    current.reason = why
    current.save(update_fields=["state", "closed_at", "reason"])
    if report.first_response_at is None:
        report.response_due = sla.response_due(now)
    report.resolution_due = sla.resolution_due(now, report.category.resolution_days)
    Disposition.objects.create(
        report=report,
        agency=to_agency,
        is_primary=current.is_primary,
        created_by=actor if getattr(actor, "pk", None) else None,
        note=why,
        due_at=report.resolution_due,
        created_at=now,
    )
    if current.is_primary:
        report.responsible_agency = to_agency
        report.assigned_to = None
    report.due_at = sla.current_due(report)
    report.escalation_level = 0
    _save(
        report,
        ["responsible_agency", "assigned_to", "response_due", "resolution_due", "due_at", "escalation_level"],
        now,
    )
    _event(
        report,
        EventKind.REROUTED,
        Visibility.PUBLIC,
        actor=actor,
        agency=to_agency,
        text=why,
        data={"from": source.code, "to": to_agency.code},
        at=now,
    )
    _audit(actor, "reroute", report, before, {"from": source.code, "to": to_agency.code, "reason": why})
    _notify_reporter(report, "rerouted", f"rerouted:{to_agency.pk}:{now.timestamp()}", agency=to_agency.name, text=why)
    _notify_users(
        _agency_staff([to_agency.pk]),
        report,
        "new_for_agency",
        f"routed:{now.timestamp()}",
        url=links.staff_path(report),
        agency=to_agency.name,
        due=report.due_at,
    )
    return report


@transaction.atomic
def report_resolve(*, actor: Any, report: Report, text: str, photos_in: Sequence[Any] = ()) -> Report:
    """The responsible agency declares the problem solved, with a public note (required)
    and optional photos. The reporter may confirm, rate, or reopen within the window;
    silence closes it after 10 working days."""
    report = _lock(report)
    _handle(actor, report)
    _require_agency_stage(report)
    body = _text_required(text, "text", _("Write how the problem was resolved (shown to the public)."))
    agency = _acting_agency(actor, report)
    if (
        actor is not None
        and access.role_of(actor) == access.AGENCY
        and (agency is None or agency.pk != report.responsible_agency_id)
    ):
        raise NotAllowed(_("Only the responsible agency may resolve the report; post a follow-up instead."))
    uploads, kinds = _photo_inputs(photos_in, ReportPhoto.Kind.AFTER)
    processed = photos.process_many(uploads, kinds=kinds)
    before = _snapshot(report)
    now = _now()
    _transition(report, Status.RESOLVED)
    report.resolved_at = now
    report.first_response_at = report.first_response_at or now
    report.last_follow_up_at = now
    report.resolved_on_time = report.resolution_due is None or now <= report.resolution_due
    report.auto_close_due = sla.auto_close_due(now)
    report.reopen_until = report.auto_close_due
    report.due_at = None
    report.escalation_level = 0
    report.awaiting_reporter = False
    Disposition.objects.filter(report=report, state=Disposition.State.ACTIVE).update(
        state=Disposition.State.DONE, closed_at=now
    )
    _save(
        report,
        [
            "status",
            "resolved_at",
            "first_response_at",
            "last_follow_up_at",
            "resolved_on_time",
            "auto_close_due",
            "reopen_until",
            "due_at",
            "escalation_level",
            "awaiting_reporter",
        ],
        now,
    )
    event = _event(report, EventKind.RESOLVED, Visibility.PUBLIC, actor=actor, agency=agency, text=body, at=now)
    _store_photos(report, processed, event=event, uploaded_by=actor, now=now)
    _audit(actor, "resolve", report, before, {"on_time": report.resolved_on_time})
    _notify_reporter(
        report, "resolved", f"resolved:{event.pk}", agency=_agency_name(agency), text=body, due=report.reopen_until
    )
    _notify_followers(
        report, "resolved", f"resolved:{event.pk}", agency=_agency_name(agency), text=body, due=report.reopen_until
    )
    return report


# --- the reporter -------------------------------------------------------------------------------


def _reporter_check(actor: Any, report: Report, token: str | None) -> Any:
    """The reporter acting: their account, or the tracking token. Returns the actor to record."""
    if actor is not None and getattr(actor, "is_authenticated", False) and report.reporter_id == actor.pk:
        return actor
    if token and check_tracking_token(report, token):
        return None
    raise NotAllowed(_("Only the person who filed the report may do this."))


@transaction.atomic
def report_reply(
    *, report: Report, text: str, actor: Any = None, token: str | None = None, photos_in: Sequence[Any] = ()
) -> ReportEvent:
    """The reporter answers (typically a request for more information)."""
    report = _lock(report)
    who = _reporter_check(actor, report, token)
    if report.status in (Status.SET_ASIDE, Status.MERGED, Status.CLOSED):
        raise InvalidTransition(_("This report is closed; file a new report or reopen it if the window is open."))
    body = _text_required(text, "text", _("Write your answer."))
    existing = (
        ReportPhoto.objects.filter(report=report, event__isnull=True).count()
        + ReportPhoto.objects.filter(report=report, event__kind=EventKind.REPORTER_REPLY).count()
    )
    if existing + len(photos_in or []) > photos.MAX_PHOTOS:
        raise ReportInvalid.single(
            "photos", _("A report may have at most %(max)d photos from the reporter.") % {"max": photos.MAX_PHOTOS}
        )
    processed = photos.process_many(photos_in)
    now = _now()
    report.awaiting_reporter = False
    _save(report, ["awaiting_reporter"], now)
    event = _event(report, EventKind.REPORTER_REPLY, Visibility.REPORTER, actor=who, text=body, at=now)
    _store_photos(report, processed, event=event, uploaded_by=who, now=now)
    _audit(who, "reply", report, None, {"event": event.pk})
    staff = (
        [report.assigned_to]
        if report.assigned_to_id
        else _agency_staff([report.responsible_agency_id] if report.responsible_agency_id else [])
    )
    if report.status in TRIAGE_STATUSES:
        staff = []
    _notify_users(
        staff, report, "reporter_reply", f"reply:{event.pk}", url=links.staff_path(report), email=False, text=body
    )
    return event


@transaction.atomic
def report_confirm(*, report: Report, actor: Any = None, token: str | None = None) -> Report:
    """The reporter confirms the resolution: the report is closed."""
    report = _lock(report)
    who = _reporter_check(actor, report, token)
    before = _snapshot(report)
    now = _now()
    _transition(report, Status.CLOSED)
    _close(report, now)
    _event(report, EventKind.CONFIRMED, Visibility.PUBLIC, actor=who, at=now)
    _audit(who, "confirm", report, before)
    _notify_followers(report, "closed", "closed")
    return report


def _close(report: Report, now: dt.datetime) -> None:
    report.closed_at = now
    report.reopen_until = sla.reopen_until(now)
    report.due_at = None
    report.escalation_level = 0
    _save(report, ["status", "closed_at", "reopen_until", "due_at", "escalation_level"], now)
    _offer_survey(report)


def _offer_survey(report: Report) -> None:
    """Offer the satisfaction survey (SKM) to a reporter with an account when a report closes.

    One survey per report (the portal refuses a second offer; a reopened and re-closed report
    keeps its first one). Answers are anonymous in the portal, so anonymous reports are
    asked too. Run in a savepoint: a catalogue without a Lapor service, or a failure in the
    portal, never stops the report from closing.
    """
    if report.reporter_id is None:
        return
    from kotapintar.portal import selectors as portal_selectors
    from kotapintar.portal import services as portal_services

    service = portal_selectors.service_for_online("report", report.category.code if report.category_id else "")
    if service is None:
        logger.info("no catalogue service for reports: no survey offered for %s", report.tracking_number)
        return
    try:
        with transaction.atomic():
            portal_services.survey_offer(
                user=report.reporter,
                case_kind="report",
                case_id=report.pk,
                service=service,
                agency=report.responsible_agency,
                case_label=_("Report %(number)s") % {"number": report.tracking_number},
                case_url=links.reporter_path(report),
            )
    except Exception:  # the survey is a courtesy; closing the report is the duty
        logger.exception("could not offer the survey for report %s", report.tracking_number)


@transaction.atomic
def report_rate(
    *, report: Report, rating: int, comment: str = "", actor: Any = None, token: str | None = None
) -> Report:
    """The reporter rates the handling, 1–5 with an optional comment: once, when resolved or closed."""
    report = _lock(report)
    who = _reporter_check(actor, report, token)
    if report.status not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidTransition(_("A report can be rated once it is resolved."))
    if report.rating is not None:
        raise InvalidTransition(_("This report was already rated."))
    try:
        value = int(rating)
        if isinstance(rating, bool) or (str(rating).strip() != str(value) and not isinstance(rating, int)):
            raise ValueError
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ReportInvalid.single("rating", _("Give a rating from 1 (very poor) to 5 (very good)."))
    comment = clean_text(comment)
    if len(comment) > 1000:
        raise ReportInvalid.single("comment", _("The comment is too long: at most 1.000 characters."))
    now = _now()
    report.rating, report.rating_comment, report.rated_at = value, comment, now
    _save(report, ["rating", "rating_comment", "rated_at"], now)
    _event(report, EventKind.RATED, Visibility.REPORTER, actor=who, text=comment, data={"rating": value}, at=now)
    _audit(who, "rate", report, None, {"rating": value})
    return report


@transaction.atomic
def report_reopen(*, report: Report, reason: str, actor: Any = None, token: str | None = None) -> Report:
    """The reporter reopens a resolved (or recently closed) report: the problem remains.

    Allowed while resolved, and until `reopen_until` (10 working days after closing). The
    responsible agency gets it back with a fresh resolution limit.
    """
    report = _lock(report)
    who = _reporter_check(actor, report, token)
    now = _now()
    if report.status not in (Status.RESOLVED, Status.CLOSED):
        _transition(report, Status.IN_PROGRESS)  # raises: not reopenable from here
    if report.status == Status.CLOSED and (report.reopen_until is None or now > report.reopen_until):
        raise InvalidTransition(
            _("The time to reopen this report has passed; please file a new report and mention %(number)s.")
            % {"number": report.tracking_number}
        )
    why = _text_required(reason, "reason", _("Say what is still wrong."))
    before = _snapshot(report)
    _transition(report, Status.IN_PROGRESS)
    report.reopen_count += 1
    report.resolved_at = None
    report.closed_at = None
    report.resolved_on_time = None
    report.auto_close_due = None
    report.reopen_until = None
    report.resolution_due = sla.resolution_due(now, report.category.resolution_days)
    report.due_at = report.resolution_due
    report.escalation_level = 0
    agency = report.responsible_agency
    if (
        agency is not None
        and not Disposition.objects.filter(report=report, agency=agency, state=Disposition.State.ACTIVE).exists()
    ):
        Disposition.objects.create(
            report=report, agency=agency, is_primary=True, note=why, due_at=report.resolution_due, created_at=now
        )
    _save(
        report,
        [
            "status",
            "reopen_count",
            "resolved_at",
            "closed_at",
            "resolved_on_time",
            "auto_close_due",
            "reopen_until",
            "resolution_due",
            "due_at",
            "escalation_level",
        ],
        now,
    )
    _event(report, EventKind.REOPENED, Visibility.PUBLIC, actor=who, agency=agency, at=now)
    _event(report, EventKind.REPORTER_REPLY, Visibility.REPORTER, actor=who, text=why, at=now)
    _audit(who, "reopen", report, before, {"reason": why})
    staff = [report.assigned_to] if report.assigned_to_id else _agency_staff([agency.pk] if agency else [])
    _notify_users(staff, report, "reopened", f"reopened:{report.reopen_count}", url=links.staff_path(report))
    _notify_followers(report, "reopened", f"reopened:{report.reopen_count}")
    return report


@transaction.atomic
def report_set_privacy(*, report: Report, privacy: str, actor: Any = None, token: str | None = None) -> Report:
    """Change who may see the report: its reporter (any choice) or the desk (e.g. to protect
    someone named in the text). Photos move with the report's visibility."""
    report = _lock(report)
    if privacy not in Privacy.values:
        raise ReportInvalid.single("privacy", _("Choose who may see the report: public, anonymous or confidential."))
    desk = actor is not None and access.can(actor, report, TRIAGE)
    who = actor if desk else _reporter_check(actor, report, token)
    if privacy == report.privacy:
        return report
    before = _snapshot(report)
    now = _now()
    report.privacy = privacy
    if privacy != Privacy.PUBLIC:
        report.public_name = ""
        report.show_name = False
    _refresh_visibility(report)
    _save(report, ["privacy", "public_name", "show_name", "is_public"], now)
    _event(
        report,
        EventKind.PRIVACY_CHANGED,
        Visibility.INTERNAL,
        actor=who,
        data={"from": before["privacy"], "to": privacy},
        at=now,
    )
    _audit(who, "privacy", report, before)
    return report


# --- residents following a report ---------------------------------------------------------------


def _may_follow(user: Any, report: Report) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotAllowed(_("Sign in to follow a report."))
    if report.reporter_id == user.pk:
        raise InvalidTransition(_("You filed this report: you are told of every change already."))
    if not report.is_public:
        raise NotAllowed(_("Only public reports can be followed."))
    if report.status in (Status.SET_ASIDE, Status.MERGED):
        raise InvalidTransition(_("This report is no longer followed; follow the report it was merged into."))


@transaction.atomic
def report_follow(*, user: Any, report: Report, supports: bool = False) -> Follower:
    """Follow a public report (told of its public changes); `supports`: "this is my problem too"."""
    report = _lock(report)
    _may_follow(user, report)
    now = _now()
    follower, created = Follower.objects.get_or_create(
        report=report, user=user, defaults={"supports": supports, "created_at": now}
    )
    newly_supporting = supports and (created or not follower.supports)
    if not created and newly_supporting:
        follower.supports = True
        follower.save(update_fields=["supports"])
    if created or newly_supporting:
        _recount(report)
        report.updated_at = now
        Report.objects.filter(pk=report.pk).update(
            follower_count=report.follower_count, support_count=report.support_count
        )
    if newly_supporting:
        _event(report, EventKind.SUPPORTED, Visibility.PUBLIC, data={"supporters": report.support_count}, at=now)
    return follower


def report_support(*, user: Any, report: Report) -> Follower:
    """ "This is my problem too": follow the report and count as a supporter."""
    return report_follow(user=user, report=report, supports=True)


@transaction.atomic
def report_unfollow(*, user: Any, report: Report) -> None:
    """Stop following (and supporting) a report."""
    report = _lock(report)
    deleted, _rows = Follower.objects.filter(report=report, user=user).delete()
    if deleted:
        _recount(report)
        Report.objects.filter(pk=report.pk).update(
            follower_count=report.follower_count, support_count=report.support_count
        )


# --- the system: deadlines, escalation, auto-close ---------------------------------------------


@transaction.atomic
def report_auto_close(*, report: Report, now: dt.datetime | None = None) -> Report | None:
    """Close a resolved report whose reporter stayed silent past the window (system).
    Returns None when there is nothing to do (already closed, reopened, or not yet due)."""
    report = _lock(report)
    now = now or _now()
    if report.status != Status.RESOLVED or report.auto_close_due is None or now <= report.auto_close_due:
        return None
    before = _snapshot(report)
    _transition(report, Status.CLOSED)
    _close(report, now)
    _event(report, EventKind.AUTO_CLOSED, Visibility.PUBLIC, at=now)
    _audit(None, "auto_close", report, before)
    _notify_reporter(report, "closed", "closed")
    return report


def _escalation_recipients(report: Report, level: int) -> list[Any]:
    agency_ids = [report.responsible_agency_id] if report.responsible_agency_id else []
    if report.status in TRIAGE_STATUSES or not agency_ids:
        if level >= 3:
            return _users_with_role("leadership")
        return _users_with_role("verifier")
    if level == 1:
        return (
            [report.assigned_to] if report.assigned_to_id else _agency_staff(agency_ids, role=Membership.Role.OFFICER)
        )
    if level == 2:
        return _agency_staff(agency_ids, role=Membership.Role.HEAD)
    return _users_with_role("leadership")


@transaction.atomic
def report_escalate(*, report: Report, now: dt.datetime | None = None) -> int:
    """Raise an overdue report to the level its deadline calls for (system), telling each
    level once: officer at the deadline, agency head one working day later, leadership
    three. Returns the number of levels raised (0: nothing to do)."""
    report = _lock(report)
    now = now or _now()
    if report.status not in OPEN_STATUSES or report.due_at is None:
        return 0
    target = sla.escalation_level_at(report.due_at, now)
    if target <= report.escalation_level:
        return 0
    before = _snapshot(report)
    raised = 0
    stage = report.status if report.status in AGENCY_STATUSES else "triage"
    for level in range(report.escalation_level + 1, target + 1):
        _event(
            report,
            EventKind.ESCALATED,
            Visibility.INTERNAL,
            agency=report.responsible_agency,
            data={"level": level, "due": report.due_at.isoformat(), "stage": stage},
            at=now,
        )
        _notify_users(
            _escalation_recipients(report, level),
            report,
            "escalation",
            f"escalate:{stage}:{report.due_at.isoformat()}:{level}",
            url=links.staff_path(report),
            agency=_agency_name(report.responsible_agency),
            due=report.due_at,
            level=level,
        )
        raised += 1
    report.escalation_level = target
    _save(report, ["escalation_level"], now)
    _audit(None, "escalate", report, before)
    return raised


@dataclass
class SweepResult:
    escalated: int = 0
    levels: int = 0
    auto_closed: int = 0
    failed: list[str] = field(default_factory=list)


def reports_sla_sweep(*, now: dt.datetime | None = None, limit: int = 2000) -> SweepResult:
    """Escalate every overdue open report and auto-close silent resolved ones (periodic task).

    Each report is handled in its own transaction, so one failure does not hold the rest.
    Running it twice changes nothing the second time (levels and messages are once-only).
    """
    now = now or _now()
    result = SweepResult()
    overdue = list(
        Report.objects.filter(status__in=list(OPEN_STATUSES), due_at__lt=now, escalation_level__lt=sla.MAX_ESCALATION)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in overdue:
        try:
            raised = report_escalate(report=Report(pk=pk), now=now)
        except Exception:
            logger.exception("SLA sweep: escalating report %s failed", pk)
            result.failed.append(str(pk))
            continue
        if raised:
            result.escalated += 1
            result.levels += raised
    silent = list(
        Report.objects.filter(status=Status.RESOLVED, auto_close_due__lt=now)
        .order_by("auto_close_due")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in silent:
        try:
            if report_auto_close(report=Report(pk=pk), now=now) is not None:
                result.auto_closed += 1
        except Exception:
            logger.exception("SLA sweep: auto-closing report %s failed", pk)
            result.failed.append(str(pk))
    return result


# --- bulk actions of the inbox -----------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (tracking number, message)


BULK_ACTIONS: dict[str, Callable[..., Any]] = {}


def _bulk(name: str):
    def register(func):
        BULK_ACTIONS[name] = func
        return func

    return register


_bulk("verify")(lambda *, actor, report, **kw: report_verify(actor=actor, report=report, **kw))
_bulk("set_aside")(lambda *, actor, report, **kw: report_set_aside(actor=actor, report=report, **kw))
_bulk("disposition")(lambda *, actor, report, **kw: report_disposition(actor=actor, report=report, **kw))
_bulk("assign")(lambda *, actor, report, **kw: report_assign(actor=actor, report=report, **kw))
_bulk("follow_up")(lambda *, actor, report, **kw: report_follow_up(actor=actor, report=report, **kw))
_bulk("resolve")(lambda *, actor, report, **kw: report_resolve(actor=actor, report=report, **kw))


def reports_bulk(*, actor: Any, reports: Iterable[Report], action: str, **params: Any) -> BulkResult:
    """Apply one service to many reports (the inbox's bulk actions), each in its own
    transaction: every report gets the same checks, audit row and notifications as alone.
    Actions: verify, set_aside, disposition, assign, follow_up, resolve."""
    if action not in BULK_ACTIONS:
        raise ReportInvalid.single("action", _("Unknown bulk action."))
    result = BulkResult()
    for report in reports:
        try:
            BULK_ACTIONS[action](actor=actor, report=report, **params)
        except DomainError as exc:
            result.failed.append((report.tracking_number, exc.message))
        else:
            result.done.append(report.tracking_number)
    return result


def reports_bulk_assign(*, actor: Any, reports: Iterable[Report], officer: Any) -> BulkResult:
    return reports_bulk(actor=actor, reports=reports, action="assign", officer=officer)


# --- classifier --------------------------------------------------------------------------------


def training_examples() -> list[tuple[str, str]]:
    """(text, final category code) of the city's verified reports, for train_classifier."""
    rows = (
        Report.objects.filter(verified_at__isnull=False)
        .exclude(status__in=[Status.SET_ASIDE])
        .exclude(channel=Channel.DEMO)
        .order_by("pk")
        .values_list("text", "category__code")
    )
    return [(text, code) for text, code in rows.iterator(chunk_size=2000) if text and code]
