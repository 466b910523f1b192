"""Demo data of the portal (manage.py load_demo; idempotent).

- The Semarang service catalogue, if `manage.py import_services` has not loaded it yet (it is
  reference data: `make setup` runs the import; this only makes load_demo work on its own).
- Eighteen months of anonymous SKM answers for the catalogue's services, so the IKM page has
  figures, grades and trends to show. Made once (skipped when any answer exists), with a
  fixed random seed: every demo instance shows the same figures.
- A demo resident with one survey waiting (Layanan Saya, the bell, the questionnaire).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from kotapintar.accounts.demo import CITIZEN_PASSWORD
from kotapintar.accounts.models import Role
from kotapintar.agencies.models import Agency
from kotapintar.core.demo import DEMO_FLAG_DOMAIN, DemoAccount

from . import services
from .models import SatisfactionSurvey, ServiceStandard, SurveyResponse

SEED = 3374  # Kota Semarang's area code
MONTHS = 18
DEMO_RESIDENT = f"warga.survei@{DEMO_FLAG_DOMAIN}"
DEMO_PASSWORD = CITIZEN_PASSWORD  # the published demo password of residents

# How well each agency serves in the demo (mean score 1-4); other agencies get 3.1.
QUALITY = {"DISDUKCAPIL": 3.75, "DPMPTSP": 3.35, "DINKES": 3.2, "DISHUB": 2.85, "DLH": 3.0, "PDAM": 2.7}


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(4, round(rng.gauss(mean, 0.55))))


def _answers(stdout) -> int:
    if SurveyResponse.objects.exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 (repeatable demo figures, not security)
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    rows = []
    for service in ServiceStandard.objects.filter(is_published=True).select_related("agency").order_by("slug"):
        base = QUALITY.get(service.agency.code, 3.1)
        month = first
        while month <= today:
            # Quality drifts a little over time, and some elements are weaker (waiting time).
            drift = 0.15 * ((month.year * 12 + month.month) % 5 - 2) / 2
            for _ in range(rng.randint(2, 14)):
                day = month.replace(day=rng.randint(1, 28))
                if day > today:
                    continue
                mean = base + drift
                scores = [_score(rng, mean - (0.35 if i in (2, 8) else 0.0)) for i in range(9)]
                rows.append(
                    SurveyResponse(
                        service=service,
                        agency=service.agency,
                        answered_on=day,
                        **{f"u{i}": s for i, s in enumerate(scores, start=1)},
                    )
                )
            month = (month + dt.timedelta(days=32)).replace(day=1)
    SurveyResponse.objects.bulk_create(rows, batch_size=1000)
    stdout.write(f"portal: {len(rows)} anonymous survey answers over {MONTHS} months")
    return len(rows)


def _resident_with_a_survey() -> DemoAccount | None:
    service = ServiceStandard.objects.filter(slug="lapor-pengaduan").first()
    if service is None:
        return None
    user_model = get_user_model()
    user = user_model.objects.filter(email=DEMO_RESIDENT).first()
    if user is None:
        user = user_model.objects.create_user(
            email=DEMO_RESIDENT, password=DEMO_PASSWORD, full_name="Rina Warga (demo survei)"
        )
    if not SatisfactionSurvey.objects.filter(case_kind="demo", case_id="lapor-1").exists():
        services.survey_offer(
            user=user,
            case_kind="demo",
            case_id="lapor-1",
            service=service,
            agency=Agency.objects.filter(code="DPU").first() or service.agency,
            case_label="Laporan jalan berlubang (demo)",
        )
    return DemoAccount(
        role=str(Role.CITIZEN.label),
        login=DEMO_RESIDENT,
        password=DEMO_PASSWORD,
        note="has a satisfaction survey waiting",
    )


def load(*, stdout) -> list[DemoAccount]:
    if not ServiceStandard.objects.exists():
        if not Agency.objects.filter(code="DPMPTSP").exists():
            stdout.write("portal: no agencies yet (run manage.py import_agencies); catalogue skipped")
            return []
        result = services.service_catalogue_import(actor=None)
        stdout.write(f"portal: service catalogue, {len(result.created)} services")
    _answers(stdout)
    account = _resident_with_a_survey()
    return [account] if account else []
