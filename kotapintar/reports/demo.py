"""Demo data of Lapor: about 2,000 reports over the last six months, in every state.

Run by `manage.py load_demo` (core.demo). Idempotent: when demo reports exist, nothing is
added. Fast (bulk inserts, a few seconds on SQLite): the rows are computed with the same
rules the services apply — deadlines from core.calendar via reports.sla, public flag from
Report.compute_is_public, escalation levels from sla.escalation_level_at — and the
timelines are written as the services would write them, so queues, maps, statistics and
the SLA sweep behave as with real reports (the sweep finds nothing new to escalate).

Demo accounts (password below; staff must add the printed TOTP secret to an authenticator):
verifier desk, DPU officer and head, DLH officer, leadership, and a resident with reports.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kotapintar.accounts.demo import CITIZEN_PASSWORD, STAFF_PASSWORD
from kotapintar.accounts.models import Role
from kotapintar.core import geo
from kotapintar.core.demo import DEMO_FLAG_DOMAIN, DemoAccount

from . import sla, tracking
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

COUNT = 2000
DAYS = 182
SEED = 2026
# The published demo passwords are those of the accounts demo (accounts.demo), whose staff
# accounts this demo reuses when they exist.

PLACES = [
    "Jl. Pandanaran",
    "Jl. Pemuda",
    "Jl. Gajahmada",
    "Jl. MT Haryono",
    "Jl. Majapahit",
    "Jl. Setiabudi",
    "Jl. Kaligawe",
    "Jl. Siliwangi",
    "Jl. Ngesrep Timur",
    "Jl. Fatmawati",
    "Jl. Dr. Cipto",
    "Jl. Sriwijaya",
    "Jl. Pahlawan",
    "Jl. Veteran",
    "Jl. Tlogosari Raya",
    "Jl. Woltermonginsidi",
    "Jl. Hanoman",
    "Jl. Prof. Sudarto",
    "Jl. Mugas",
    "Jl. Jangli",
    "Jl. Kelud Raya",
    "Jl. Arteri Soekarno-Hatta",
    "Jl. Medoho",
    "Jl. Supriyadi",
    "Jl. Wolter Monginsidi",
    "Jl. Kedungmundu",
    "Jl. Bukit Sari",
    "Jl. Pleburan",
    "Gg. Mangga",
    "Gg. Kenari",
    "dekat Pasar Johar",
    "depan Pasar Peterongan",
    "sekitar Simpang Lima",
    "dekat Tugu Muda",
    "depan SDN setempat",
    "samping masjid kampung",
    "dekat halte BRT",
    "depan balai RW",
    "ujung gang RT 03",
    "dekat jembatan kali",
]

TEXTS: dict[str, list[str]] = {
    "JALAN": [
        "Jalan berlubang cukup dalam di {place}, sudah dua minggu belum ditambal. Banyak motor hampir jatuh.",
        "Aspal mengelupas di {place}, kalau hujan jadi kubangan. Mohon segera diperbaiki.",
        "Ada lubang besar di tengah jalan {place}, malam hari tidak kelihatan. Bahaya untuk pengendara.",
        "Jalan di {place} bergelombang dan retak setelah proyek galian pipa, belum dikembalikan seperti semula.",
        "Paving di {place} ambles, tolong dicek sebelum ada kecelakaan.",
    ],
    "DRAINASE": [
        "Saluran air di {place} mampet penuh sampah dan lumpur, air meluap ke jalan tiap hujan.",
        "Got di {place} tersumbat, baunya menyengat dan jadi sarang nyamuk.",
        "Gorong-gorong di {place} ambrol, air tidak mengalir. Mohon dinormalisasi.",
        "Tutup saluran di {place} hilang, lubangnya terbuka dan membahayakan pejalan kaki.",
    ],
    "BANJIR": [
        "Rob masuk ke rumah warga di {place} sejak pagi, tinggi air sekitar 30 cm.",
        "Genangan setinggi lutut di {place} setiap hujan deras, pompa air tidak jalan.",
        "Banjir di {place} belum surut sejak semalam, warga butuh bantuan.",
    ],
    "PJU": [
        "Lampu penerangan jalan di {place} mati sudah seminggu, jalan gelap gulita dan rawan.",
        "Tiga tiang PJU di {place} padam, mohon segera diganti lampunya.",
        "Lampu jalan di {place} kedip-kedip lalu mati, tiangnya juga miring.",
    ],
    "SAMPAH": [
        "Sampah di TPS {place} menumpuk sudah tiga hari, truk tidak datang. Bau sekali.",
        "Ada pembuangan sampah liar di {place}, warga luar kampung buang sampah malam hari.",
        "Sampah berserakan di {place} sampai ke badan jalan, mohon diangkut.",
        "Jadwal pengangkutan sampah di {place} tidak teratur bulan ini.",
    ],
    "POHON": [
        "Pohon besar di {place} miring dan dahannya menimpa kabel listrik, khawatir roboh.",
        "Pohon tumbang menutup sebagian jalan di {place} setelah hujan angin.",
        "Dahan pohon di {place} sudah lapuk, mohon dipangkas sebelum musim hujan.",
    ],
    "LALIN": [
        "Traffic light di {place} mati sejak pagi, persimpangan jadi semrawut.",
        "Rambu larangan parkir di {place} hilang, marka jalan juga sudah pudar.",
        "Zebra cross di {place} tidak terlihat lagi, anak sekolah susah menyeberang.",
    ],
    "PARKIR": [
        "Parkir liar memenuhi trotoar di {place}, pejalan kaki terpaksa turun ke jalan.",
        "Juru parkir di {place} menarik tarif lebih dari ketentuan dan tanpa karcis.",
        "Mobil parkir dua lapis di {place} setiap sore, jalan macet total.",
    ],
    "KETERTIBAN": [
        "PKL berjualan di atas trotoar {place} sampai menutup jalur pejalan kaki.",
        "Ada bangunan liar berdiri di bantaran sungai dekat {place}.",
        "Kebisingan musik keras tiap malam dari tempat usaha di {place}, mengganggu warga.",
    ],
    "AIR": [
        "Air PDAM di {place} mati tiga hari berturut-turut tanpa pemberitahuan.",
        "Pipa PDAM bocor di {place}, air menyembur ke jalan sejak kemarin.",
        "Air PDAM di {place} keruh dan berbau, tidak bisa dipakai masak.",
    ],
    "PENCEMARAN": [
        "Limbah dari usaha di dekat {place} dibuang ke sungai, airnya hitam dan berbau.",
        "Asap pembakaran sampah di {place} setiap sore, warga sesak napas.",
        "Bau menyengat dari selokan di {place}, diduga limbah pabrik.",
    ],
    "ADMINDUK": [
        "KTP elektronik saya belum jadi sejak tiga bulan lalu, kata petugas blangko habis.",
        "Nama di KK salah ketik, sudah mengajukan perbaikan tapi belum ada kabar.",
        "Pengurusan akta kelahiran anak di kelurahan lama sekali, mohon kejelasan.",
    ],
    "KESEHATAN": [
        "Puskesmas dekat {place} tutup lebih awal dari jadwal, pasien ditolak.",
        "Mohon fogging di {place}, sudah ada dua warga kena DBD.",
        "Antrean BPJS di puskesmas sangat panjang dan tidak ada nomor antrean.",
    ],
    "PENDIDIKAN": [
        "Atap ruang kelas SD dekat {place} bocor parah, siswa belajar di lorong.",
        "Ada pungutan di sekolah negeri untuk seragam yang tidak jelas dasarnya.",
        "Informasi PPDB zonasi membingungkan, mohon penjelasan kuota di wilayah {place}.",
    ],
    "SOSIAL": [
        "Ada ODGJ terlantar di {place}, mohon dibantu penanganannya.",
        "Bansos di RT kami tidak tepat sasaran, warga mampu dapat sedangkan lansia tidak.",
        "Lansia sebatang kara di {place} butuh bantuan pangan.",
    ],
    "KEBAKARAN": [
        "Hidran di {place} rusak dan bocor, khawatir tidak berfungsi saat kebakaran.",
        "Ada sarang tawon besar di pohon dekat {place}, sudah ada warga tersengat.",
        "Kucing terjebak di saluran dekat {place}, mohon bantuan evakuasi.",
    ],
    "PERIZINAN": [
        "Izin usaha saya sudah lengkap berkasnya tapi belum keluar sejak sebulan.",
        "Ada oknum yang meminta biaya tambahan untuk mempercepat izin.",
    ],
    "WIFI": [
        "Wi-Fi publik di taman dekat {place} tidak bisa terhubung sejak minggu lalu.",
        "Hotspot gratis di balai kelurahan sering mati, padahal dipakai anak belajar.",
    ],
    "PASAR": [
        "Atap los pasar dekat {place} bocor, dagangan basah tiap hujan.",
        "Retribusi pasar ditarik dua kali oleh orang berbeda, mohon ditertibkan.",
        "Saluran air di dalam pasar dekat {place} mampet dan becek.",
    ],
    "LINGKUNGAN": [
        "Fasilitas umum di RT kami rusak: pagar taman bermain roboh di {place}.",
        "Jalan kampung di {place} becek dan berlubang, mohon diperbaiki lewat kelurahan.",
        "Pos ronda di {place} rusak, minta dibantu perbaikannya.",
    ],
    "ASPIRASI": [
        "Usul dibuatkan taman bermain anak di lahan kosong dekat {place}.",
        "Mohon ada jalur sepeda di {place}, banyak warga bersepeda ke kantor.",
        "Usul penambahan halte BRT di {place} karena jarak halte terlalu jauh.",
    ],
    "INFORMASI": [
        "Mohon informasi jadwal vaksin untuk balita di puskesmas wilayah {place}.",
        "Apa saja syarat pindah domisili dari luar kota ke Semarang?",
        "Kapan jadwal pengerukan sungai di sekitar {place}?",
    ],
    "LAINNYA": [
        "Ada gangguan di {place} yang perlu dicek petugas, tidak tahu harus ke dinas mana.",
        "Mohon perhatian pemerintah untuk kondisi di {place}.",
    ],
}

FOLLOW_UPS = [
    "Laporan sudah kami terima dan petugas dijadwalkan meninjau lokasi.",
    "Petugas telah melakukan survei lokasi; penanganan dijadwalkan minggu ini.",
    "Tim lapangan sedang menyiapkan material dan alat.",
    "Sudah dikoordinasikan dengan UPTD wilayah untuk penanganan.",
    "Penanganan sedang berjalan, mohon kesabaran warga.",
]
RESOLUTIONS = {
    "JALAN": "Lubang sudah ditambal dengan aspal dan dipadatkan.",
    "DRAINASE": "Saluran sudah dibersihkan dari sedimen dan sampah, air kembali mengalir.",
    "BANJIR": "Pompa sudah dinyalakan dan genangan surut; tim siaga tetap berjaga.",
    "PJU": "Lampu PJU sudah diganti dan menyala kembali.",
    "SAMPAH": "Sampah sudah diangkut dan jadwal truk dikembalikan normal.",
    "POHON": "Pohon sudah dipangkas/dievakuasi oleh tim.",
    "LALIN": "Lampu lalu lintas sudah diperbaiki; marka dan rambu dipasang kembali.",
    "PARKIR": "Penertiban parkir sudah dilakukan bersama petugas Dishub.",
    "KETERTIBAN": "Satpol PP sudah melakukan penertiban dan pembinaan.",
    "AIR": "Pipa bocor sudah diperbaiki dan aliran air normal kembali.",
    "PENCEMARAN": "Sudah dilakukan pengecekan dan teguran kepada pelaku usaha.",
    "ADMINDUK": "Dokumen sudah selesai dan dapat diambil di kantor kecamatan.",
    "KESEHATAN": "Sudah ditindaklanjuti oleh Dinas Kesehatan bersama puskesmas.",
    "PENDIDIKAN": "Sekolah sudah menerima teguran dan perbaikan dijadwalkan.",
    "SOSIAL": "Warga yang dilaporkan sudah mendapat pendampingan Dinas Sosial.",
    "KEBAKARAN": "Tim Damkar sudah menangani di lokasi.",
    "PERIZINAN": "Izin sudah terbit; pelapor dapat mengunduhnya di portal.",
    "WIFI": "Perangkat hotspot sudah diganti dan koneksi normal.",
    "PASAR": "Perbaikan atap/saluran pasar sudah selesai.",
    "LINGKUNGAN": "Perbaikan sudah dilakukan bersama kelurahan dan warga.",
    "ASPIRASI": "Usulan sudah dicatat dan dimasukkan dalam bahan Musrenbang.",
    "INFORMASI": "Informasi sudah disampaikan kepada pelapor.",
    "LAINNYA": "Sudah ditindaklanjuti oleh perangkat daerah terkait.",
}
RATING_COMMENTS = [
    "Cepat tanggap, terima kasih.",
    "Sudah beres, mantap.",
    "Agak lama tapi akhirnya selesai.",
    "Terima kasih petugas.",
    "Hasilnya kurang rapi.",
    "",
]
WEIGHTS = {
    "JALAN": 18,
    "DRAINASE": 10,
    "BANJIR": 6,
    "PJU": 10,
    "SAMPAH": 14,
    "POHON": 4,
    "LALIN": 5,
    "PARKIR": 4,
    "KETERTIBAN": 5,
    "AIR": 6,
    "PENCEMARAN": 3,
    "ADMINDUK": 3,
    "KESEHATAN": 2,
    "PENDIDIKAN": 2,
    "SOSIAL": 2,
    "KEBAKARAN": 1,
    "PERIZINAN": 1,
    "WIFI": 1,
    "PASAR": 2,
    "LINGKUNGAN": 5,
    "ASPIRASI": 3,
    "INFORMASI": 2,
    "LAINNYA": 1,
}


# --- accounts -----------------------------------------------------------------------------------


def _staff(email: str, full_name: str, role: str, agency=None, membership_role: str = "officer") -> DemoAccount:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kotapintar.accounts.services import staff_create
    from kotapintar.accounts.totp import otpauth_uri, secret_base32
    from kotapintar.agencies.services import membership_set

    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = staff_create(actor=None, full_name=full_name, email=email, role=role, password=STAFF_PASSWORD).user
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    if agency is not None:
        membership_set(actor=None, user=user, agency=agency, role=membership_role, position="Pengelola pengaduan")
    return DemoAccount(
        role=str(Role(role).label) if agency is None else f"{Role(role).label} ({agency.code})",
        login=email,
        password=STAFF_PASSWORD,
        totp_secret=secret_base32(device),
        otpauth_uri=otpauth_uri(device),
        note="",
    )


def _citizens(n: int) -> list[Any]:
    User = get_user_model()
    emails = [f"warga{i:03d}@{DEMO_FLAG_DOMAIN}" for i in range(1, n + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    names = [
        "Sri Rahayu",
        "Agus Santoso",
        "Dewi Lestari",
        "Budi Hartono",
        "Siti Aminah",
        "Eko Prasetyo",
        "Rina Wulandari",
        "Joko Susilo",
        "Yuni Astuti",
        "Bambang Riyadi",
        "Nur Hidayah",
        "Teguh Wibowo",
        "Fitri Handayani",
        "Andi Kurniawan",
        "Lina Marlina",
        "Hendra Gunawan",
    ]
    now = timezone.now()
    new = []
    for i, email in enumerate(emails):
        if email in existing:
            continue
        user = User(email=email, full_name=f"{names[i % len(names)]} {i + 1}", role="citizen", email_verified_at=now)
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new)
    return list(User.objects.filter(email__in=emails).order_by("email"))


# --- reports ------------------------------------------------------------------------------------


def _points(rng: random.Random, n: int) -> list[tuple[float, float, Any]]:
    bounds = geo.city_bounds()
    if bounds is None:
        return []
    import numpy as np

    found: list[tuple[float, float, Any]] = []
    np_rng = np.random.default_rng(SEED)
    for _round in range(20):
        lats = np_rng.uniform(bounds.min_lat, bounds.max_lat, n * 2)
        lngs = np_rng.uniform(bounds.min_lng, bounds.max_lng, n * 2)
        for lat, lng, loc in zip(lats, lngs, geo.locate_many(lats, lngs), strict=True):
            if loc is not None:
                found.append((round(float(lat), 6), round(float(lng), 6), loc))
        if len(found) >= n:
            break
    rng.shuffle(found)
    return found[:n]


def _at(start: dt.datetime, rng: random.Random, low_hours: float, high_hours: float) -> dt.datetime:
    return start + dt.timedelta(hours=rng.uniform(low_hours, high_hours))


def _office_hours(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """The same WIB day at a plausible office hour (staff act 08:00–16:00)."""
    local = timezone.localtime(moment)
    hour = rng.randint(8, 15)
    return local.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))


def load(*, stdout=None) -> list[DemoAccount]:
    from kotapintar.agencies.models import Agency
    from kotapintar.agencies.selectors import agency_for_district

    write = stdout.write if stdout is not None else (lambda *_a, **_k: None)
    if not Category.objects.exists():
        from .services import category_import

        if not Agency.objects.exists():
            write("reports demo: no agencies and no categories; run import_agencies and import_categories first")
            return []
        category_import(actor=None)
    agencies = {a.code: a for a in Agency.objects.filter(is_active=True)}
    accounts: list[DemoAccount] = []
    accounts.append(_staff(f"verifikator@{DEMO_FLAG_DOMAIN}", "Rina Verifikator", "verifier"))
    if "DPU" in agencies:
        accounts.append(_staff(f"operator.dpu@{DEMO_FLAG_DOMAIN}", "Bayu Petugas DPU", "agency", agencies["DPU"]))
        accounts.append(
            _staff(f"kepala.dpu@{DEMO_FLAG_DOMAIN}", "Ir. Hadi Kepala DPU", "agency", agencies["DPU"], "head")
        )
    if "DLH" in agencies:
        accounts.append(_staff(f"operator.dlh@{DEMO_FLAG_DOMAIN}", "Wulan Petugas DLH", "agency", agencies["DLH"]))
    accounts.append(_staff(f"pimpinan@{DEMO_FLAG_DOMAIN}", "Sekretaris Daerah", "leadership"))
    citizens = _citizens(160)
    resident = citizens[0]
    resident.set_password(CITIZEN_PASSWORD)
    resident.save(update_fields=["password"])
    accounts.append(
        DemoAccount(
            role=str(Role.CITIZEN.label),
            login=resident.email,
            password=CITIZEN_PASSWORD,
            note="a resident with many reports (Laporan Saya)",
        )
    )

    if Report.objects.filter(channel=Channel.DEMO).exists():
        write("reports demo: already loaded")
        return accounts
    staff = defaultdict(list)
    from kotapintar.agencies.models import Membership

    for user_id, agency_id in Membership.objects.filter(is_active=True).values_list("user_id", "agency_id"):
        staff[agency_id].append(user_id)
    created = _generate(citizens, agencies, staff, agency_for_district)
    write(f"reports demo: {created} reports")
    return accounts


@transaction.atomic
def _generate(citizens, agencies, staff_by_agency, agency_for_district) -> int:
    rng = random.Random(SEED)  # noqa: S311 — demo data, reproducible on purpose
    now = timezone.now()
    categories = {c.code: c for c in Category.objects.filter(is_active=True).select_related("default_agency")}
    codes = [c for c in WEIGHTS if c in categories]
    weights = [WEIGHTS[c] for c in codes]
    points = _points(rng, COUNT)
    if not points:
        return 0
    offices: dict[str, Any] = {}
    used_numbers: set[str] = set(Report.objects.values_list("tracking_number", flat=True))
    verifier_ids = list(get_user_model().objects.filter(role="verifier", is_active=True).values_list("pk", flat=True))
    desk_actor = verifier_ids[0] if verifier_ids else None

    reports: list[Report] = []
    plans: list[dict[str, Any]] = []
    for index, (lat, lng, loc) in enumerate(points):
        code = rng.choices(codes, weights)[0]
        category = categories[code]
        # The first few are fresh (the desk's queue today); the rest spread over six months.
        recent = index < 12
        created = now - dt.timedelta(seconds=rng.uniform(1800, 2 * 86400 if recent else DAYS * 86400))
        created = created.replace(microsecond=0)
        privacy = rng.choices([Privacy.ANONYMOUS, Privacy.PUBLIC, Privacy.CONFIDENTIAL], [60, 30, 10])[0]
        with_account = rng.random() < 0.7
        reporter = citizens[0] if index % 40 == 0 else (rng.choice(citizens) if with_account else None)
        show_name = privacy == Privacy.PUBLIC and reporter is not None and rng.random() < 0.5
        text = rng.choice(TEXTS[code]).format(place=rng.choice(PLACES))
        number = tracking.new_tracking_number(timezone.localtime(created).year)
        while number in used_numbers:
            number = tracking.new_tracking_number(timezone.localtime(created).year)
        used_numbers.add(number)
        from .services import derive_title

        report = Report(
            tracking_number=number,
            tracking_token_hash=tracking.hash_token(tracking.token_for(number)),
            kind=category.kind,
            category=category,
            submitted_category=category,
            title=derive_title(text),
            text=text,
            lat=lat,
            lng=lng,
            address=rng.choice(PLACES),
            village_id=loc.village_code,
            district_id=loc.district_code,
            privacy=privacy,
            show_name=show_name,
            public_name=reporter.full_name if show_name else "",
            reporter=reporter,
            reporter_name="" if reporter else rng.choice(["", "Pak RT", "Warga"]),
            channel=Channel.DEMO,
            created_at=created,
            updated_at=created,
            verify_due=sla.verify_due(created),
        )
        plan = _plan(report, category, now, rng, hold=recent and index % 3 == 1)
        # Routing: the category's agency, or the kecamatan office of the point.
        agency = None
        if category.routing == Category.Routing.AREA:
            if loc.district_code not in offices:
                offices[loc.district_code] = agency_for_district(loc.district_code)
            agency = offices[loc.district_code]
        elif category.default_agency_id:
            agency = category.default_agency
        if agency is None:
            agency = agencies.get("DISKOMINFO")
        plan["agency"] = agency
        if plan.get("reroute") and agency is not None:
            alternatives = [a for c, a in agencies.items() if not c.startswith("KEC-") and a.pk != agency.pk]
            plan["first_agency"] = rng.choice(alternatives)
        _apply(report, plan, now)
        reports.append(report)
        plans.append(plan)

    events: list[ReportEvent] = []
    dispositions: list[Disposition] = []
    followers: list[Follower] = []
    _merge_some(reports, events, rng, now)
    for report, plan in zip(reports, plans, strict=True):
        _timeline(report, plan, events, dispositions, staff_by_agency, desk_actor, rng, now)
        if report.is_public and report.status != Status.MERGED and rng.random() < 0.15:
            chosen = [u for u in rng.sample(citizens[1:], rng.randint(1, 8)) if u.pk != report.reporter_id]
            for user in chosen:
                moment = report.verified_at + dt.timedelta(hours=rng.uniform(1, 72))
                followers.append(Follower(report=report, user=user, supports=rng.random() < 0.8, created_at=moment))
            report.follower_count = len(chosen)
            report.support_count = sum(1 for f in followers[len(followers) - len(chosen) :] if f.supports)
    # Reports first (their ids), then what points at them; a merged report points at
    # another row of the same insert, so that link is written afterwards.
    merged_into = {id(r): r.duplicate_of for r in reports if r.duplicate_of is not None}
    for report in reports:
        if id(report) in merged_into:
            report.duplicate_of = None
    Report.objects.bulk_create(reports, batch_size=500)
    merged = [r for r in reports if id(r) in merged_into]
    for report in merged:
        report.duplicate_of = merged_into[id(report)]
    Report.objects.bulk_update(merged, ["duplicate_of"])
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    Disposition.objects.bulk_create(dispositions, batch_size=1000)
    Follower.objects.bulk_create(followers, batch_size=1000)
    return len(reports)


def _plan(
    report: Report, category: Category, now: dt.datetime, rng: random.Random, *, hold: bool = False
) -> dict[str, Any]:
    """When each stage happens (None: not yet / never)."""
    created = report.created_at
    plan: dict[str, Any] = {"set_aside": None, "verified": None}
    roll = rng.random()
    late_desk = rng.random() < 0.12
    verified = _office_hours(
        created + dt.timedelta(days=rng.uniform(4, 7) if late_desk else rng.uniform(0.1, 3.5)), rng
    )
    verified = max(verified, created + dt.timedelta(minutes=20))
    if roll < 0.06:
        plan["set_aside"] = verified
        plan["reason"] = rng.choice(SetAsideReason.values)
        return plan
    if hold:
        # Verified today or yesterday; the desk is still choosing the agency.
        plan["verified"] = created + (now - created) / 2
        plan["dispositioned"] = None
        return plan
    plan["verified"] = verified
    plan["dispositioned"] = verified + dt.timedelta(minutes=rng.uniform(5, 240))
    plan["reroute"] = rng.random() < 0.04
    slow = rng.random() < 0.15
    plan["first_response"] = _office_hours(
        plan["dispositioned"] + dt.timedelta(days=rng.uniform(5, 12) if slow else rng.uniform(0.2, 5)), rng
    )
    days = category.resolution_days
    stalled = rng.random() < 0.08
    plan["resolved"] = (
        None
        if stalled
        else _office_hours(plan["first_response"] + dt.timedelta(days=rng.uniform(0.3, 1.5) * days * 7 / 5), rng)
    )
    if plan["resolved"] is not None:
        plan["resolved"] = max(plan["resolved"], plan["first_response"] + dt.timedelta(hours=2))
        answer = rng.random()
        plan["confirmed"] = plan["resolved"] + dt.timedelta(days=rng.uniform(0.2, 6)) if answer < 0.45 else None
        plan["rated"] = plan["resolved"] + dt.timedelta(days=rng.uniform(0.1, 6)) if answer < 0.65 else None
        plan["reopened"] = plan["resolved"] + dt.timedelta(days=rng.uniform(1, 5)) if 0.65 <= answer < 0.70 else None
    return plan


def _apply(report: Report, plan: dict[str, Any], now: dt.datetime) -> None:
    """Set the report's fields as the services would have, given what happened by `now`."""

    def done(key):
        moment = plan.get(key)
        return moment is not None and moment <= now

    report.due_at = report.verify_due
    if done("set_aside"):
        report.status = Status.SET_ASIDE
        report.set_aside_reason = plan["reason"]
        report.set_aside_at = plan["set_aside"]
        report.due_at = None
        report.updated_at = plan["set_aside"]
    elif done("verified"):
        report.status = Status.VERIFIED
        report.verified_at = plan["verified"]
        report.updated_at = plan["verified"]
        if done("dispositioned"):
            report.status = Status.DISPOSITIONED
            report.dispositioned_at = plan["dispositioned"]
            report.response_due = sla.response_due(plan["dispositioned"])
            report.resolution_due = sla.resolution_due(plan["dispositioned"], report.category.resolution_days)
            report.responsible_agency = plan["agency"]
            report.updated_at = plan["dispositioned"]
            if done("first_response"):
                report.status = Status.IN_PROGRESS
                report.first_response_at = report.last_follow_up_at = plan["first_response"]
                report.updated_at = plan["first_response"]
            if done("resolved"):
                report.status = Status.RESOLVED
                report.resolved_at = report.last_follow_up_at = plan["resolved"]
                report.resolved_on_time = plan["resolved"] <= report.resolution_due
                report.auto_close_due = sla.auto_close_due(plan["resolved"])
                report.reopen_until = report.auto_close_due
                report.updated_at = plan["resolved"]
                if done("rated"):
                    report.rating = plan["rating"] = _rating(report, plan)
                    report.rating_comment = plan["comment"] = RATING_COMMENTS[
                        hash(report.tracking_number) % len(RATING_COMMENTS)
                    ]
                    report.rated_at = plan["rated"]
                if done("reopened"):
                    report.status = Status.IN_PROGRESS
                    report.reopen_count = 1
                    report.resolved_at = None
                    report.resolved_on_time = None
                    report.auto_close_due = report.reopen_until = None
                    report.resolution_due = sla.resolution_due(plan["reopened"], report.category.resolution_days)
                    report.updated_at = plan["reopened"]
                elif done("confirmed"):
                    report.status = Status.CLOSED
                    report.closed_at = plan["confirmed"]
                    report.reopen_until = sla.reopen_until(plan["confirmed"])
                    report.updated_at = plan["confirmed"]
                elif report.auto_close_due <= now:
                    plan["auto_closed"] = report.auto_close_due
                    report.status = Status.CLOSED
                    report.closed_at = report.auto_close_due
                    report.reopen_until = sla.reopen_until(report.auto_close_due)
                    report.updated_at = report.auto_close_due
        report.due_at = sla.current_due(report)
    report.is_public = report.compute_is_public()
    if report.due_at is not None and report.status not in (Status.RESOLVED, Status.CLOSED):
        report.escalation_level = sla.escalation_level_at(report.due_at, now)


def _rating(report: Report, plan: dict[str, Any]) -> int:
    seed = int(report.tracking_number.encode().hex(), 16)
    if report.resolved_on_time:
        return (4, 5, 5, 4, 3, 5)[seed % 6]
    return (2, 3, 4, 1, 3, 4)[seed % 6]


def _timeline(report, plan, events, dispositions, staff_by_agency, desk_actor, rng, now) -> None:
    def add(kind, visibility, at, **kw):
        events.append(ReportEvent(report=report, kind=kind, visibility=visibility, created_at=at, **kw))

    add(
        EventKind.SUBMITTED, Visibility.PUBLIC, report.created_at, actor_id=report.reporter_id, data={"channel": "demo"}
    )
    if report.escalation_level and report.due_at is not None:
        for level in range(1, report.escalation_level + 1):
            moment = sla.escalation_moment(report.due_at, level) + dt.timedelta(minutes=15)
            data = {"level": level, "due": report.due_at.isoformat()}
            add(EventKind.ESCALATED, Visibility.INTERNAL, min(moment, now), agency=report.responsible_agency, data=data)
    if report.status == Status.SET_ASIDE:
        add(
            EventKind.SET_ASIDE,
            Visibility.REPORTER,
            report.set_aside_at,
            actor_id=desk_actor,
            reason=report.set_aside_reason,
        )
        return
    if report.verified_at is None:
        return
    add(EventKind.VERIFIED, Visibility.PUBLIC, report.verified_at, actor_id=desk_actor)
    if report.dispositioned_at is None:
        return
    agency = plan["agency"]
    first = plan.get("first_agency")
    officer = (staff_by_agency.get(agency.pk) or [None])[0] if agency else None
    if first is not None:
        add(
            EventKind.DISPOSITIONED,
            Visibility.PUBLIC,
            report.dispositioned_at,
            actor_id=desk_actor,
            agency=first,
            data={"primary": True},
        )
        moved = report.dispositioned_at + dt.timedelta(hours=rng.uniform(2, 30))
        # Never in the future: a report routed this morning was re-routed by now at the latest.
        moved = max(min(moved, now - dt.timedelta(minutes=5)), report.dispositioned_at + dt.timedelta(minutes=1))
        dispositions.append(
            Disposition(
                report=report,
                agency=first,
                is_primary=True,
                state=Disposition.State.REROUTED,
                created_by_id=desk_actor,
                due_at=report.resolution_due,
                created_at=report.dispositioned_at,
                closed_at=moved,
                reason="Bukan kewenangan kami; lokasi dan masalah ditangani OPD lain.",
            )
        )
        add(
            EventKind.REROUTED,
            Visibility.PUBLIC,
            moved,
            agency=agency,
            text="Bukan kewenangan kami; lokasi dan masalah ditangani OPD lain.",
            data={"from": first.code, "to": agency.code},
        )
    else:
        add(
            EventKind.DISPOSITIONED,
            Visibility.PUBLIC,
            report.dispositioned_at,
            actor_id=desk_actor,
            agency=agency,
            data={"primary": True},
        )
    open_now = report.status in (Status.DISPOSITIONED, Status.IN_PROGRESS)
    dispositions.append(
        Disposition(
            report=report,
            agency=agency,
            is_primary=True,
            state=Disposition.State.ACTIVE if open_now else Disposition.State.DONE,
            assigned_to_id=officer,
            created_by_id=desk_actor,
            due_at=report.resolution_due,
            created_at=report.dispositioned_at,
            closed_at=None if open_now else (report.resolved_at or plan.get("resolved")),
        )
    )
    if officer:
        report.assigned_to_id = officer
        add(
            EventKind.ASSIGNED,
            Visibility.INTERNAL,
            report.dispositioned_at + dt.timedelta(minutes=30),
            actor_id=officer,
            agency=agency,
            data={"officer": officer},
        )
    if report.first_response_at is None:
        return
    add(
        EventKind.FOLLOW_UP,
        Visibility.PUBLIC,
        report.first_response_at,
        actor_id=officer,
        agency=agency,
        text=rng.choice(FOLLOW_UPS),
    )
    resolved = plan.get("resolved")
    if resolved is None or resolved > timezone.now():
        return
    add(
        EventKind.RESOLVED,
        Visibility.PUBLIC,
        resolved,
        actor_id=officer,
        agency=agency,
        text=RESOLUTIONS.get(report.category.code, "Sudah ditindaklanjuti."),
    )
    if report.rating is not None:
        add(
            EventKind.RATED,
            Visibility.REPORTER,
            report.rated_at,
            actor_id=report.reporter_id,
            text=report.rating_comment,
            data={"rating": report.rating},
        )
    if report.reopen_count:
        add(EventKind.REOPENED, Visibility.PUBLIC, plan["reopened"], actor_id=report.reporter_id, agency=agency)
        add(
            EventKind.REPORTER_REPLY,
            Visibility.REPORTER,
            plan["reopened"],
            actor_id=report.reporter_id,
            text="Masalahnya muncul lagi, mohon dicek ulang.",
        )
    elif report.status == Status.CLOSED:
        if plan.get("auto_closed"):
            add(EventKind.AUTO_CLOSED, Visibility.PUBLIC, report.closed_at)
        else:
            add(EventKind.CONFIRMED, Visibility.PUBLIC, report.closed_at, actor_id=report.reporter_id)


def _merge_some(reports, events, rng, now) -> None:
    """A few verified reports turn out to repeat an older one of the same category: they are
    moved next to it (a few metres away) and merged into it, as the desk would."""
    by_category: dict[int, list[Report]] = defaultdict(list)
    for report in sorted(reports, key=lambda r: r.created_at):
        if report.dispositioned_at is not None and not report.is_confidential:
            by_category[report.category_id].append(report)
    merged = 0
    for group in by_category.values():
        for older, newer in itertools.pairwise(group):
            if merged >= 25 or rng.random() > 0.3 or older.status == Status.MERGED:
                continue
            moment = newer.verified_at + dt.timedelta(minutes=10)
            if moment > now:
                continue
            newer.lat = round(older.lat + rng.uniform(-0.0002, 0.0002), 6)
            newer.lng = round(older.lng + rng.uniform(-0.0002, 0.0002), 6)
            newer.village_id, newer.district_id = older.village_id, older.district_id
            # What would have happened after the merge never did.
            for name in (
                "dispositioned_at",
                "response_due",
                "resolution_due",
                "first_response_at",
                "last_follow_up_at",
                "resolved_at",
                "resolved_on_time",
                "auto_close_due",
                "reopen_until",
                "responsible_agency",
                "rating",
                "rated_at",
            ):
                setattr(newer, name, None)
            newer.rating_comment = ""
            newer.reopen_count = 0
            newer.status = Status.MERGED
            newer.duplicate_of = older
            newer.due_at = None
            newer.escalation_level = 0
            newer.closed_at = moment
            newer.updated_at = moment
            newer.is_public = newer.compute_is_public()
            data_into, data_from = {"into": older.tracking_number}, {"from": newer.tracking_number}
            events.append(
                ReportEvent(report=newer, kind=EventKind.MERGED, visibility="public", created_at=moment, data=data_into)
            )
            events.append(
                ReportEvent(report=older, kind=EventKind.MERGED, visibility="public", created_at=moment, data=data_from)
            )
            merged += 1
