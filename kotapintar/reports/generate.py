"""Realistic synthetic reports at scale: `manage.py generate_reports --count N`.

What a big city's complaint channel looks like after years of use — for benchmarks, load
tests and trying the staff desks with real volume. Everything is computed with numpy, a
chunk of reports at a time, and written with PostgreSQL's COPY (SQLite: executemany):
1,000,000 reports with their timelines in about two minutes on two cores.

The rows follow the same rules as the services (reports.services) and the demo
(reports.demo), so queues, maps, statistics, Open311 and the SLA sweep behave as with real
reports:

- six years of filing dates (configurable), more recent years busier, office-hour and
  weekday rhythm; categories in the proportions of the demo; points inside the city
  (kelurahan chosen by activity, points sampled inside their polygons, plus hotspots);
  privacy and channel mixes; reporters with and without accounts;
- every state, by what had happened by `now`: awaiting verification, verified, routed,
  being handled, resolved, closed (confirmed or automatically), set aside, merged; a small
  backlog of old reports that nobody finished;
- deadlines (verify, first follow-up, resolution, auto-close, reopen window) in working
  days computed with the city's calendar (core.calendar, vectorised here and checked
  against reports.sla by the tests), `due_at` and the escalation level of the current
  stage, `resolved_on_time`, `is_public` (Report.compute_is_public);
- timelines written as the services write them: submitted, recategorised, verified,
  set aside, dispositioned (primary and supporting agencies), re-routed, assigned, internal
  notes, follow-ups, resolved, rated, reopened + the reporter's reply, confirmed,
  auto-closed, merged (both sides), escalations (current and past stages), supports;
- dispositions consistent with the state (one active primary while with an agency, done
  after resolution, re-routed ones closed), followers and supporter counts.

There is no audit row per generated report (as with the demo data): nobody acted.
`check_consistency()` replays the timelines and compares them with the stored state (used
by the tests and the million-row benchmark).

PostgreSQL, large loads: the tables are locked against concurrent writers for the load
(SHARE ROW EXCLUSIVE: reads go on). When the load is at least as big as what is already
there, the secondary indexes and foreign keys of the four tables are dropped and rebuilt in
the same transaction — a rebuild is several times faster than maintaining them row by row,
and re-adding a foreign key validates every row, so integrity is checked, not assumed. If
anything fails, the transaction rolls back and the tables are as before.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kotapintar.core import calendar, geo

from . import demo, pgbinary
from .models import (
    Category,
    Channel,
    Disposition,
    EventKind,
    Follower,
    Privacy,
    Report,
    ReportEvent,
    SetAsideReason,
    Status,
    Visibility,
)
from .pgbinary import Pooled

US = 1_000_000
MINUTE = 60 * US
HOUR = 3600 * US
DAY = 86_400 * US
WIB_OFFSET = 7 * HOUR
NONE = np.iinfo(np.int64).min  # NULL in a time column
NEVER = np.int64(1) << 62  # in a plan: what never happens (later than any "now")
HORIZON = NEVER // 2  # anything at or beyond this is "never"
EPOCH = dt.date(1970, 1, 1)
GENERATED_DOMAIN = "generated.kotapintar.id"
DEFAULT_SEED = 311
CHUNK = 200_000

# Share of each outcome (the rest follows from the timeline).
P_SET_ASIDE = 0.06
P_LATE_DESK = 0.08
P_RECATEGORISED = 0.05
P_MERGED = 0.012
P_REROUTED = 0.04
P_SUPPORTING_AGENCY = 0.03
P_SLOW_RESPONSE = 0.15
P_LONG_TAIL = 0.10
P_NOTE = 0.20
P_FOLLOWED = 0.03
# Old reports nobody finished (the backlog a big city carries).
P_NEVER_VERIFIED = 0.001
P_NEVER_RESPONDED = 0.002
P_STALLED = 0.003

PRIVACY_MIX = ((Privacy.ANONYMOUS, 55), (Privacy.PUBLIC, 35), (Privacy.CONFIDENTIAL, 10))
CHANNEL_MIX = (
    (Channel.WEB, 45),
    (Channel.API, 30),
    (Channel.WHATSAPP, 12),
    (Channel.OPEN311, 5),
    (Channel.STAFF, 8),
)
CLIENTS = {
    Channel.API: ["Lapor Semar (Android)", "Lapor Semar (iOS)"],
    Channel.OPEN311: ["SeeClickFix", "FixMyStreet Semarang", "Aplikasi Warga RW"],
    Channel.WHATSAPP: ["WhatsApp Lapor Semar"],
}
# Filing by hour of the day (WIB): mornings and evenings.
HOURLY = np.array(
    [
        *(0.3, 0.2, 0.1, 0.1, 0.2, 0.6, 1.2, 2.0, 2.6, 2.6, 2.4, 2.2),  # 00–11
        *(2.0, 2.0, 2.0, 1.9, 1.8, 1.6, 1.7, 2.0, 2.1, 1.8, 1.2, 0.6),  # 12–23
    ]
)
NAMES_WITHOUT_ACCOUNT = ["", "", "Pak RT", "Warga", "Bu Sri", "Mas Andi", "Ketua RW 05"]
NOTES = [
    "Sudah dikoordinasikan dengan UPTD wilayah.",
    "Menunggu ketersediaan material dari gudang.",
    "Lokasi perlu dicek ulang, koordinat agak bergeser.",
    "Mohon prioritas, lokasi dekat sekolah.",
]
REROUTE_REASON = "Bukan kewenangan kami; lokasi dan masalah ditangani OPD lain."
FOLLOW_UP_AFTER_REOPEN = "Petugas meninjau ulang lokasi sesuai keluhan pelapor."
REOPEN_REPLY = "Masalahnya muncul lagi, mohon dicek ulang."

# Order of events that share a moment (e.g. reopened, then the reporter's reply).
_SEQ = {
    str(k): i
    for i, k in enumerate(
        [
            EventKind.SUBMITTED,
            EventKind.RECATEGORISED,
            EventKind.VERIFIED,
            EventKind.SET_ASIDE,
            EventKind.MERGED,
            EventKind.DISPOSITIONED,
            EventKind.REROUTED,
            EventKind.ASSIGNED,
            EventKind.NOTE,
            EventKind.FOLLOW_UP,
            EventKind.ESCALATED,
            EventKind.SUPPORTED,
            EventKind.RESOLVED,
            EventKind.RATED,
            EventKind.REOPENED,
            EventKind.REPORTER_REPLY,
            EventKind.CONFIRMED,
            EventKind.AUTO_CLOSED,
        ]
    )
}


_VISIBILITIES = [str(v) for v in Visibility.values]

# --- time helpers (int64 microseconds since the Unix epoch, UTC) -----------------------------------


def to_us(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * US + moment.microsecond


def from_us(value: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(value))


def wib_day(t: np.ndarray) -> np.ndarray:
    """The WIB calendar day (days since 1970-01-01) of each moment."""
    return (t + WIB_OFFSET) // DAY


def end_of_day(day: np.ndarray) -> np.ndarray:
    """23:59:59.999999 WIB of each day, as a moment (what core.calendar.end_of_day gives)."""
    return day * DAY + (DAY - WIB_OFFSET) - 1


class WorkCalendar:
    """core.calendar over a range of days, vectorised: add_working_days for arrays."""

    def __init__(self, first_day: int, last_day: int):
        self.first = int(first_day)
        days = [EPOCH + dt.timedelta(days=d) for d in range(self.first, int(last_day) + 1)]
        self.work = np.array([calendar.is_working_day(day) for day in days], dtype=bool)
        self.cw = np.cumsum(self.work)  # working days up to and including each day
        self.widx = np.nonzero(self.work)[0]

    def add_days(self, day: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The WIB day `n` working days after `day` (n = 0: that day or the next working one)."""
        # Clipped: moments that never happen (NEVER) give nonsense that callers mask out.
        i = np.clip(np.asarray(day, dtype=np.int64) - self.first, 0, len(self.work) - 1)
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), i.shape)
        k = np.where(n > 0, self.cw[i] + n - 1, np.where(self.work[i], self.cw[i] - 1, self.cw[i]))
        return self.widx[np.minimum(k, len(self.widx) - 1)] + self.first

    def add(self, t: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """calendar.add_working_days(moment, n) for arrays of moments: the end of the due day."""
        return end_of_day(self.add_days(wib_day(t), n))


def office_hours(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same WIB day, at a plausible office time (08:00–15:59)."""
    day = wib_day(t)
    seconds = rng.integers(8 * 3600, 16 * 3600, size=len(t))
    return np.where(t >= HORIZON, NEVER, day * DAY - WIB_OFFSET + seconds * US)


def _days(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return (rng.uniform(low, high, n) * DAY).astype(np.int64)


def _pick(rng: np.random.Generator, mix, n: int) -> np.ndarray:
    values = np.array([getattr(v, "value", v) for v, _w in mix], dtype=object)
    weights = np.array([w for _v, w in mix], dtype=float)
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


# --- reference data ---------------------------------------------------------------------------------


@dataclass
class Reference:
    """Everything the generator needs from the database, read once."""

    cat_id: np.ndarray
    cat_code: list[str]
    cat_kind: np.ndarray
    cat_days: np.ndarray
    cat_weight: np.ndarray
    cat_agency: np.ndarray  # default agency id per category (-1: by area / by the desk)
    cat_by_area: np.ndarray
    texts: list[str]  # report texts (the pool), with their titles
    titles: list[str]
    text_start: np.ndarray  # per category: range of its texts in the pool
    text_count: np.ndarray
    agency_ids: np.ndarray  # agencies that are not kecamatan offices
    agency_code: dict[int, str]
    office_by_district: dict[str, int]
    village_codes: np.ndarray
    village_district: np.ndarray
    village_weight: np.ndarray
    village_bounds: np.ndarray  # (n, 4): min_lng, min_lat, max_lng, max_lat
    officers: dict[int, list[int]]
    desk_ids: np.ndarray
    citizen_ids: np.ndarray
    citizen_names: np.ndarray
    calendar: WorkCalendar


def _citizens(wanted: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Resident accounts to file reports with: existing citizens, topped up with generated ones."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    rows = list(
        User.objects.filter(role="citizen", is_active=True).order_by("pk").values_list("pk", "full_name")[:wanted]
    )
    if len(rows) < wanted:
        rng = np.random.default_rng([seed, 7])
        first = ["Sri", "Agus", "Dewi", "Budi", "Siti", "Eko", "Rina", "Joko", "Yuni", "Bambang", "Nur", "Teguh"]
        last = ["Rahayu", "Santoso", "Lestari", "Hartono", "Aminah", "Prasetyo", "Wulandari", "Susilo", "Wibowo"]
        start = User.objects.filter(email__endswith="@" + GENERATED_DOMAIN).count()
        now = timezone.now()
        new = []
        for i in range(start, start + wanted - len(rows)):
            name = f"{first[rng.integers(len(first))]} {last[rng.integers(len(last))]}"
            new.append(
                User(
                    email=f"warga{i:06d}@{GENERATED_DOMAIN}",
                    full_name=name,
                    role="citizen",
                    email_verified_at=now,
                    password=make_password(None),
                )
            )
        User.objects.bulk_create(new, batch_size=5000)
        rows = list(
            User.objects.filter(role="citizen", is_active=True).order_by("pk").values_list("pk", "full_name")[:wanted]
        )
    return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=object)


def load_reference(*, count: int, seed: int, first_moment: int, now: int) -> Reference:
    from kotapintar.agencies.models import Agency, Membership

    from .services import CategoryImportError, category_import, derive_title

    villages = geo.get_index().villages
    if not villages.size:
        raise RuntimeError("no kelurahan boundaries for the city: run import_regions and import_boundaries first")
    if not Category.objects.exists():
        try:
            category_import(actor=None)
        except CategoryImportError as exc:
            raise RuntimeError("no report categories: run import_agencies and import_categories first") from exc
    cats = list(Category.objects.filter(is_active=True).order_by("order", "code"))
    if not cats:
        raise RuntimeError("no active report categories")

    rng = np.random.default_rng([seed, 1])
    texts: list[str] = []
    starts, counts = [], []
    for c in cats:
        pool = demo.TEXTS.get(c.code) or demo.TEXTS["LAINNYA"]
        starts.append(len(texts))
        made = [t.format(place=p) for t in pool for p in demo.PLACES]
        texts.extend(made)
        counts.append(len(made))
    titles = [derive_title(t) for t in texts]

    agencies = list(Agency.objects.filter(is_active=True).values_list("pk", "code", "kind", "region_id"))
    offices = {region: pk for pk, _c, kind, region in agencies if kind == Agency.Kind.KECAMATAN and region}
    others = np.array([pk for pk, _c, kind, _r in agencies if kind != Agency.Kind.KECAMATAN], dtype=np.int64)
    if not len(others):
        raise RuntimeError("no agencies: run import_agencies first")
    active_ids = {pk for pk, *_ in agencies}
    cat_agency = np.array(
        [c.default_agency_id if c.default_agency_id in active_ids else -1 for c in cats], dtype=np.int64
    )
    officers: dict[int, list[int]] = {}
    for user_id, agency_id in (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .order_by("role", "user_id")
        .values_list("user_id", "agency_id")
    ):
        officers.setdefault(agency_id, []).append(user_id)
    from django.contrib.auth import get_user_model

    desk = np.array(
        list(get_user_model().objects.filter(role="verifier", is_active=True).values_list("pk", flat=True)),
        dtype=np.int64,
    )
    citizen_ids, citizen_names = _citizens(int(min(40_000, max(50, count // 50))), seed)

    codes = np.array([e.village_code for e in villages.entries], dtype=object)
    districts = np.array([e.district_code for e in villages.entries], dtype=object)
    import shapely

    bounds = np.asarray(shapely.bounds(villages.geoms), dtype=float)
    # Some kelurahan are far busier than others (markets, main roads, dense kampung).
    weight = rng.lognormal(0.0, 0.8, len(codes))
    weight /= weight.sum()
    cal = WorkCalendar(int(wib_day(np.array([first_moment]))[0]) - 5, int(wib_day(np.array([now]))[0]) + 900)
    return Reference(
        cat_id=np.array([c.pk for c in cats], dtype=np.int64),
        cat_code=[c.code for c in cats],
        cat_kind=np.array([c.kind for c in cats], dtype=object),
        cat_days=np.array([c.resolution_days for c in cats], dtype=np.int64),
        cat_weight=np.array([demo.WEIGHTS.get(c.code, 1) for c in cats], dtype=float),
        cat_agency=cat_agency,
        cat_by_area=np.array([c.routing == Category.Routing.AREA for c in cats], dtype=bool),
        texts=texts,
        titles=titles,
        text_start=np.array(starts, dtype=np.int64),
        text_count=np.array(counts, dtype=np.int64),
        agency_ids=others,
        agency_code={pk: code for pk, code, *_ in agencies},
        office_by_district=offices,
        village_codes=codes,
        village_district=districts,
        village_weight=weight,
        village_bounds=bounds,
        officers=officers,
        desk_ids=desk,
        citizen_ids=citizen_ids,
        citizen_names=citizen_names,
        calendar=cal,
    )


# --- tracking numbers -------------------------------------------------------------------------------

_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
_RANDOM_SPACE = 32**6
_DECODE = np.full(256, -1, dtype=np.int64)
_DECODE[_ALPHABET] = np.arange(32)


def existing_number_keys() -> np.ndarray:
    """The tracking numbers in the database as integers (year * 32^6 + random part)."""
    keys = []
    for batch in _batched(Report.objects.values_list("tracking_number", flat=True).iterator(chunk_size=50_000)):
        raw = np.array([n.encode() for n in batch if len(n) == 13], dtype="S13")
        if not len(raw):
            continue
        b = raw.view(np.uint8).reshape(-1, 13)
        year = (b[:, 4].astype(np.int64) - 48) * 10 + (b[:, 5] - 48)
        value = np.zeros(len(b), dtype=np.int64)
        for col in range(7, 13):
            value = value * 32 + _DECODE[b[:, col]]
        keys.append(year * _RANDOM_SPACE + value)
    return np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)


def _batched(it, size: int = 50_000) -> Iterator[list]:
    batch = []
    for item in it:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def tracking_numbers(years: np.ndarray, used: np.ndarray, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Random, unique tracking numbers "LPR-YY-XXXXXX" for reports filed in these years."""
    yy = years % 100
    keys = yy * _RANDOM_SPACE + rng.integers(0, _RANDOM_SPACE, len(years))
    while True:
        order = np.argsort(keys, kind="stable")
        dup = np.zeros(len(keys), dtype=bool)
        s = keys[order]
        dup[order[1:]] = s[1:] == s[:-1]
        dup |= np.isin(keys, used)
        if not dup.any():
            break
        keys[dup] = yy[dup] * _RANDOM_SPACE + rng.integers(0, _RANDOM_SPACE, int(dup.sum()))
    out = np.empty((len(keys), 13), dtype=np.uint8)
    out[:, 0:4] = np.frombuffer(b"LPR-", dtype=np.uint8)
    out[:, 4] = 48 + yy // 10
    out[:, 5] = 48 + yy % 10
    out[:, 6] = ord("-")
    value = keys % _RANDOM_SPACE
    for col in range(12, 6, -1):
        out[:, col] = _ALPHABET[value % 32]
        value //= 32
    numbers = out.view("S13").ravel().astype("U13").tolist()
    return numbers, np.union1d(used, keys)


def token_hashes(numbers: list[str]) -> list[str]:
    """reports.tracking.hash_token(token_for(number, 0)) of each number (what report_submit stores)."""
    key = settings.SECRET_KEY.encode()
    new = hmac.new
    sha = hashlib.sha256
    enc = base64.urlsafe_b64encode
    out = []
    append = out.append
    for number in numbers:
        digest = new(key, f"reports.tracking:0:{number}".encode(), sha).digest()
        append(sha(enc(digest).rstrip(b"=")).hexdigest())
    return out


# --- the generated rows -----------------------------------------------------------------------------


class Events:
    """Timeline entries collected by kind, then sorted into insertion order."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []

    def add(
        self,
        rows: np.ndarray,
        kind: str,
        visibility: str,
        at: np.ndarray,
        *,
        actor: np.ndarray | int = -1,
        agency: np.ndarray | int = -1,
        text: np.ndarray | str = "",
        reason: np.ndarray | str = "",
        data: np.ndarray | str = "{}",
    ) -> None:
        n = len(rows)
        if not n:
            return

        def full(value, dtype):
            if isinstance(value, np.ndarray):
                return value.astype(dtype, copy=False)
            return np.full(n, value, dtype=dtype)

        self.parts.append(
            {
                "row": rows.astype(np.int64),
                "seq": np.full(n, _SEQ[kind], dtype=np.int64),
                "visibility": np.full(n, _VISIBILITIES.index(visibility), dtype=np.int64),
                "at": at.astype(np.int64),
                "actor": full(actor, np.int64),
                "agency": full(agency, np.int64),
                "text": full(text, object),
                "reason": full(reason, object),
                "data": full(data, object),
            }
        )

    def build(self, now: int) -> dict[str, np.ndarray]:
        merged = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        keep = merged["at"] <= now
        merged = {k: v[keep] for k, v in merged.items()}
        order = np.lexsort((merged["seq"], merged["at"], merged["row"]))
        return {k: v[order] for k, v in merged.items()}


def _json_strs(template: str, *columns: np.ndarray) -> np.ndarray:
    return np.array([template % values for values in zip(*[c.tolist() for c in columns], strict=True)], dtype=object)


def _iso(t: np.ndarray) -> np.ndarray:
    """ISO 8601 with +00:00, as datetime.isoformat() writes an aware UTC moment."""
    return np.char.add(np.datetime_as_string(t.astype("datetime64[us]"), unit="us"), "+00:00")


@dataclass
class Chunk:
    n: int
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)
    dispositions: dict[str, np.ndarray] = field(default_factory=dict)
    followers: dict[str, np.ndarray] = field(default_factory=dict)


def build_chunk(
    ref: Reference, *, n: int, first_id: int, now: int, start: int, rng: np.random.Generator, used_numbers: np.ndarray
) -> tuple[Chunk, np.ndarray]:
    """The rows of `n` reports (ids first_id…), their timelines, dispositions and followers.

    The plan of each report (when it would be verified, routed, answered, resolved…) uses
    NEVER for what never happens; what had happened by `now` becomes the stored state.
    """
    cal = ref.calendar
    rows = np.arange(n)
    ids = first_id + rows

    def at(t: np.ndarray) -> np.ndarray:
        return t <= now

    def later(t: np.ndarray, delta: np.ndarray | int) -> np.ndarray:
        return np.where(t >= HORIZON, NEVER, t + delta)

    # -- when: more reports in recent years, fewer at weekends, office-hour rhythm ------------
    d0, d1 = int(wib_day(np.array([start]))[0]), int(wib_day(np.array([now]))[0])
    days = np.arange(d0, d1 + 1)
    growth = 0.35 + 0.65 * (days - d0) / max(d1 - d0, 1)
    weekday = np.where(((days + 3) % 7) >= 5, 0.7, 1.0)  # 1970-01-01 was a Thursday
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (days - 15) / 365.25)  # rainy season Dec–Feb
    p = growth * weekday * season
    day = days[rng.choice(len(days), size=n, p=p / p.sum())]
    hour = rng.choice(24, size=n, p=HOURLY / HOURLY.sum())
    created = day * DAY - WIB_OFFSET + hour * HOUR + rng.integers(0, 3600, n) * US
    late = created > now - MINUTE
    created[late] = now - rng.integers(60, 6 * 3600, int(late.sum())) * US
    created = np.sort(np.maximum(created, start))  # ids follow filing order, as in real life

    # -- what and where -------------------------------------------------------------------------
    ncat = len(ref.cat_id)
    cat = rng.choice(ncat, size=n, p=ref.cat_weight / ref.cat_weight.sum())
    text_idx = ref.text_start[cat] + (rng.random(n) * ref.text_count[cat]).astype(np.int64)
    lat, lng, village = _points(ref, n, rng)
    privacy = _pick(rng, PRIVACY_MIX, n)
    channel = _pick(rng, CHANNEL_MIX, n)
    client = np.full(n, "", dtype=object)
    for ch, names in CLIENTS.items():
        m = channel == ch
        client[m] = np.array(names, dtype=object)[rng.integers(0, len(names), int(m.sum()))]
    with_account = (rng.random(n) < 0.65) & (channel != Channel.STAFF.value)
    # A few residents file a lot (Zipf-like).
    pool = len(ref.citizen_ids)
    who = np.minimum((rng.pareto(1.2, n) * pool / 20).astype(np.int64), pool - 1)
    reporter = np.where(with_account, ref.citizen_ids[who], -1)
    show_name = with_account & (privacy == Privacy.PUBLIC.value) & (rng.random(n) < 0.4)
    public_name = np.where(show_name, ref.citizen_names[who], "").astype(object)
    names = np.array(NAMES_WITHOUT_ACCOUNT, dtype=object)[rng.integers(0, len(NAMES_WITHOUT_ACCOUNT), n)]
    reporter_name = np.where(with_account, "", names).astype(object)
    phone_given = ~with_account & (rng.random(n) < 0.35)
    phones = np.char.add("+628", rng.integers(10**9, 10**10, n).astype(str)).astype(object)
    reporter_phone = np.where(phone_given, phones, "").astype(object)
    years = (wib_day(created) * DAY).astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64) + 1970
    numbers, used_numbers = tracking_numbers(years, used_numbers, rng)
    number_arr = np.array(numbers, dtype=object)
    days_limit = ref.cat_days[cat]
    verify_due = cal.add(created, 3)

    # -- the plan: when each stage would happen ----------------------------------------------
    late_desk = rng.random(n) < P_LATE_DESK
    V = office_hours(created + np.where(late_desk, _days(rng, 4, 7, n), _days(rng, 0.1, 3.5, n)), rng)
    V = np.maximum(V, created + 20 * MINUTE)
    V[rng.random(n) < P_NEVER_VERIFIED] = NEVER
    set_aside = rng.random(n) < P_SET_ASIDE

    # Merges: a verified report repeats the previous one of its category (moved next to it).
    M = later(V, 10 * MINUTE)
    merge = ~set_aside & (privacy != Privacy.CONFIDENTIAL.value) & (rng.random(n) < P_MERGED) & (V < HORIZON)
    by_cat = np.lexsort((created, cat))
    older = np.zeros(n, dtype=np.int64)
    older[by_cat[1:]] = by_cat[:-1]
    same = np.zeros(n, dtype=bool)
    same[by_cat[1:]] = cat[by_cat[1:]] == cat[by_cat[:-1]]
    merge &= same & ~set_aside[older] & (privacy[older] != Privacy.CONFIDENTIAL.value) & (V[older] <= M)
    merge &= ~merge[older]  # no chains: an original is never itself merged
    lat = np.where(merge, np.round(lat[older] + rng.uniform(-0.0002, 0.0002, n), 6), lat)
    lng = np.where(merge, np.round(lng[older] + rng.uniform(-0.0002, 0.0002, n), 6), lng)
    village = np.where(merge, village[older], village)
    # The desk corrects the category of some reports when verifying them.
    recat = ~set_aside & ~merge & at(V) & (rng.random(n) < P_RECATEGORISED)
    submitted_cat = np.where(recat, (cat + rng.integers(1, max(ncat, 2), n)) % ncat, cat)

    # Routing: the category's agency, or the kecamatan office of the point, or the desk's choice.
    district = ref.village_district[village]
    office = np.array([ref.office_by_district.get(d, -1) for d in district.tolist()], dtype=np.int64)
    any_agency = ref.agency_ids[rng.integers(0, len(ref.agency_ids), n)]
    agency = np.where(ref.cat_by_area[cat], office, ref.cat_agency[cat])
    agency = np.where(agency < 0, any_agency, agency)
    first_agency = ref.agency_ids[rng.integers(0, len(ref.agency_ids), n)]
    rerouted = (rng.random(n) < P_REROUTED) & (first_agency != agency)
    supporting = ref.agency_ids[rng.integers(0, len(ref.agency_ids), n)]
    has_support = (rng.random(n) < P_SUPPORTING_AGENCY) & (supporting != agency) & (supporting != first_agency)

    D = later(V, rng.integers(5, 240, n) * MINUTE)
    RR = np.where(rerouted, later(D, (rng.uniform(2, 30, n) * HOUR).astype(np.int64)), NEVER)
    slow = rng.random(n) < P_SLOW_RESPONSE
    F = office_hours(later(D, np.where(slow, _days(rng, 5, 12, n), _days(rng, 0.2, 5, n))), rng)
    F = np.maximum(F, later(np.where(rerouted, RR, D), 30 * MINUTE))
    F[rng.random(n) < P_NEVER_RESPONDED] = NEVER
    spread = rng.uniform(0.2, 1.15, n) * np.where(rng.random(n) < P_LONG_TAIL, rng.uniform(1.5, 4, n), 1.0)
    R = office_hours(later(F, (spread * days_limit * 7 / 5 * DAY).astype(np.int64)), rng)
    R = np.maximum(R, later(F, 2 * HOUR))
    R[rng.random(n) < P_STALLED] = NEVER
    answer = rng.random(n)
    confirm_t = np.where(answer < 0.45, later(R, _days(rng, 0.2, 6, n)), NEVER)
    rated_t = np.where(answer < 0.65, later(R, _days(rng, 0.1, 6, n)), NEVER)
    reopen_t = np.where((answer >= 0.65) & (answer < 0.70), later(R, _days(rng, 1, 5, n)), NEVER)
    R2 = np.maximum(office_hours(later(reopen_t, _days(rng, 1, 10, n)), rng), later(reopen_t, 2 * HOUR))
    F2 = np.where(reopen_t < HORIZON, reopen_t + (R2 - reopen_t) // 2, NEVER)

    # -- what had happened by now ---------------------------------------------------------------
    def nulls() -> np.ndarray:
        return np.full(n, NONE, dtype=np.int64)

    status = np.full(n, Status.SUBMITTED.value, dtype=object)
    verified_at, set_aside_at, disp_at, first_resp, last_fu = nulls(), nulls(), nulls(), nulls(), nulls()
    resolved_at, closed_at, response_due, resolution_due = nulls(), nulls(), nulls(), nulls()
    auto_close_due, reopen_until, rated_at = nulls(), nulls(), nulls()
    resolved_on_time = np.full(n, -1, dtype=np.int64)  # -1: null
    reopen_count = np.zeros(n, dtype=np.int64)
    rating = np.full(n, -1, dtype=np.int64)
    responsible = np.full(n, -1, dtype=np.int64)

    sa = set_aside & at(V)
    status[sa] = Status.SET_ASIDE.value
    set_aside_at[sa] = V[sa]
    ver = ~set_aside & at(V)
    status[ver] = Status.VERIFIED.value
    verified_at[ver] = V[ver]
    merged = merge & ver & at(M)
    into = np.where(merged, older, -1)
    status[merged] = Status.MERGED.value
    closed_at[merged] = M[merged]
    disp = ver & ~merged & at(D)
    status[disp] = Status.DISPOSITIONED.value
    disp_at[disp] = D[disp]
    moved = disp & at(RR)
    routed_at = np.where(moved, RR, D)  # deadlines count from the (last) routing
    response_due[disp] = cal.add(routed_at[disp], 5)
    resolution_due[disp] = cal.add(routed_at[disp], days_limit[disp])
    first_due = resolution_due.copy()
    responsible[disp] = np.where(rerouted & ~moved, first_agency, agency)[disp]
    resp = disp & at(F)
    status[resp] = Status.IN_PROGRESS.value
    first_resp[resp] = F[resp]
    last_fu[resp] = F[resp]
    res = resp & at(R)
    status[res] = Status.RESOLVED.value
    resolved_at[res] = R[res]
    last_fu[res] = R[res]
    on_time = resolution_due >= R
    resolved_on_time[res] = on_time[res]
    auto_close_due[res] = cal.add(R[res], 10)
    reopen_until[res] = auto_close_due[res]
    rated = res & at(rated_t)
    rated_at[rated] = rated_t[rated]
    good = np.array([4, 5, 5, 4, 3, 5])[rng.integers(0, 6, n)]
    bad = np.array([2, 3, 4, 1, 3, 4])[rng.integers(0, 6, n)]
    rating[rated] = np.where(on_time, good, bad)[rated]
    confirmed = res & at(confirm_t)
    status[confirmed] = Status.CLOSED.value
    closed_at[confirmed] = confirm_t[confirmed]
    reopen_until[confirmed] = cal.add(confirm_t[confirmed], 10)
    reopened = res & at(reopen_t)
    status[reopened] = Status.IN_PROGRESS.value
    reopen_count[reopened] = 1
    resolved_at[reopened] = NONE
    resolved_on_time[reopened] = -1
    auto_close_due[reopened] = NONE
    reopen_until[reopened] = NONE
    resolution_due[reopened] = cal.add(reopen_t[reopened], days_limit[reopened])
    fu2 = reopened & at(F2)
    last_fu[fu2] = F2[fu2]
    res2 = reopened & at(R2)
    status[res2] = Status.RESOLVED.value
    resolved_at[res2] = R2[res2]
    last_fu[res2] = R2[res2]
    resolved_on_time[res2] = R2[res2] <= resolution_due[res2]
    auto_close_due[res2] = cal.add(R2[res2], 10)
    reopen_until[res2] = auto_close_due[res2]
    silent = (res & ~confirmed & ~reopened) | res2
    auto = silent & (auto_close_due != NONE) & (auto_close_due <= now)
    status[auto] = Status.CLOSED.value
    closed_at[auto] = auto_close_due[auto]
    reopen_until[auto] = cal.add(auto_close_due[auto], 10)

    due_at = nulls()
    triage = np.isin(status, [Status.SUBMITTED.value, Status.VERIFIED.value])
    due_at[triage] = verify_due[triage]
    s_disp = status == Status.DISPOSITIONED.value
    due_at[s_disp] = np.minimum(response_due[s_disp], resolution_due[s_disp])
    s_prog = status == Status.IN_PROGRESS.value
    due_at[s_prog] = resolution_due[s_prog]
    escalation = _escalation_levels(cal, due_at, now)
    with_agency = s_disp | s_prog
    is_public = (
        (privacy != Privacy.CONFIDENTIAL.value)
        & (verified_at != NONE)
        & ~np.isin(status, [Status.SUBMITTED.value, Status.SET_ASIDE.value])
    )

    # -- people ---------------------------------------------------------------------------------
    officer = np.full(n, -1, dtype=np.int64)
    pick = rng.integers(0, 1 << 30, n)
    for agency_id, staff in ref.officers.items():
        m = responsible == agency_id
        if m.any():
            officer[m] = np.array(staff, dtype=np.int64)[pick[m] % len(staff)]
    assign_t = later(routed_at, 30 * MINUTE)
    assigned = disp & (officer >= 0) & (rng.random(n) < 0.8) & at(assign_t)
    assigned_to = np.where(assigned, officer, -1)
    desk = ref.desk_ids[pick % len(ref.desk_ids)] if len(ref.desk_ids) else np.full(n, -1, dtype=np.int64)

    # -- timeline -------------------------------------------------------------------------------
    ev = Events()
    chan_json = np.array(['{"channel": "%s"}' % c for c in channel.tolist()], dtype=object)  # noqa: UP031
    ev.add(rows, EventKind.SUBMITTED, Visibility.PUBLIC, created, actor=reporter, data=chan_json)
    r = rows[recat]
    codes = np.array(ref.cat_code, dtype=object)
    data = _json_strs('{"from": "%s", "to": "%s"}', codes[submitted_cat[r]], codes[cat[r]])
    ev.add(r, EventKind.RECATEGORISED, Visibility.PUBLIC, V[r], actor=desk[r], data=data)
    r = rows[ver]
    ev.add(r, EventKind.VERIFIED, Visibility.PUBLIC, V[r], actor=desk[r])
    reasons = np.array(SetAsideReason.values, dtype=object)[rng.integers(0, len(SetAsideReason.values), n)]
    r = rows[sa]
    ev.add(r, EventKind.SET_ASIDE, Visibility.REPORTER, V[r], actor=desk[r], reason=reasons[r])
    r = rows[merged]
    ev.add(
        r,
        EventKind.MERGED,
        Visibility.PUBLIC,
        M[r],
        actor=desk[r],
        data=_json_strs('{"into": "%s"}', number_arr[into[r]]),
    )
    ev.add(
        into[r],
        EventKind.MERGED,
        Visibility.PUBLIC,
        M[r],
        actor=desk[r],
        data=_json_strs('{"from": "%s"}', number_arr[r]),
    )
    first = np.where(rerouted, first_agency, agency)
    r = rows[disp]
    ev.add(
        r, EventKind.DISPOSITIONED, Visibility.PUBLIC, D[r], actor=desk[r], agency=first[r], data='{"primary": true}'
    )
    r = rows[disp & has_support]
    ev.add(
        r,
        EventKind.DISPOSITIONED,
        Visibility.PUBLIC,
        D[r],
        actor=desk[r],
        agency=supporting[r],
        data='{"primary": false}',
    )
    r = rows[moved]
    if len(r):
        code_of = np.vectorize(ref.agency_code.get, otypes=[object])
        data = _json_strs('{"from": "%s", "to": "%s"}', code_of(first_agency[r]), code_of(agency[r]))
        ev.add(r, EventKind.REROUTED, Visibility.PUBLIC, RR[r], agency=agency[r], text=REROUTE_REASON, data=data)
    r = rows[assigned]
    data = _json_strs('{"officer": %d}', assigned_to[r])
    ev.add(
        r, EventKind.ASSIGNED, Visibility.INTERNAL, assign_t[r], actor=assigned_to[r], agency=responsible[r], data=data
    )
    note_t = later(assign_t, (rng.uniform(0.5, 24, n) * HOUR).astype(np.int64))
    r = rows[disp & (rng.random(n) < P_NOTE) & at(note_t) & (note_t < R) & (note_t < F2)]
    notes = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), len(r))]
    ev.add(r, EventKind.NOTE, Visibility.INTERNAL, note_t[r], actor=officer[r], agency=responsible[r], text=notes)
    follow_ups = np.array(demo.FOLLOW_UPS, dtype=object)
    r = rows[resp]
    texts = follow_ups[rng.integers(0, len(follow_ups), len(r))]
    ev.add(r, EventKind.FOLLOW_UP, Visibility.PUBLIC, F[r], actor=officer[r], agency=responsible[r], text=texts)
    # More follow-ups between the first one and the resolution (or now).
    extra = rng.choice(4, size=n, p=[0.6, 0.28, 0.1, 0.02])
    end = np.where(resp, np.minimum(R, now), now)
    span = np.where(resp, end - F, 0)
    for k in range(1, 4):
        t = np.where(resp, F + (span * (k / (extra + 1.0))).astype(np.int64), NEVER)
        r = rows[resp & (extra >= k) & at(t) & (t > F)]
        texts = follow_ups[rng.integers(0, len(follow_ups), len(r))]
        ev.add(r, EventKind.FOLLOW_UP, Visibility.PUBLIC, t[r], actor=officer[r], agency=responsible[r], text=texts)
        last_fu[r] = np.maximum(last_fu[r], t[r])
    resolution_texts = np.array(
        [demo.RESOLUTIONS.get(code, "Sudah ditindaklanjuti.") for code in ref.cat_code], dtype=object
    )
    r = rows[res]
    ev.add(
        r,
        EventKind.RESOLVED,
        Visibility.PUBLIC,
        R[r],
        actor=officer[r],
        agency=responsible[r],
        text=resolution_texts[cat[r]],
    )
    comments = np.array(demo.RATING_COMMENTS, dtype=object)[rng.integers(0, len(demo.RATING_COMMENTS), n)]
    rating_comment = np.where(rated, comments, "").astype(object)
    r = rows[rated]
    data = _json_strs('{"rating": %d}', rating[r])
    ev.add(r, EventKind.RATED, Visibility.REPORTER, rated_t[r], actor=reporter[r], text=comments[r], data=data)
    r = rows[reopened]
    ev.add(r, EventKind.REOPENED, Visibility.PUBLIC, reopen_t[r], actor=reporter[r], agency=responsible[r])
    ev.add(r, EventKind.REPORTER_REPLY, Visibility.REPORTER, reopen_t[r], actor=reporter[r], text=REOPEN_REPLY)
    r = rows[fu2]
    ev.add(
        r,
        EventKind.FOLLOW_UP,
        Visibility.PUBLIC,
        F2[r],
        actor=officer[r],
        agency=responsible[r],
        text=FOLLOW_UP_AFTER_REOPEN,
    )
    r = rows[res2]
    ev.add(
        r,
        EventKind.RESOLVED,
        Visibility.PUBLIC,
        R2[r],
        actor=officer[r],
        agency=responsible[r],
        text=resolution_texts[cat[r]],
    )
    r = rows[confirmed]
    ev.add(r, EventKind.CONFIRMED, Visibility.PUBLIC, closed_at[r], actor=reporter[r])
    r = rows[auto]
    ev.add(r, EventKind.AUTO_CLOSED, Visibility.PUBLIC, closed_at[r])

    # Escalations of the stage the report is in now (as the SLA sweep leaves them) …
    stage = np.where(with_agency, status, "triage").astype(object)
    for level in (1, 2, 3):
        r = rows[escalation >= level]
        moment = np.minimum(_escalation_moment(cal, due_at[r], level) + 15 * MINUTE, now)
        data = _json_strs(
            '{"level": %d, "due": "%s", "stage": "%s"}', np.full(len(r), level), _iso(due_at[r]), stage[r]
        )
        ev.add(r, EventKind.ESCALATED, Visibility.INTERNAL, moment, agency=responsible[r], data=data)
    # … and of stages that were finished late (verification, resolution), before they ended.
    triage_end = np.where(sa, V, np.where(disp, D, np.where(merged, M, NEVER)))
    history = [
        (verify_due, triage_end, "triage", np.full(n, -1, dtype=np.int64)),
        (np.where(res, first_due, NONE), np.where(res, R, NEVER), Status.IN_PROGRESS.value, responsible),
    ]
    for due, end_t, name, agency_col in history:
        for level in (1, 2, 3):
            ok = (due != NONE) & (end_t < HORIZON)
            moment = np.full(n, NEVER, dtype=np.int64)
            moment[ok] = _escalation_moment(cal, due[ok], level) + 15 * MINUTE
            r = rows[ok & (moment < end_t)]
            data = _json_strs(
                '{"level": %d, "due": "%s", "stage": "%s"}', np.full(len(r), level), _iso(due[r]), np.full(len(r), name)
            )
            ev.add(r, EventKind.ESCALATED, Visibility.INTERNAL, moment[r], agency=agency_col[r], data=data)

    # -- followers (residents with the same problem) ------------------------------------------
    followed = is_public & ~merged & (rng.random(n) < P_FOLLOWED) & (pool > 8)
    k = np.where(followed, rng.integers(1, 7, n), 0)
    f_rows = np.repeat(rows, k)
    f_j = np.arange(len(f_rows)) - np.repeat(np.cumsum(k) - k, k)
    base = rng.integers(0, pool, n)
    f_user = ref.citizen_ids[(base[f_rows] + f_j) % pool]
    f_at = V[f_rows] + (rng.uniform(1, 72, len(f_rows)) * HOUR).astype(np.int64)
    keep = (f_user != reporter[f_rows]) & at(f_at)
    f_rows, f_user, f_at = f_rows[keep], f_user[keep], f_at[keep]
    f_supports = rng.random(len(f_rows)) < 0.8
    follower_count = np.bincount(f_rows, minlength=n)
    support_count = np.bincount(f_rows[f_supports], minlength=n)
    order = np.lexsort((f_at[f_supports], f_rows[f_supports]))
    s_rows, s_at = f_rows[f_supports][order], f_at[f_supports][order]
    nth = np.arange(len(s_rows)) - np.searchsorted(s_rows, s_rows, side="left") + 1
    ev.add(s_rows, EventKind.SUPPORTED, Visibility.PUBLIC, s_at, data=_json_strs('{"supporters": %d}', nth))

    events = ev.build(now)
    updated_at = created.copy()
    np.maximum.at(updated_at, events["row"], events["at"])

    # -- dispositions ---------------------------------------------------------------------------
    parts: list[dict[str, np.ndarray]] = []

    def routed(mask, agency_col, primary, active, created_col, closed_col, due_col, assigned_col, reason=""):
        r = rows[mask]
        parts.append(
            {
                "row": r,
                "agency": agency_col[r],
                "primary": np.full(len(r), primary, dtype=bool),
                "state": np.where(
                    active[r],
                    Disposition.State.ACTIVE.value,
                    np.where(np.full(len(r), reason != ""), "rerouted", "done"),
                ).astype(object),
                "created": created_col[r],
                "closed": np.where(active[r], NONE, closed_col[r]),
                "due": due_col[r],
                "assigned": assigned_col[r],
                "created_by": desk[r],
                "reason": np.full(len(r), reason, dtype=object),
            }
        )

    none_id = np.full(n, -1, dtype=np.int64)
    first_round_due = np.where(disp, first_due, NONE)
    # The first agency of a re-routed report (still active while the move has not happened).
    routed(
        disp & rerouted,
        first_agency,
        True,
        ~moved,
        D,
        RR,
        cal.add(np.where(disp, D, now), days_limit),
        none_id,
        REROUTE_REASON,
    )
    # The agency answerable now, first round (done at the first resolution).
    main = disp & (~rerouted | moved)
    routed(main, agency, True, ~res, routed_at, R, first_round_due, assigned_to)
    # Reopened: a new active disposition for the same agency (services.report_reopen).
    routed(reopened, responsible, True, ~res2, reopen_t, R2, resolution_due, none_id)
    # A supporting agency (done when the report is resolved).
    routed(disp & has_support, supporting, False, ~res, D, R, first_round_due, none_id)
    dispositions = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    cols = {
        "id": ids,
        "tracking_number": number_arr,
        "kind": ref.cat_kind[cat],
        "category_id": ref.cat_id[cat],
        "submitted_category_id": ref.cat_id[submitted_cat],
        "text_idx": text_idx,
        "lat": lat,
        "lng": lng,
        "address": np.array(demo.PLACES, dtype=object)[rng.integers(0, len(demo.PLACES), n)],
        "village_id": ref.village_codes[village],
        "district_id": district,
        "privacy": privacy,
        "show_name": show_name,
        "public_name": public_name,
        "reporter_id": reporter,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "status": status,
        "set_aside_reason": np.where(sa, reasons, "").astype(object),
        "is_public": is_public,
        "channel": channel,
        "channel_client": client,
        "responsible_agency_id": responsible,
        "assigned_to_id": assigned_to,
        "duplicate_of_id": np.where(into >= 0, first_id + into, -1),
        "created_at": created,
        "updated_at": updated_at,
        "verified_at": verified_at,
        "set_aside_at": set_aside_at,
        "dispositioned_at": disp_at,
        "first_response_at": first_resp,
        "last_follow_up_at": last_fu,
        "resolved_at": resolved_at,
        "closed_at": closed_at,
        "verify_due": verify_due,
        "response_due": response_due,
        "resolution_due": resolution_due,
        "auto_close_due": auto_close_due,
        "reopen_until": reopen_until,
        "due_at": due_at,
        "escalation_level": escalation,
        "resolved_on_time": resolved_on_time,
        "support_count": support_count,
        "follower_count": follower_count,
        "rating": rating,
        "rating_comment": rating_comment,
        "rated_at": rated_at,
        "reopen_count": reopen_count,
    }
    events["report_id"] = first_id + events.pop("row")
    dispositions["report_id"] = first_id + dispositions.pop("row")
    followers = {"report_id": first_id + f_rows, "user_id": f_user, "supports": f_supports, "created_at": f_at}
    return Chunk(n=n, cols=cols, events=events, dispositions=dispositions, followers=followers), used_numbers


def _escalation_moment(cal: WorkCalendar, due: np.ndarray, level: int) -> np.ndarray:
    extra = {1: 0, 2: 1, 3: 3}[level]
    return due if extra == 0 else cal.add(due, extra)


def _escalation_levels(cal: WorkCalendar, due: np.ndarray, now: int) -> np.ndarray:
    """sla.escalation_level_at(due, now) for an array of deadlines (NONE: no deadline)."""
    level = np.zeros(len(due), dtype=np.int64)
    has = due != NONE
    for candidate in (1, 2, 3):
        moment = np.full(len(due), np.iinfo(np.int64).max, dtype=np.int64)
        moment[has] = _escalation_moment(cal, due[has], candidate)
        level[has & (now > moment)] = candidate
    return level


def _points(ref: Reference, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points inside the city: a kelurahan chosen by its activity, a point inside its polygon;
    a fifth of the reports cluster around hotspots (a market, a flooded road)."""
    layer = geo.get_index().villages
    city = geo.get_index().city
    village = rng.choice(len(ref.village_codes), size=n, p=ref.village_weight)
    lat = np.zeros(n)
    lng = np.zeros(n)
    todo = np.arange(n)
    for _round in range(200):
        if not len(todo):
            break
        b = ref.village_bounds[village[todo]]
        x = np.round(rng.uniform(b[:, 0], b[:, 2]), 6)
        y = np.round(rng.uniform(b[:, 1], b[:, 3]), 6)
        found = layer.lookup_many(x, y)
        ok = found == village[todo]
        if city.size:
            ok &= city.lookup_many(x, y) >= 0
        lng[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    if len(todo):  # a sliver polygon: take any point of the city instead
        raise RuntimeError("could not place points inside the kelurahan boundaries")
    hot = rng.random(n) < 0.2
    spots = rng.choice(n, size=min(300, n), replace=False)
    which = spots[rng.integers(0, len(spots), n)]
    x = np.round(lng[which] + rng.normal(0, 0.0015, n), 6)
    y = np.round(lat[which] + rng.normal(0, 0.0015, n), 6)
    found = layer.lookup_many(x, y)
    ok = hot & (found >= 0)
    if city.size:
        ok &= city.lookup_many(x, y) >= 0
    lng[ok], lat[ok], village[ok] = x[ok], y[ok], found[ok]
    return lat, lng, village


# --- writing ------------------------------------------------------------------------------------------

REPORT_COLUMNS = [
    # (column, kind): kinds int, intn (−1 → NULL), float, bool, booln (−1 → NULL), ts, text, textn (None → NULL)
    ("id", "int"),
    ("tracking_number", "text"),
    ("tracking_token_hash", "text"),
    ("kind", "text"),
    ("title", "text"),
    ("text", "text"),
    ("attributes", "json"),
    ("lat", "float"),
    ("lng", "float"),
    ("address", "text"),
    ("privacy", "text"),
    ("show_name", "bool"),
    ("public_name", "text"),
    ("reporter_name", "text"),
    ("reporter_email", "text"),
    ("reporter_phone", "text"),
    ("device_id", "text"),
    ("status", "text"),
    ("set_aside_reason", "text"),
    ("is_public", "bool"),
    ("channel", "text"),
    ("channel_client", "text"),
    ("idempotency_scope", "text"),
    ("idempotency_key", "textn"),
    ("external_media_url", "text"),
    ("awaiting_reporter", "bool"),
    ("created_at", "ts"),
    ("updated_at", "ts"),
    ("verified_at", "ts"),
    ("set_aside_at", "ts"),
    ("dispositioned_at", "ts"),
    ("first_response_at", "ts"),
    ("last_follow_up_at", "ts"),
    ("resolved_at", "ts"),
    ("closed_at", "ts"),
    ("verify_due", "ts"),
    ("response_due", "ts"),
    ("resolution_due", "ts"),
    ("auto_close_due", "ts"),
    ("reopen_until", "ts"),
    ("due_at", "ts"),
    ("escalation_level", "int"),
    ("resolved_on_time", "booln"),
    ("support_count", "int"),
    ("follower_count", "int"),
    ("rating", "intn"),
    ("rating_comment", "text"),
    ("rated_at", "ts"),
    ("reopen_count", "int"),
    ("assigned_to_id", "intn"),
    ("category_id", "int"),
    ("district_id", "text"),
    ("duplicate_of_id", "intn"),
    ("reporter_id", "intn"),
    ("responsible_agency_id", "intn"),
    ("submitted_category_id", "int"),
    ("village_id", "text"),
]
EVENT_COLUMNS = [
    ("id", "int"),
    ("report_id", "int"),
    ("kind", "text"),
    ("visibility", "text"),
    ("actor_id", "intn"),
    ("agency_id", "intn"),
    ("text", "text"),
    ("reason", "text"),
    ("data", "json"),
    ("created_at", "ts"),
]
DISPOSITION_COLUMNS = [
    ("id", "int"),
    ("report_id", "int"),
    ("agency_id", "int"),
    ("is_primary", "bool"),
    ("state", "text"),
    ("assigned_to_id", "intn"),
    ("created_by_id", "intn"),
    ("note", "text"),
    ("reason", "text"),
    ("due_at", "ts"),
    ("created_at", "ts"),
    ("closed_at", "ts"),
]
FOLLOWER_COLUMNS = [("id", "int"), ("report_id", "int"), ("user_id", "int"), ("supports", "bool"), ("created_at", "ts")]


def report_table(chunk: Chunk, ref: Reference) -> dict[str, Any]:
    c = chunk.cols
    n = chunk.n
    numbers = c["tracking_number"].tolist()
    zeros = np.zeros(n, dtype=np.int64)
    empty = Pooled(zeros, [""])
    return {
        **c,
        "tracking_token_hash": np.array(token_hashes(numbers), dtype=object),
        "title": Pooled(c["text_idx"], ref.titles),
        "text": Pooled(c["text_idx"], ref.texts),
        "attributes": Pooled(zeros, ["{}"]),
        "reporter_email": empty,
        "device_id": empty,
        "idempotency_scope": empty,
        "idempotency_key": Pooled(zeros, [None]),
        "external_media_url": empty,
        "awaiting_reporter": np.zeros(n, dtype=bool),
    }


def event_table(chunk: Chunk, first_id: int) -> dict[str, Any]:
    e = chunk.events
    return {
        "id": first_id + np.arange(len(e["report_id"])),
        "report_id": e["report_id"],
        "kind": Pooled(e["seq"], list(_SEQ)),
        "visibility": Pooled(e["visibility"], _VISIBILITIES),
        "actor_id": e["actor"],
        "agency_id": e["agency"],
        "text": e["text"],
        "reason": e["reason"],
        "data": e["data"],
        "created_at": e["at"],
    }


def disposition_table(chunk: Chunk, first_id: int) -> dict[str, Any]:
    d = chunk.dispositions
    if not d:
        return {}
    m = len(d["report_id"])
    return {
        "id": first_id + np.arange(m),
        "report_id": d["report_id"],
        "agency_id": d["agency"],
        "is_primary": d["primary"].astype(bool),
        "state": d["state"],
        "assigned_to_id": d["assigned"].astype(np.int64),
        "created_by_id": d["created_by"],
        "note": np.full(m, "", dtype=object),
        "reason": d["reason"],
        "due_at": d["due"],
        "created_at": d["created"],
        "closed_at": d["closed"],
    }


def follower_table(chunk: Chunk, first_id: int) -> dict[str, Any]:
    f = chunk.followers
    m = len(f["report_id"])
    return {"id": first_id + np.arange(m), **f}


def _sqlite_times(t: np.ndarray) -> list:
    """Moments in Django's SQLite format ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC), None for NULL."""
    s = np.datetime_as_string(np.where(t == NONE, 0, t).astype("datetime64[us]"), unit="us")
    s = np.char.replace(s, "T", " ")
    whole = (t % US) == 0
    s = np.where(whole, np.char.rstrip(np.char.rstrip(s, "0"), "."), s).astype(object)
    s[t == NONE] = None
    return s.tolist()


def _column_params(kind: str, values: np.ndarray) -> list:
    """One column as DB-API parameters (the SQLite path)."""
    if isinstance(values, Pooled):
        return np.array(values.values, dtype=object)[values.codes].tolist()
    values = np.asarray(values)
    if kind in ("intn", "booln"):
        out = values.astype(object)
        out[values < 0] = None
        return out.tolist()
    if kind == "int":
        return values.tolist()
    if kind == "float":
        return np.round(values, 6).tolist()
    if kind == "bool":
        return values.astype(int).tolist()
    if kind == "ts":
        return _sqlite_times(values)
    return values.tolist()


def write_table(table: str, columns: list[tuple[str, str]], data: dict[str, Any], *, step: int = 50_000) -> int:
    """Insert the rows: PostgreSQL binary COPY (reports.pgbinary), elsewhere executemany."""
    if not data:
        return 0
    total = len(data[columns[0][0]])
    names = [name for name, _k in columns]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = pgbinary.order_columns(pgbinary.column_types(cursor, table, names))
            sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in types)}) FROM STDIN (FORMAT BINARY)"
            for lo in range(0, total, step):
                hi = min(total, lo + step)
                body = pgbinary.encode(types, {c: data[c][lo:hi] for c in types}, hi - lo)
                with cursor.cursor.copy(sql) as copy:
                    copy.write(body)
            return total
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in names)}) VALUES ({marks})"  # noqa: S608 (our own table names)
        for lo in range(0, total, step):
            hi = min(total, lo + step)
            fields = [_column_params(kind, data[name][lo:hi]) for name, kind in columns]
            cursor.executemany(sql, list(zip(*fields, strict=True)))
    return total


# --- PostgreSQL bulk-load helpers ------------------------------------------------------------------

TABLES = [Report._meta.db_table, ReportEvent._meta.db_table, Disposition._meta.db_table, Follower._meta.db_table]


@dataclass
class _Dropped:
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    constraints: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, definition


def _drop_for_load(cursor) -> _Dropped:
    """Drop the secondary (non-unique) indexes and the foreign keys of the four tables."""
    dropped = _Dropped()
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
        ORDER BY c.conname
        """,
        [TABLES, TABLES],
    )
    dropped.constraints = list(cursor.fetchall())
    for table, name, _definition in dropped.constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
        """,
        [TABLES],
    )
    for name, definition in cursor.fetchall():
        dropped.indexes.append(definition)
        cursor.execute(f"DROP INDEX {name}")
    return dropped


def _restore_after_load(cursor, dropped: _Dropped) -> None:
    for definition in dropped.indexes:
        cursor.execute(definition)
    for table, name, definition in dropped.constraints:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def _fix_sequence(cursor, table: str) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))",  # noqa: S608 (our own table names)
            [table],
        )


# --- the entry point ----------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    reports: int = 0
    events: int = 0
    dispositions: int = 0
    followers: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    # CPU seconds used (this process, all threads; the database server process when it runs
    # on this machine): on a shared machine they say more than the wall clock.
    cpu_self: float = 0.0
    cpu_database: float | None = None
    stats_seconds: float | None = None

    @property
    def rows(self) -> int:
        return self.reports + self.events + self.dispositions + self.followers

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _backend_cpu(pid: int | None) -> float | None:
    """CPU seconds of a PostgreSQL backend process on this machine (None if not readable)."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class _Writer:
    """Streams COPY statements to PostgreSQL from a second thread, so that the next chunk is
    computed while the database parses this one (same connection, same transaction)."""

    def __init__(self, raw_connection):
        self.raw = raw_connection
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.busy = 0.0
        self.thread = threading.Thread(target=self._run, name="generate-reports-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            sql, body = item
            tick = time.perf_counter()
            try:
                with self.raw.cursor() as cur, cur.copy(sql) as copy:
                    copy.write(body)
            except BaseException as exc:
                self.error = exc
            self.busy += time.perf_counter() - tick

    def put(self, sql: str, body: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((sql, body))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _copy_sql(table: str, types: dict) -> str:
    qn = connection.ops.quote_name
    return f"COPY {qn(table)} ({', '.join(qn(c) for c in types)}) FROM STDIN (FORMAT BINARY)"


def _first_id(cursor, table: str) -> int:
    """The next free id of a table locked against other writers; ids are then given out
    here and the sequence is moved past them at the end (_fix_sequence)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        seq = cursor.fetchone()[0]
        cursor.execute(
            f'SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"))',  # noqa: S608
            [seq],
        )
        return cursor.fetchone()[0]
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608 (our own table names)
    return cursor.fetchone()[0]


def generate(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    years: float = 6,
    now: dt.datetime | None = None,
    chunk: int = CHUNK,
    bulk: bool | None = None,
    refresh_stats: bool = True,
    log: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Add `count` reports (with timelines, dispositions, followers) filed over the last `years`.

    `bulk` (PostgreSQL): drop and rebuild secondary indexes and foreign keys around the load;
    default: when the load is at least as large as the reports already stored.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    say = log or (lambda _m: None)
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = GenerateResult()
    now_dt = (now or timezone.now()).replace(microsecond=0)
    now_us = to_us(now_dt)
    start_us = now_us - int(years * 365.25 * DAY)
    pg = connection.vendor == "postgresql"
    tables = dict(zip(("reports", "events", "dispositions", "followers"), TABLES, strict=True))
    columns = {
        "reports": REPORT_COLUMNS,
        "events": EVENT_COLUMNS,
        "dispositions": DISPOSITION_COLUMNS,
        "followers": FOLLOWER_COLUMNS,
    }

    def phase(name: str, since: float) -> float:
        now_tick = time.perf_counter()
        result.phases[name] = result.phases.get(name, 0.0) + now_tick - since
        return now_tick

    tick = time.perf_counter()
    ref = load_reference(count=count, seed=seed, first_moment=start_us, now=now_us)
    used = existing_number_keys()
    tick = phase("reference", tick)
    backend = None
    db_cpu_start = None
    with transaction.atomic(), connection.cursor() as cursor:
        writer = None
        if pg:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
            db_cpu_start = _backend_cpu(backend)
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(f"LOCK TABLE {', '.join(TABLES)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f'SELECT COUNT(*) FROM "{TABLES[0]}"')  # noqa: S608 (our own table names)
            existing = cursor.fetchone()[0]
            if bulk is None:
                bulk = count >= max(existing, 50_000)
        dropped = _drop_for_load(cursor) if pg and bulk else None
        next_id = {name: _first_id(cursor, table) for name, table in tables.items()}
        types = {}
        if pg:
            for name, table in tables.items():
                types[name] = pgbinary.order_columns(
                    pgbinary.column_types(cursor, table, [c for c, _k in columns[name]])
                )
            writer = _Writer(connection.connection)
        tick = phase("prepare", tick)
        try:
            done = 0
            chunk_no = 0
            while done < count:
                n = min(chunk, count - done)
                rng = np.random.default_rng([seed, chunk_no, next_id["reports"]])
                part, used = build_chunk(
                    ref, n=n, first_id=next_id["reports"], now=now_us, start=start_us, rng=rng, used_numbers=used
                )
                tick = phase("build", tick)
                data = {
                    "reports": report_table(part, ref),
                    "events": event_table(part, next_id["events"]),
                    "dispositions": disposition_table(part, next_id["dispositions"]),
                    "followers": follower_table(part, next_id["followers"]),
                }
                for name, rows in data.items():
                    total = len(rows["id"]) if rows else 0
                    if not total:
                        continue
                    next_id[name] += total
                    if writer is not None:
                        for lo in range(0, total, 50_000):
                            hi = min(total, lo + 50_000)
                            body = pgbinary.encode(types[name], {c: rows[c][lo:hi] for c in types[name]}, hi - lo)
                            tick = phase("encode", tick)
                            writer.put(_copy_sql(tables[name], types[name]), body)
                            tick = phase("waiting for the database", tick)
                    else:
                        write_table(tables[name], columns[name], rows)
                        tick = phase("write", tick)
                result.reports += n
                result.events += len(data["events"]["id"])
                result.dispositions += len(data["dispositions"]["id"]) if data["dispositions"] else 0
                result.followers += len(data["followers"]["id"])
                done += n
                chunk_no += 1
                say(f"  {done:,} / {count:,} reports computed ({time.perf_counter() - started:.1f} s)")
        finally:
            if writer is not None:
                writer.close()
        tick = phase("waiting for the database", tick)
        if dropped is not None:
            say("  rebuilding indexes and foreign keys")
            _restore_after_load(cursor, dropped)
            tick = phase("indexes and foreign keys", tick)
        for table in TABLES:
            _fix_sequence(cursor, table)
    tick = phase("commit", tick)
    if pg:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f'ANALYZE "{table}"')
        tick = phase("analyze", tick)
    result.seconds = time.perf_counter() - started
    result.cpu_self = time.process_time() - cpu_started
    db_cpu_end = _backend_cpu(backend)
    if db_cpu_start is not None and db_cpu_end is not None:
        result.cpu_database = db_cpu_end - db_cpu_start
    if refresh_stats:
        tick = time.perf_counter()
        try:
            from . import stats
        except ImportError:  # pragma: no cover - the transparency module is optional
            stats = None
        if stats is not None and hasattr(stats, "refresh"):
            stats.refresh()
            result.stats_seconds = time.perf_counter() - tick
    return result


# --- consistency -------------------------------------------------------------------------------------

_AFTER = {
    EventKind.VERIFIED: Status.VERIFIED,
    EventKind.SET_ASIDE: Status.SET_ASIDE,
    EventKind.FOLLOW_UP: None,  # dispositioned → in_progress (below)
    EventKind.RESOLVED: Status.RESOLVED,
    EventKind.REOPENED: Status.IN_PROGRESS,
    EventKind.CONFIRMED: Status.CLOSED,
    EventKind.AUTO_CLOSED: Status.CLOSED,
}


def replay(report: Report, events: list[ReportEvent]) -> str:
    """The status a timeline leads to (the state machine, applied to the events in order)."""
    status = Status.SUBMITTED
    for event in events:
        kind = event.kind
        if kind == EventKind.DISPOSITIONED and (event.data or {}).get("primary"):
            status = Status.DISPOSITIONED
        elif kind == EventKind.FOLLOW_UP and status == Status.DISPOSITIONED:
            status = Status.IN_PROGRESS
        elif kind == EventKind.MERGED and "into" in (event.data or {}):
            status = Status.MERGED
        elif _AFTER.get(kind):
            status = _AFTER[kind]
    return status


def check_consistency(reports, now: dt.datetime | None = None) -> list[str]:
    """Problems found in these reports (an empty list: every timeline matches its report).

    Checks: the replayed timeline gives the stored status; events are in the report's life
    (not before filing, not in the future) and the stage moments equal their events' moments;
    deadlines and the current due date follow the rules of reports.sla; public flag; one
    active primary disposition exactly while with an agency; counts of followers.
    """
    from . import sla

    now = now or timezone.now()
    problems: list[str] = []
    reports = list(reports)
    ids = [r.pk for r in reports]
    by_report: dict[int, list[ReportEvent]] = {i: [] for i in ids}
    for event in ReportEvent.objects.filter(report_id__in=ids).order_by("created_at", "id"):
        by_report[event.report_id].append(event)
    disp: dict[int, list[Disposition]] = {i: [] for i in ids}
    for d in Disposition.objects.filter(report_id__in=ids):
        disp[d.report_id].append(d)
    followers = dict(
        Follower.objects.filter(report_id__in=ids)
        .values("report_id")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .values_list("report_id", "n")
    )
    first_of = {
        EventKind.VERIFIED: "verified_at",
        EventKind.SET_ASIDE: "set_aside_at",
    }
    for report in reports:
        events = by_report[report.pk]
        tag = report.tracking_number
        if not events or events[0].kind != EventKind.SUBMITTED or events[0].created_at != report.created_at:
            problems.append(f"{tag}: the timeline does not start with its filing")
            continue
        if (derived := replay(report, events)) != report.status:
            problems.append(f"{tag}: timeline leads to {derived}, report is {report.status}")
        if any(e.created_at < report.created_at or e.created_at > now for e in events):
            problems.append(f"{tag}: an event outside the report's life")
        if report.updated_at != max(e.created_at for e in events):
            problems.append(f"{tag}: updated_at is not the last event")
        for kind, attr in first_of.items():
            moments = [e.created_at for e in events if e.kind == kind]
            if (moments[0] if moments else None) != getattr(report, attr):
                problems.append(f"{tag}: {attr} does not match its event")
        routed = [e.created_at for e in events if e.kind == EventKind.DISPOSITIONED]
        if (routed[0] if routed else None) != report.dispositioned_at:
            problems.append(f"{tag}: dispositioned_at does not match its event")
        responses = [e.created_at for e in events if e.kind in (EventKind.FOLLOW_UP, EventKind.RESOLVED)]
        if (responses[0] if responses else None) != report.first_response_at:
            problems.append(f"{tag}: first_response_at does not match the first follow-up")
        if report.verify_due != sla.verify_due(report.created_at):
            problems.append(f"{tag}: verify_due is not 3 working days after filing")
        if report.status not in (Status.MERGED, Status.SET_ASIDE) and report.due_at != sla.current_due(report):
            problems.append(f"{tag}: due_at is not the deadline of the current stage")
        if report.resolved_at is not None and report.auto_close_due != sla.auto_close_due(report.resolved_at):
            problems.append(f"{tag}: auto_close_due is not 10 working days after the resolution")
        if report.is_open and report.escalation_level != sla.escalation_level_at(report.due_at, now):
            problems.append(f"{tag}: escalation level {report.escalation_level} is not what the deadline calls for")
        if report.is_public != report.compute_is_public():
            problems.append(f"{tag}: is_public does not follow the rule")
        active_primary = [d for d in disp[report.pk] if d.state == Disposition.State.ACTIVE and d.is_primary]
        with_agency = report.status in (Status.DISPOSITIONED, Status.IN_PROGRESS)
        if with_agency != (len(active_primary) == 1) or len(active_primary) > 1:
            problems.append(f"{tag}: {len(active_primary)} active primary dispositions in status {report.status}")
        if with_agency and active_primary and active_primary[0].agency_id != report.responsible_agency_id:
            problems.append(f"{tag}: the active disposition is not the responsible agency")
        if followers.get(report.pk, 0) != report.follower_count:
            problems.append(f"{tag}: follower_count does not match the followers")
        if report.status == Status.MERGED and report.duplicate_of_id is None:
            problems.append(f"{tag}: merged without the report it was merged into")
    return problems
