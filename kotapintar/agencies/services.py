"""Writes of the agencies app: agencies, units, staff memberships, and the agency import.

Every function is keyword-only and atomic, checks who may act, and writes an audit row
(with the agency's id, so the agency's own staff can read it). `actor=None` means the
system itself (a management command or data import) and is always allowed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import access, audit
from kotapintar.core.errors import DomainError, NotAllowed
from kotapintar.regions.models import Region

from .models import Agency, Membership, Unit

AGENCY_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "region",
    "description",
    "email",
    "phone",
    "address",
    "is_active",
)
UNIT_FIELDS = ("code", "name", "is_active")
MEMBERSHIP_FIELDS = ("user", "agency", "unit", "role", "position", "is_active")

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
KECAMATAN_ROW = "KECAMATAN"
DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "agencies.csv"


# --- who may act ----------------------------------------------------------------------------


def _is_admin(actor: Any) -> bool:
    return actor is None or access.role_of(actor) == access.ADMIN


def _require_admin(actor: Any) -> None:
    if not _is_admin(actor):
        raise NotAllowed(_("Only administrators may change agencies and their units."))


def _require_agency_manager(actor: Any, agency: Agency) -> None:
    """Administrators, or the head of this agency."""
    if _is_admin(actor):
        return
    if access.role_of(actor) == access.AGENCY and agency.pk in access.headed_agency_ids(actor):
        return
    raise NotAllowed(_("Only administrators and the head of this agency may change its units and members."))


# --- agencies -------------------------------------------------------------------------------


def _copy_fields(source, target, fields: list[str]) -> None:
    """Keep the caller's instance in step with the saved row."""
    if target is not source:
        for f in fields:
            setattr(target, f, getattr(source, f))


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def agency_check(agency: Agency) -> None:
    """The rules an agency must meet (also used by the admin form to show errors early)."""
    if not CODE_RE.match(agency.code):
        raise DomainError(
            _("The code “%(code)s” is not valid: use capital letters, digits, dots and dashes (at most 40).")
            % {"code": agency.code},
            code="invalid_code",
        )
    clash = Agency.objects.filter(code=agency.code).exclude(pk=agency.pk).first()
    if clash is not None:
        raise DomainError(
            _("The code “%(code)s” is already used by %(agency)s. Choose another code.")
            % {"code": agency.code, "agency": clash.name},
            code="duplicate_code",
        )
    if agency.kind == Agency.Kind.KECAMATAN:
        if agency.region is None or agency.region.level != Region.Level.DISTRICT:
            raise DomainError(
                _("A kecamatan office must be linked to its kecamatan. Choose the kecamatan in “region”."),
                code="kecamatan_region",
            )
        if agency.is_active:
            other = (
                Agency.objects.filter(kind=Agency.Kind.KECAMATAN, region_id=agency.region_id, is_active=True)
                .exclude(pk=agency.pk)
                .first()
            )
            if other is not None:
                raise DomainError(
                    _("Kecamatan %(region)s already has an active office (%(agency)s). Deactivate that one first.")
                    % {"region": agency.region.name, "agency": other.name},
                    code="kecamatan_office_exists",
                )
    agency.full_clean(validate_unique=False)


@transaction.atomic
def agency_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    region: Region | None = None,
    description: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    is_active: bool = True,
) -> Agency:
    """Add an agency to the city's list."""
    _require_admin(actor)
    agency = Agency(
        code=normalise_code(code),
        name=(name or "").strip(),
        kind=kind,
        short_name=(short_name or "").strip(),
        region=region,
        description=description,
        email=email,
        phone=phone,
        address=address,
        is_active=is_active,
    )
    agency_check(agency)
    agency.save()
    audit.record(actor=actor, action="agency.create", obj=agency, after=audit.snapshot(agency, list(AGENCY_FIELDS)))
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, **changes: Any) -> Agency:
    """Change an agency's details or its active flag; only changed fields are audited."""
    _require_admin(actor)
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"agency_update() got unknown fields: {', '.join(sorted(unknown))}")
    given, agency = agency, Agency.objects.select_for_update().get(pk=agency.pk)
    if "code" in changes:
        changes["code"] = normalise_code(changes["code"])
    changed = [f for f, value in changes.items() if getattr(agency, f) != value]
    if not changed:
        return agency
    before = audit.snapshot(agency, changed)
    for f in changed:
        setattr(agency, f, changes[f])
    agency_check(agency)
    agency.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=actor, action="agency.update", obj=agency, before=before, after=audit.snapshot(agency, changed))
    _copy_fields(agency, given, [*changed, "updated_at"])
    return agency


# --- units ----------------------------------------------------------------------------------


def _check_unit(unit: Unit) -> None:
    if not unit.name.strip():
        raise DomainError(_("Give the unit a name."), code="unit_name")
    clash = Unit.objects.filter(agency_id=unit.agency_id, name__iexact=unit.name).exclude(pk=unit.pk).exists()
    if clash:
        raise DomainError(
            _("This agency already has a unit named “%(name)s”.") % {"name": unit.name}, code="duplicate_unit"
        )
    unit.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def unit_create(*, actor: Any, agency: Agency, name: str, code: str = "", is_active: bool = True) -> Unit:
    """Add a unit (bidang, seksi, UPTD…) to an agency."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _require_agency_manager(actor, agency)
    unit = Unit(agency=agency, name=(name or "").strip(), code=(code or "").strip(), is_active=is_active)
    _check_unit(unit)
    unit.save()
    audit.record(actor=actor, action="unit.create", obj=unit, after=audit.snapshot(unit, list(UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    """Rename a unit, change its code, or (de)activate it."""
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unknown fields: {', '.join(sorted(unknown))}")
    given, unit = unit, Unit.objects.select_for_update().select_related("agency").get(pk=unit.pk)
    _require_agency_manager(actor, unit.agency)
    changed = [f for f, value in changes.items() if getattr(unit, f) != value]
    if not changed:
        return unit
    before = audit.snapshot(unit, changed)
    for f in changed:
        setattr(unit, f, changes[f].strip() if isinstance(changes[f], str) else changes[f])
    _check_unit(unit)
    unit.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=actor, action="unit.update", obj=unit, before=before, after=audit.snapshot(unit, changed))
    _copy_fields(unit, given, [*changed, "updated_at"])
    return unit


# --- memberships ----------------------------------------------------------------------------


def membership_check_user(user: Any) -> None:
    """Only active staff accounts with the role "agency" may be members of an agency."""
    from kotapintar.accounts.models import Role as UserRole

    if user.role != UserRole.AGENCY or not user.is_active:
        raise DomainError(
            _(
                "%(user)s is not an active staff account with the role “Agency staff”. "
                "Change the account's role first, then add it to the agency."
            )
            % {"user": user},
            code="not_agency_staff",
        )


def membership_check(*, user: Any, agency: Agency, role: str, unit: Unit | None = None) -> None:
    """The rules a membership must meet (also used by the admin form to show errors early)."""
    membership_check_user(user)
    if not agency.is_active:
        raise DomainError(
            _("%(agency)s is inactive. Activate the agency before adding members.") % {"agency": agency},
            code="agency_inactive",
        )
    if role not in Membership.Role.values:
        raise DomainError(_("Choose the role: agency officer or agency head."), code="invalid_role")
    if unit is not None and (unit.agency_id != agency.pk or not unit.is_active):
        raise DomainError(
            _("The unit “%(unit)s” is not an active unit of %(agency)s.") % {"unit": unit.name, "agency": agency},
            code="unit_not_in_agency",
        )


def _require_membership_manager(actor: Any, agency: Agency, *roles: str) -> None:
    """Administrators for any membership; an agency's head for its officers only."""
    if _is_admin(actor):
        return
    _require_agency_manager(actor, agency)
    if any(r == Membership.Role.HEAD for r in roles):
        raise NotAllowed(_("Only administrators may appoint or remove an agency head."))


@transaction.atomic
def membership_set(
    *, actor: Any, user: Any, agency: Agency, role: str, unit: Unit | None = None, position: str = ""
) -> Membership:
    """Make `user` a member of `agency` with this role (creates, updates or re-activates)."""
    # Read the agency and the account afresh: the caller's objects may be stale.
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    given_user, user = user, type(user)._default_manager.get(pk=user.pk)
    unit = Unit.objects.get(pk=unit.pk) if unit is not None else None
    membership = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
    _require_membership_manager(actor, agency, role, *([membership.role] if membership else []))
    membership_check(user=user, agency=agency, role=role, unit=unit)
    values = {"role": role, "unit": unit, "position": (position or "").strip(), "is_active": True}
    if membership is None:
        membership = Membership(user=user, agency=agency, **values)
        membership.full_clean(validate_unique=False, validate_constraints=False)
        membership.save()
        audit.record(
            actor=actor,
            action="membership.set",
            obj=membership,
            after=audit.snapshot(membership, list(MEMBERSHIP_FIELDS)),
        )
    else:
        changed = [f for f, value in values.items() if getattr(membership, f) != value]
        if changed:
            before = audit.snapshot(membership, changed)
            for f in changed:
                setattr(membership, f, values[f])
            membership.full_clean(validate_unique=False, validate_constraints=False)
            membership.save(update_fields=[*changed, "updated_at"])
            audit.record(
                actor=actor,
                action="membership.set",
                obj=membership,
                before=before,
                after=audit.snapshot(membership, changed),
            )
    access.forget(given_user)
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> Membership:
    """End a staff member's membership (kept, inactive, for the record)."""
    membership = Membership.objects.select_for_update().select_related("agency", "user").get(pk=membership.pk)
    _require_membership_manager(actor, membership.agency, membership.role)
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action="membership.remove",
            obj=membership,
            before={"is_active": True},
            after={"is_active": False},
        )
    access.forget(membership.user)
    return membership


# --- import of the city's agencies ------------------------------------------------------------


class AgencyImportError(DomainError):
    """The agency file has errors; nothing was changed."""

    status_code = 400
    code = "invalid_import"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(_("The agency file has errors; nothing was changed.") + "\n" + "\n".join(errors))


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


@dataclass(frozen=True)
class _Spec:
    code: str
    name: str
    kind: str
    region: Region | None = None


def _read_specs(path: Path, city_code: str) -> list[_Spec]:
    errors: list[str] = []
    specs: list[_Spec] = []
    seen: dict[str, int] = {}
    file_kinds = [k for k in Agency.Kind.values if k != Agency.Kind.KECAMATAN]
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise AgencyImportError(
            [f"{path}: " + _("the file cannot be read (%(reason)s).") % {"reason": exc.strerror}]
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = {"code", "name", "kind"} - set(reader.fieldnames or [])
            rows = [] if missing else [(reader.line_num, row) for row in reader]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise AgencyImportError(
                [
                    f"{path.name}:{reader.line_num + 1}: "
                    + _("the file is not valid UTF-8 CSV (%(reason)s).") % {"reason": exc}
                ]
            ) from exc
    if missing:
        raise AgencyImportError(
            [
                f"{path.name}:1: "
                + _("missing column(s) %(columns)s; the first line must name the columns code,name,kind.")
                % {"columns": ", ".join(sorted(missing))}
            ]
        )

    for line, row in rows:
        where = f"{path.name}:{line}: "
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        if not code:
            errors.append(where + _("the code is empty."))
            continue
        if not CODE_RE.match(code):
            errors.append(
                where
                + _("the code “%(code)s” may only have capital letters, digits, dots and dashes (at most 40).")
                % {"code": code}
            )
            continue
        if code in seen:
            errors.append(
                where + _("the code “%(code)s” is already on line %(line)d.") % {"code": code, "line": seen[code]}
            )
            continue
        seen[code] = line
        if code == KECAMATAN_ROW:
            if kind not in ("wilayah", Agency.Kind.KECAMATAN):
                errors.append(where + _("the KECAMATAN row must have the kind “wilayah” or “kecamatan”."))
                continue
            districts = list(Region.objects.filter(parent_id=city_code, level=Region.Level.DISTRICT).order_by("code"))
            if not districts:
                errors.append(
                    where
                    + _(
                        "no kecamatan of the city %(city)s in the regions table; "
                        "run “manage.py import_regions” first, or check CITY_CODE."
                    )
                    % {"city": city_code}
                )
                continue
            for region in districts:
                specs.append(
                    _Spec(code=f"KEC-{region.code}", name=f"Kecamatan {region.name}", kind="kecamatan", region=region)
                )
            continue
        row_ok = True
        if not name:
            errors.append(where + _("the name is empty."))
            row_ok = False
        elif len(name) > 200:
            errors.append(where + _("the name is longer than 200 characters."))
            row_ok = False
        if kind not in file_kinds:
            errors.append(
                where
                + _("unknown kind “%(kind)s”; use one of: %(kinds)s.") % {"kind": kind, "kinds": ", ".join(file_kinds)}
            )
            row_ok = False
        if row_ok:
            specs.append(_Spec(code=code, name=name, kind=kind))

    kecamatan_line = seen.get(KECAMATAN_ROW)
    for spec in specs:
        if spec.region is not None and spec.code in seen:
            errors.append(
                f"{path.name}:{seen[spec.code]}: "
                + _("the code “%(code)s” is the code of a kecamatan office (line %(line)d); choose another.")
                % {"code": spec.code, "line": kecamatan_line}
            )
    if errors:
        raise AgencyImportError(errors)
    return specs


@transaction.atomic
def agency_import(*, actor: Any = None, path: Path | str | None = None, city_code: str | None = None) -> ImportResult:
    """Create or update the city's agencies from the agency file (upsert by code, idempotent).

    The row KECAMATAN stands for one office per kecamatan of the city (settings.CITY_CODE),
    linked to its region. The file is checked first: on any error nothing is changed and
    AgencyImportError lists each error with its file and line. Existing agencies keep
    their short name, contacts, duties and active flag (an administrator's decisions),
    except that the city's kecamatan offices are made active and those of another city
    inactive.
    """
    _require_admin(actor)
    city_code = city_code or settings.CITY_CODE
    specs = _read_specs(Path(path) if path else DEFAULT_FILE, city_code)
    result = ImportResult()
    existing = {a.code: a for a in Agency.objects.select_for_update().filter(code__in=[s.code for s in specs])}
    for spec in specs:
        agency = existing.get(spec.code)
        if agency is None:
            short_name = spec.code if spec.region is None and spec.code != spec.name.upper() else ""
            agency_create(
                actor=actor, code=spec.code, name=spec.name, kind=spec.kind, short_name=short_name, region=spec.region
            )
            result.created.append(spec.code)
            continue
        wanted: dict[str, Any] = {"name": spec.name, "kind": spec.kind}
        if spec.region is not None:
            wanted.update(region=spec.region, is_active=True)
        changes = {f: v for f, v in wanted.items() if getattr(agency, f) != v}
        if changes:
            agency_update(actor=actor, agency=agency, **changes)
            result.updated.append(spec.code)
        else:
            result.unchanged.append(spec.code)
    stale = Agency.objects.filter(kind=Agency.Kind.KECAMATAN, is_active=True).exclude(region__parent_id=city_code)
    for agency in stale:
        agency_update(actor=actor, agency=agency, is_active=False)
        result.deactivated.append(agency.code)
    return result
