"""The published IKM per period, service and agency is exactly compute_ikm of that scope's answers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kotapintar.portal import periods, selectors
from kotapintar.portal.ikm import compute_ikm, ikm_from_totals
from kotapintar.portal.models import SurveyResponse
from kotapintar.testing.portal import make_service

# The hand-worked example of test_ikm.py: ten answers to one service in March 2026.
# Column totals 34 32 29 38 33 35 36 30 31; NRR sum 29.80; IKM 29.80/9 = 3.3111;
# unit IKM 745/9 = 82.777... -> 82.78 -> B (Baik).
TEN = [
    [4, 4, 3, 4, 4, 4, 4, 3, 4],
    [3, 3, 2, 4, 3, 4, 4, 3, 3],
    [4, 3, 3, 4, 3, 3, 4, 2, 3],
    [3, 4, 3, 4, 4, 4, 3, 3, 3],
    [4, 3, 3, 4, 3, 4, 4, 4, 3],
    [3, 3, 2, 3, 3, 3, 3, 3, 3],
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 4, 3, 3, 4, 3, 3],
    [2, 2, 3, 3, 3, 3, 3, 3, 2],
    [4, 3, 3, 4, 3, 3, 3, 2, 3],
]
# Two more answers to a second service of the same agency, in April 2026 (quarter 2):
TWO = [[1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2, 2]]
# The agency in semester 1 = all twelve. Totals 37 35 32 41 36 38 39 33 34 (sum 325):
# unit IKM = 25 x 325 / (9 x 12) = 8125/108 = 75.2314... -> 75.23 -> C (Kurang Baik).


def _store(service, day: dt.date, rows, agency=None):
    for scores in rows:
        SurveyResponse.objects.create(
            service=service,
            agency=agency or service.agency,
            answered_on=day,
            **{f"u{i}": s for i, s in enumerate(scores, start=1)},
        )


@pytest.fixture
def answers(agency, other_agency, reklame, ktp, min_respondents):
    second = make_service(agency, slug="layanan-kedua", name="Layanan Kedua")
    _store(reklame, dt.date(2026, 3, 10), TEN)
    _store(second, dt.date(2026, 4, 1), TWO)
    _store(ktp, dt.date(2026, 7, 1), [[4] * 9])  # another agency, semester 2
    return {"second": second}


def test_hand_worked_example_per_service_and_month(answers, reklame):
    figure = selectors.ikm_figure(periods.parse("2026-03"), service=reklame)
    assert figure.respondents == 10
    assert figure.result == compute_ikm(TEN)
    assert (figure.unit_ikm, figure.grade, figure.result.ikm) == (Decimal("82.78"), "B", Decimal("3.3111"))


def test_agency_per_semester_adds_every_service_of_the_agency(answers, agency):
    figure = selectors.ikm_figure(periods.parse("2026-S1"), agency=agency)
    assert figure.respondents == 12
    assert figure.result == compute_ikm(TEN + TWO)
    assert figure.result.element_totals == (37, 35, 32, 41, 36, 38, 39, 33, 34)
    assert (figure.unit_ikm, figure.grade) == (Decimal("75.23"), "C")


def test_periods_count_only_their_own_days(answers, agency, reklame):
    q1 = selectors.ikm_figure(periods.parse("2026-Q1"), agency=agency)
    q2 = selectors.ikm_figure(periods.parse("2026-Q2"), agency=agency)
    assert q1.result == compute_ikm(TEN)
    assert q2.result == compute_ikm(TWO)
    assert q2.unit_ikm == Decimal("37.50") and q2.grade == "D"
    assert selectors.ikm_figure(periods.parse("2026-02"), agency=agency).respondents == 0
    assert selectors.ikm_figure(periods.parse("2026-S2"), agency=agency).respondents == 0


def test_city_per_year_is_every_answer(answers):
    figure = selectors.ikm_figure(periods.parse("2026"))
    assert figure.result == compute_ikm(TEN + TWO + [[4] * 9])


def test_breakdowns_match_the_single_figures(answers, agency, other_agency, reklame):
    year = periods.parse("2026")
    by_agency = {f.agency: f for f in selectors.ikm_by_agency(year)}
    assert by_agency[agency].result == compute_ikm(TEN + TWO)
    assert by_agency[other_agency].result == compute_ikm([[4] * 9])
    # Best first.
    assert [f.agency for f in selectors.ikm_by_agency(year)] == [other_agency, agency]
    by_service = {f.service.slug: f for f in selectors.ikm_by_service(year, agency=agency)}
    assert set(by_service) == {"izin-reklame", "layanan-kedua"}
    assert by_service["izin-reklame"].result == compute_ikm(TEN)


def test_totals_give_exactly_compute_ikm():
    totals = [sum(col) for col in zip(*TEN, strict=True)]
    assert ikm_from_totals(totals, len(TEN)) == compute_ikm(TEN)
    with pytest.raises(ValueError):
        ikm_from_totals([1] * 9, 2)  # two respondents cannot total 1
    with pytest.raises(ValueError):
        ikm_from_totals([4] * 8, 1)


def test_too_few_respondents_are_not_published(answers, agency, min_respondents):
    min_respondents(5)
    q2 = selectors.ikm_figure(periods.parse("2026-Q2"), agency=agency)
    assert q2.respondents == 2 and not q2.published and q2.result is None
    assert selectors.ikm_figure(periods.parse("2026-Q1"), agency=agency).published


def test_public_page_shows_figures_tables_and_loads_charts_only_there(client, answers, agency):
    page = client.get("/layanan/ikm/?kind=semester&period=2026-S1")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="headline-ikm">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    # The table alternative carries every figure of the charts (numbers in Indonesian notation).
    assert "75,23" in html and "82,78" in html
    assert "Izin Penyelenggaraan Reklame" in html
    assert page.context["headline"].result == compute_ikm(TEN + TWO + [])  # whole city, S1
    # Other pages do not load Chart.js.
    assert "chartjs" not in client.get("/layanan/").content.decode()


def test_public_page_per_agency(client, answers, agency):
    page = client.get(f"/layanan/ikm/?kind=quarter&period=2026-Q2&agency={agency.code}")
    assert page.context["headline"].result == compute_ikm(TWO)
    assert page.context["by_agency"] == []
    assert [f.service.slug for f in page.context["by_service"]] == ["layanan-kedua"]


def test_a_wrong_period_falls_back_to_the_current_one(client, answers):
    page = client.get("/layanan/ikm/?kind=month&period=2026-Q9")
    assert page.status_code == 200
    assert page.context["period"] == periods.current(periods.MONTH)


def test_export_csv_has_one_row_per_scope(client, answers, agency):
    response = client.get("/layanan/ikm/?kind=year&period=2026&export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Tingkat", "Nama", "Perangkat daerah", "Periode", "Responden"]
    city = body[0]
    assert city[0] == "Kota" and city[4] == "13"
    agency_row = next(r for r in body if r[0] == "Perangkat daerah" and r[1] == str(agency))
    assert agency_row[header.index("IKM (25–100)")] == "75.23"
    assert agency_row[header.index("Mutu pelayanan")] == "Kurang Baik"
    service_rows = [r for r in body if r[0] == "Layanan"]
    assert len(service_rows) == 3


def test_export_xlsx(client, answers):
    response = client.get("/layanan/ikm/?kind=year&period=2026&export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "Kota"
    assert values[1][values[0].index("IKM (25–100)")] == float(compute_ikm(TEN + TWO + [[4] * 9]).unit_ikm)
