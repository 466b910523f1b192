"""validate_attributes: the one validator of a category's questions (web, API, Open311)."""

from __future__ import annotations

import pytest

from kotapintar.reports import selectors, services, tasks
from kotapintar.reports.attributes import validate_attributes
from kotapintar.reports.errors import ReportInvalid


@pytest.fixture
def jalan(lapor):
    category = lapor.category("JALAN")
    add = services.category_attribute_save
    add(actor=None, category=category, code="lebar", datatype="number", description="Lebar lubang (cm)", order=1)
    add(actor=None, category=category, code="sejak", datatype="datetime", description="Sejak kapan?", order=2)
    add(actor=None, category=category, code="patokan", datatype="string", description="Patokan", required=True, order=3)
    add(actor=None, category=category, code="cerita", datatype="text", description="Cerita", order=4)
    add(
        actor=None,
        category=category,
        code="jenis",
        datatype="singlevaluelist",
        description="Jenis jalan",
        values=[{"key": "kota", "name": "Jalan kota"}, {"key": "kampung", "name": "Jalan kampung"}],
        order=5,
    )
    add(actor=None, category=category, code="info", datatype="string", variable=False, description="Catatan", order=6)
    selectors.forget_categories()
    return selectors.category_by_code("JALAN")


def test_clean_answers_are_json_ready(jalan):
    clean = validate_attributes(
        jalan, {"lebar": "40", "sejak": "2026-03-14 08:30", "patokan": "  depan SD  ", "jenis": "kota", "cerita": ""}
    )
    assert clean == {"lebar": 40, "sejak": "2026-03-14T08:30:00+07:00", "patokan": "depan SD", "jenis": "kota"}


def test_each_wrong_answer_is_named(jalan):
    with pytest.raises(ReportInvalid) as caught:
        validate_attributes(
            jalan,
            {
                "lebar": "lebar sekali",
                "sejak": "kemarin",
                "jenis": "tol",
                "x": "1",
                "info": "isi",
                "cerita": "a" * 4001,
            },
        )
    fields = caught.value.fields
    assert set(fields) == {
        "attributes.lebar",
        "attributes.sejak",
        "attributes.patokan",
        "attributes.jenis",
        "attributes.x",
        "attributes.info",
        "attributes.cerita",
    }
    assert "angka" in fields["attributes.lebar"][0]
    assert "Jalan kota, Jalan kampung" in fields["attributes.jenis"][0]
    assert "Mohon jawab “Patokan”" in fields["attributes.patokan"][0]


@pytest.mark.parametrize("value", ["nan", "inf", "1e13", True])
def test_numbers_must_be_finite_and_reasonable(jalan, value):
    with pytest.raises(ReportInvalid):
        validate_attributes(jalan, {"patokan": "x", "lebar": value})


def test_datetime_with_timezone_is_kept_in_wib(jalan):
    clean = validate_attributes(jalan, {"patokan": "x", "sejak": "2026-03-14T01:30:00Z"})
    assert clean["sejak"] == "2026-03-14T08:30:00+07:00"


def test_attribute_definitions_are_checked(lapor):
    category = lapor.category("PJU")
    with pytest.raises(ReportInvalid) as caught:
        services.category_attribute_save(
            actor=None, category=category, code="Bad Code", datatype="singlevaluelist", description="", values=[]
        )
    assert set(caught.value.fields) == {"code", "description", "values"}


def test_the_periodic_task_runs_the_sweep(make_report):
    make_report()
    assert tasks.sla_sweep.delay().get() == {"escalated": 0, "auto_closed": 0, "failed": 0}
