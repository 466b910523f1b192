"""Writes of the portal: the service catalogue, the satisfaction survey, expiry reminders.

Every function is keyword-only and atomic and writes an audit row in its transaction;
notifications are queued through the outbox (delivered after commit). `actor=None` is the
system itself (a management command, a data import, another app's service).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kotapintar.agencies.models import Agency
from kotapintar.core import access, audit
from kotapintar.core.errors import DomainError, NotAllowed
from kotapintar.core.notifications import notify

from . import registry, skm
from .ikm import MAX_SCORE, MIN_SCORE
from .models import Category, FeeKind, OnlineKind, SatisfactionSurvey, ServiceStandard, SurveyResponse

logger = logging.getLogger(__name__)

SERVICE_FIELDS = (
    "slug",
    "name",
    "agency",
    "category",
    "summary",
    "requirements",
    "procedure",
    "service_time_days",
    "service_time_note",
    "fee_kind",
    "fee_amount",
    "fee_note",
    "product",
    "complaint_channel",
    "legal_basis",
    "location",
    "online_kind",
    "online_code",
    "keywords",
    "is_published",
)
# Path segments of /layanan/ that are pages, not services.
RESERVED_SLUGS = frozenset({"saya", "ikm", "survei", "saran", "cari", "api", "staf", "baru", "admin"})
MAX_SERVICE_DAYS = 365
MAX_FEE = Decimal("999999999999.99")
CASE_KIND_RE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
PERMIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
REPORT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
EXPIRY_THRESHOLDS = (30, 7)  # days before the last valid day; the smallest that applies is sent
DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "services.toml"


def _is_admin(actor: Any) -> bool:
    return actor is None or access.role_of(actor) == access.ADMIN


def _require_admin(actor: Any) -> None:
    if not _is_admin(actor):
        raise NotAllowed(_("Only platform administrators may change the service catalogue."))


# --- the catalogue ---------------------------------------------------------------------------


class ServiceStandardInvalid(DomainError):
    """A service standard breaks a rule of the catalogue; `errors` says which field and why."""

    status_code = 400
    code = "invalid_service_standard"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        first = next(iter(errors.values()))[0] if errors else ""
        super().__init__(_("The service standard cannot be saved: %(reason)s") % {"reason": first})


def service_standard_errors(service: ServiceStandard) -> dict[str, list[str]]:
    """Every rule a (possibly unsaved) service standard breaks, per field; empty when valid."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    slug = (service.slug or "").strip()
    if not slug:
        add("slug", _("Give the service an address name (lowercase letters, digits and dashes)."))
    elif slug != slugify(slug) or len(slug) > 80:
        add("slug", _("The address name may only have lowercase letters, digits and dashes (at most 80)."))
    elif slug in RESERVED_SLUGS:
        add("slug", _("“%(slug)s” is the address of a portal page; choose another address name.") % {"slug": slug})
    elif ServiceStandard.objects.filter(slug=slug).exclude(pk=service.pk).exists():
        add("slug", _("Another service already uses the address name “%(slug)s”.") % {"slug": slug})
    if not (service.name or "").strip():
        add("name", _("Give the service its name."))
    elif len(service.name) > 200:
        add("name", _("The name is longer than 200 characters."))
    agency = service.agency if service.agency_id else None
    if agency is None:
        add("agency", _("Choose the agency that provides the service."))
    elif not agency.is_active:
        add("agency", _("%(agency)s is no longer active; choose an active agency.") % {"agency": agency})
    if service.category not in Category.values:
        add("category", _("Choose one of the catalogue's categories."))
    for name, message in (
        ("summary", _("Say in a sentence or two what the service gives a resident.")),
        ("product", _("Say what the resident receives at the end (the service product).")),
        ("complaint_channel", _("Say where and how residents can complain about this service.")),
    ):
        if not (getattr(service, name) or "").strip():
            add(name, message)
    days = service.service_time_days
    if days is None or isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_SERVICE_DAYS:
        add(
            "service_time_days",
            _("The service time is a whole number of working days from 0 to %(max)d.") % {"max": MAX_SERVICE_DAYS},
        )
    _fee_errors(service, add)
    _online_errors(service, add)
    return errors


def _fee_errors(service: ServiceStandard, add) -> None:
    amount = service.fee_amount
    if service.fee_kind not in FeeKind.values:
        add("fee_kind", _("Choose whether the service is free, has a fixed fee, or a tariff."))
    elif service.fee_kind == FeeKind.FIXED:
        if amount is None:
            add("fee_amount", _("Give the fixed fee in rupiah, e.g. 150000."))
        elif not isinstance(amount, Decimal) or not amount.is_finite():
            add("fee_amount", _("The fee is an amount in rupiah, e.g. 150000."))
        elif amount <= 0:
            add("fee_amount", _("A fixed fee is more than Rp 0; choose “free of charge” for a free service."))
        elif amount > MAX_FEE or amount != amount.quantize(Decimal("0.01")):
            add("fee_amount", _("The fee is an amount in rupiah with at most two decimals."))
    else:
        if amount is not None:
            add("fee_amount", _("Only a fixed fee has an amount; leave it empty, or choose “fixed amount”."))
        if service.fee_kind == FeeKind.TARIFF and not (service.fee_note or "").strip():
            add("fee_note", _("Explain how the tariff is computed and which regulation sets it."))


def _online_errors(service: ServiceStandard, add) -> None:
    kind, code = service.online_kind or "", (service.online_code or "").strip()
    if kind not in OnlineKind.values:
        add("online_kind", _("Choose where the online form is, or that the service is not online."))
    elif kind == OnlineKind.NONE and code:
        add("online_code", _("A service that is not online has no online form code; leave it empty."))
    elif kind == OnlineKind.PERMIT and not PERMIT_CODE_RE.match(code):
        add("online_code", _("Give the code of the permit type, e.g. REKLAME (letters, digits, . _ -)."))
    elif kind == OnlineKind.REPORT and code and not REPORT_CODE_RE.match(code):
        add("online_code", _("Give a report category code (letters, digits, . _ -), or leave it empty."))
    elif kind == OnlineKind.LINK and not (
        (code.startswith("/") and not code.startswith("//")) or code.startswith(("https://", "http://"))
    ):
        add("online_code", _("Give the address of the online service: https://… or a page of this site (/…/)."))


def _check(service: ServiceStandard) -> None:
    errors = service_standard_errors(service)
    if errors:
        raise ServiceStandardInvalid(errors)


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("slug", "name", "service_time_note", "fee_note", "location", "online_code", "keywords"):
        if name in cleaned and isinstance(cleaned[name], str):
            cleaned[name] = cleaned[name].strip()
    for name in ("summary", "requirements", "procedure", "product", "complaint_channel", "legal_basis"):
        if name in cleaned and isinstance(cleaned[name], str):
            cleaned[name] = "\n".join(line.rstrip() for line in cleaned[name].strip().splitlines())
    if cleaned.get("online_kind") is None and "online_kind" in cleaned:
        cleaned["online_kind"] = ""
    return cleaned


@transaction.atomic
def service_standard_create(*, actor: Any, **values: Any) -> ServiceStandard:
    """Publish a new service standard in the catalogue (administrators)."""
    _require_admin(actor)
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service standard field(s): {', '.join(sorted(unknown))}")
    service = ServiceStandard(**_clean_values(values))
    _check(service)
    service.save()
    audit.record(
        actor=actor, action="service_standard.create", obj=service, after=audit.snapshot(service, list(SERVICE_FIELDS))
    )
    return service


@transaction.atomic
def service_standard_update(*, actor: Any, service: ServiceStandard, **changes: Any) -> ServiceStandard:
    """Change a published service standard (administrators); only what differs is saved and audited."""
    _require_admin(actor)
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service standard field(s): {', '.join(sorted(unknown))}")
    current = ServiceStandard.objects.select_for_update().get(pk=service.pk)
    changes = _clean_values(changes)
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if not changed:
        return current
    before = audit.snapshot(current, changed)
    for name in changed:
        setattr(current, name, changes[name])
    _check(current)
    current.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor=actor,
        action="service_standard.update",
        obj=current,
        before=before,
        after=audit.snapshot(current, changed),
    )
    return current


# --- the catalogue file -------------------------------------------------------------------------


class CatalogueImportError(DomainError):
    """The catalogue file has errors; nothing was changed."""

    status_code = 400
    code = "invalid_import"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(_("The service catalogue file has errors; nothing was changed.") + "\n" + "\n".join(errors))


@dataclass
class CatalogueImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _lines(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v).strip() for v in value)
    return str(value or "")


def _fee(value: Any) -> tuple[str, Decimal | None]:
    if isinstance(value, str) and value.strip().lower() in ("gratis", "free", ""):
        return FeeKind.FREE, None
    if isinstance(value, str) and value.strip().lower() in ("tarif", "tariff"):
        return FeeKind.TARIFF, None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    return FeeKind.FIXED, amount


def _online(value: Any) -> tuple[str, str]:
    text = str(value or "").strip()
    if not text:
        return OnlineKind.NONE, ""
    kind, _sep, code = text.partition(":")
    if kind not in (OnlineKind.PERMIT, OnlineKind.REPORT, OnlineKind.LINK):
        raise ValueError
    return kind, code.strip()


def _read_catalogue(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueImportError(
            [f"{path}: " + _("the file cannot be read (%(reason)s).") % {"reason": exc.strerror}]
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueImportError(
            [f"{path.name}: " + _("the file is not valid TOML (%(reason)s).") % {"reason": exc}]
        ) from exc
    entries = data.get("service")
    if not isinstance(entries, list) or not entries:
        raise CatalogueImportError([f"{path.name}: " + _("the file has no [[service]] entries.")])
    agencies = {a.code: a for a in Agency.objects.all()}
    errors: list[str] = []
    specs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} [[service]] #{number}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: " + _("each entry is a table of fields."))
            continue
        slug = str(entry.get("slug", "")).strip()
        where = f"{where} ({slug or '?'})"
        if slug in seen:
            errors.append(f"{where}: " + _("the address name “%(slug)s” appears twice.") % {"slug": slug})
            continue
        seen.add(slug)
        allowed = {
            "slug",
            "name",
            "agency",
            "category",
            "summary",
            "requirements",
            "procedure",
            "service_time_days",
            "service_time_note",
            "fee",
            "fee_note",
            "product",
            "complaint_channel",
            "legal_basis",
            "location",
            "online",
            "keywords",
            "published",
        }
        unknown = sorted(set(entry) - allowed)
        if unknown:
            errors.append(f"{where}: " + _("unknown field(s) %(fields)s.") % {"fields": ", ".join(unknown)})
            continue
        agency = agencies.get(str(entry.get("agency", "")).strip())
        if agency is None:
            errors.append(
                f"{where}: "
                + _("no agency with the code “%(code)s”; run “manage.py import_agencies” first, or fix the code.")
                % {"code": entry.get("agency", "")}
            )
            continue
        try:
            fee_kind, fee_amount = _fee(entry.get("fee", "gratis"))
        except ValueError:
            errors.append(f"{where}: " + _('the fee is “gratis”, “tarif” or an amount in rupiah such as "150000".'))
            continue
        try:
            online_kind, online_code = _online(entry.get("online", ""))
        except ValueError:
            errors.append(f"{where}: " + _("online is “permit:CODE”, “report:” or “report:CODE”, or “link:URL”."))
            continue
        values = {
            "slug": slug,
            "name": str(entry.get("name", "")),
            "agency": agency,
            "category": str(entry.get("category", "")),
            "summary": str(entry.get("summary", "")),
            "requirements": _lines(entry.get("requirements")),
            "procedure": _lines(entry.get("procedure")),
            "service_time_days": entry.get("service_time_days"),
            "service_time_note": str(entry.get("service_time_note", "")),
            "fee_kind": fee_kind,
            "fee_amount": fee_amount,
            "fee_note": str(entry.get("fee_note", "")),
            "product": str(entry.get("product", "")),
            "complaint_channel": str(entry.get("complaint_channel", "")),
            "legal_basis": _lines(entry.get("legal_basis")),
            "location": str(entry.get("location", "")),
            "online_kind": online_kind,
            "online_code": online_code,
            "keywords": str(entry.get("keywords", "")),
            "is_published": bool(entry.get("published", True)),
        }
        candidate = ServiceStandard(**_clean_values(values))
        existing = ServiceStandard.objects.filter(slug=slug).first()
        if existing is not None:
            candidate.pk = existing.pk
        for name, messages in service_standard_errors(candidate).items():
            errors.extend(f"{where}, {name}: {message}" for message in messages)
        specs.append(values)
    if errors:
        raise CatalogueImportError(errors)
    return specs


@transaction.atomic
def service_catalogue_import(
    *, actor: Any = None, path: Path | str | None = None, update: bool = False
) -> CatalogueImportResult:
    """Load the service catalogue file (upsert by address name; idempotent).

    The whole file is checked first; on any error nothing changes and CatalogueImportError
    lists each problem. Services missing from the catalogue are created. Existing ones are
    left as they are — an administrator may have edited them — unless `update` is true,
    when the fields that differ from the file are overwritten (audited).
    """
    _require_admin(actor)
    specs = _read_catalogue(Path(path) if path else DEFAULT_CATALOGUE)
    result = CatalogueImportResult()
    existing = {
        s.slug: s for s in ServiceStandard.objects.select_for_update().filter(slug__in=[x["slug"] for x in specs])
    }
    for values in specs:
        service = existing.get(values["slug"])
        if service is None:
            service_standard_create(actor=actor, **values)
            result.created.append(values["slug"])
            continue
        cleaned = _clean_values(values)
        differs = {name: value for name, value in cleaned.items() if getattr(service, name) != value}
        if update and differs:
            service_standard_update(actor=actor, service=service, **differs)
            result.updated.append(values["slug"])
        else:
            result.unchanged.append(values["slug"])
    return result


# --- the satisfaction survey (SKM) ----------------------------------------------------------------


class SurveyAnswerInvalid(DomainError):
    """An SKM answer is incomplete or out of range; `errors` says which question and why."""

    status_code = 400
    code = "invalid_survey_answer"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(_("The survey is not complete yet: answer every question marked below."))


class SurveyAlreadyAnswered(DomainError):
    code = "survey_already_answered"


def _survey_link(survey: SatisfactionSurvey) -> str:
    return reverse("portal:survey", kwargs={"pk": survey.pk})


@transaction.atomic
def survey_offer(
    *,
    user: Any,
    case_kind: str,
    case_id: str | int,
    service: ServiceStandard,
    agency: Agency | None = None,
    case_label: str = "",
    case_url: str = "",
) -> SatisfactionSurvey | None:
    """Offer the satisfaction survey for a finished case to the resident it was for.

    Called by the app that finishes the case (a permit issued, a report closed), inside its
    own transaction. One survey per case: offering again returns the existing survey and
    sends nothing. `agency` is the agency that served the case (default: the service's).
    The resident gets an in-app message and an e-mail with the link. Returns None, and
    does nothing, when there is nobody to ask (no account, or a deactivated one).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    case_kind, case_id = str(case_kind), str(case_id).strip()
    if not CASE_KIND_RE.match(case_kind):
        raise ValueError("case_kind is a short lowercase word such as 'permit' or 'report'")
    if not case_id or len(case_id) > 64:
        raise ValueError("case_id is the case's id (1 to 64 characters)")
    if service is None or service.pk is None:
        raise ValueError("service is a saved ServiceStandard")
    existing = SatisfactionSurvey.objects.filter(case_kind=case_kind, case_id=case_id).first()
    if existing is not None:
        return existing
    survey = SatisfactionSurvey(
        respondent=user,
        case_kind=case_kind,
        case_id=case_id,
        case_label=(case_label or "").strip()[:200],
        case_url=(case_url or "").strip()[:500],
        service=service,
        agency=agency or service.agency,
    )
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        # A concurrent offer for the same case won the race: theirs is the one.
        return SatisfactionSurvey.objects.get(case_kind=case_kind, case_id=case_id)
    audit.record(
        actor=None,
        action="survey.offer",
        obj=survey,
        after={
            "service": service.slug,
            "agency": survey.agency_id,
            "case_kind": case_kind,
            "case_id": case_id,
            "respondent": user.pk,
        },
    )
    with translation.override(getattr(user, "preferred_language", "") or "id"):
        subject = _("How was our service? Rate “%(service)s”") % {"service": service.name}
        body = _(
            "Your %(case)s is finished. Please tell %(agency)s how the service went: nine short "
            "questions, answered anonymously. It takes about two minutes and helps the city improve."
        ) % {"case": survey.case_label or service.name, "agency": survey.agency}
    notify(
        channels=["inbox", "email"],
        kind="portal.survey_offered",
        subject=subject,
        body=body,
        dedupe_key=f"portal:survey:{survey.pk}:offered",
        recipient=user,
        url=_survey_link(survey),
    )
    return survey


def survey_answer_errors(scores: Mapping[str, Any], suggestions: str) -> dict[str, list[str]]:
    """Per question (element key) and "suggestions": what is wrong with an answer; empty when valid."""
    errors: dict[str, list[str]] = {}
    if not isinstance(scores, Mapping):
        scores = {}
    for question in skm.QUESTIONS:
        value = scores.get(question.key)
        if value in (None, ""):
            errors[question.key] = [
                _("Choose one of the four answers for “%(element)s”.") % {"element": question.element}
            ]
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_SCORE <= value <= MAX_SCORE:
            errors[question.key] = [
                _("The answer for “%(element)s” is one of the four choices (1 to 4).") % {"element": question.element}
            ]
    unknown = sorted(set(scores) - set(skm.KEYS))
    if unknown:
        errors["__all__"] = [_("Unknown question(s): %(keys)s.") % {"keys": ", ".join(map(str, unknown))}]
    if not isinstance(suggestions, str):
        errors["suggestions"] = [_("Suggestions are text.")]
    elif len(suggestions.strip()) > skm.SUGGESTIONS_MAX_LENGTH:
        errors["suggestions"] = [
            _("Suggestions are at most %(max)d characters; you wrote %(count)d.")
            % {"max": skm.SUGGESTIONS_MAX_LENGTH, "count": len(suggestions.strip())}
        ]
    return errors


@transaction.atomic
def survey_answer(
    *, user: Any, survey: SatisfactionSurvey, scores: Mapping[str, Any], suggestions: str = ""
) -> SurveyResponse:
    """Record the resident's answer to their survey: nine scores 1–4 and optional suggestions.

    Only the respondent may answer, once. The answer is stored without any link to the
    person or the case (see SurveyResponse); the survey only becomes "answered". Nothing is
    saved when any question is unanswered or out of range (SurveyAnswerInvalid).
    """
    current = SatisfactionSurvey.objects.select_for_update().select_related("service", "agency").get(pk=survey.pk)
    if user is None or current.respondent_id != getattr(user, "pk", None):
        raise NotAllowed(_("This survey was offered to someone else."))
    if current.status == SatisfactionSurvey.Status.ANSWERED:
        raise SurveyAlreadyAnswered(_("You have already answered this survey; each case is rated once. Thank you!"))
    if current.status != SatisfactionSurvey.Status.PENDING:
        raise DomainError(_("This survey is closed and can no longer be answered."), code="survey_closed")
    errors = survey_answer_errors(scores, suggestions)
    if errors:
        raise SurveyAnswerInvalid(errors)
    values = {f"u{i}": int(scores[key]) for i, key in enumerate(skm.KEYS, start=1)}
    now = timezone.now()
    response = SurveyResponse.objects.create(
        service=current.service,
        agency=current.agency,
        answered_on=timezone.localdate(now),
        suggestions=suggestions.strip(),
        **values,
    )
    current.status, current.answered_at = SatisfactionSurvey.Status.ANSWERED, now
    current.save(update_fields=["status", "answered_at"])
    # The audit row says that the survey was answered, never how (the answer is anonymous).
    audit.record(
        actor=user,
        action="survey.answer",
        obj=current,
        before={"status": SatisfactionSurvey.Status.PENDING},
        after={"status": SatisfactionSurvey.Status.ANSWERED},
    )
    return response


# --- expiry reminders ----------------------------------------------------------------------------


def _reminder_threshold(days_left: int) -> int | None:
    applicable = [t for t in EXPIRY_THRESHOLDS if days_left <= t]
    return min(applicable) if applicable else None


def expiry_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind holders of what expires within 30 days (then again within 7 days), once each.

    Reads every registered expiry source (registry.register_expiry_source). The reminder's
    outbox key names the item, its expiry day and the threshold, so running this daily —
    or twice a day, or after a missed day — sends each reminder exactly once; a renewed
    permit (new expiry day) gets reminders again. Returns how many messages were queued.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(EXPIRY_THRESHOLDS))
    queued = 0
    for key, loader in registry.expiry_sources():
        try:
            items = list(loader(today, horizon))
        except Exception:
            logger.exception("expiry source %r failed; its reminders wait for the next run", key)
            continue
        for item in items:
            days_left = (item.expires_on - today).days
            threshold = _reminder_threshold(days_left)
            holder = item.holder
            if threshold is None or days_left < 0 or holder is None:
                continue
            with transaction.atomic(), translation.override(getattr(holder, "preferred_language", "") or "id"):
                subject = _("%(item)s expires in %(days)d days") % {"item": item.label, "days": days_left}
                if days_left == 0:
                    subject = _("%(item)s expires today") % {"item": item.label}
                body = _("%(item)s is valid until %(date)s. Renew it in time so that it does not lapse.") % {
                    "item": item.label,
                    "date": item.expires_on.strftime("%d-%m-%Y"),
                }
                queued += len(
                    notify(
                        channels=["inbox", "email"],
                        kind="portal.expiry_reminder",
                        subject=subject,
                        body=body,
                        dedupe_key=f"portal:expiry:{item.kind}:{item.id}:{item.expires_on.isoformat()}:{threshold}",
                        recipient=holder,
                        url=item.url,
                    )
                )
    return queued
