"""Possible duplicates: same or related category, within the radius, recent, similar text."""

from __future__ import annotations

import datetime as dt

import time_machine

from kotapintar.reports import duplicates, services
from kotapintar.reports.models import Privacy


def _near(lat, lng, metres_north):
    return lat + metres_north / 111_320.0, lng


def test_haversine_and_bounding_box():
    assert abs(duplicates.haversine_m(-6.99, 110.42, -6.99 + 0.001, 110.42) - 111.2) < 0.5
    min_lat, min_lng, max_lat, max_lng = duplicates.bounding_box(-6.99, 110.42, 150)
    assert min_lat < -6.99 < max_lat and min_lng < 110.42 < max_lng


def test_ranking_prefers_close_and_similar_and_says_why(make_report, lapor, verifier):
    lat, lng = lapor.point("Pleburan")
    close_similar = make_report(point=_near(lat, lng, 20), text="Jalan berlubang besar depan SD, bahaya motor.")
    far_similar = make_report(point=_near(lat, lng, 130), text="Jalan berlubang besar depan SD, bahaya motor.")
    close_other = make_report(point=_near(lat, lng, 25), text="Marka jalan sudah pudar dan tidak terlihat malam.")
    make_report(point=_near(lat, lng, 400), text="Jalan berlubang besar depan SD.")  # outside 150 m
    make_report(category="PJU", point=_near(lat, lng, 10), text="Jalan berlubang besar depan SD.")  # unrelated
    for report in (close_similar, far_similar, close_other):
        services.report_verify(actor=verifier, report=report)
    found = duplicates.find_similar(
        category=lapor.category("JALAN"), lat=lat, lng=lng, text="Ada lubang besar di jalan depan SD"
    )
    assert [c.report.pk for c in found] == [close_similar.pk, far_similar.pk, close_other.pk]
    best = found[0]
    assert best.reason.startswith("kategori sama, 20 m, teks mirip")
    assert best.text_similarity > found[2].text_similarity


def test_related_categories_are_searched_too(make_report, lapor, verifier):
    lat, lng = lapor.point("Pleburan")
    drain = make_report(category="DRAINASE", point=_near(lat, lng, 30), text="Got mampet, air meluber ke jalan.")
    services.report_verify(actor=verifier, report=drain)
    jalan = lapor.category("JALAN")
    assert duplicates.find_similar(category=jalan, lat=lat, lng=lng, text="jalan tergenang") == []
    services.category_update(actor=None, category=jalan, related=[lapor.category("DRAINASE")])
    found = duplicates.find_similar(category=jalan, lat=lat, lng=lng, text="jalan tergenang")
    assert [c.report.pk for c in found] == [drain.pk]
    assert found[0].reason.startswith("kategori terkait")


def test_the_form_sees_public_reports_only_the_desk_sees_all(make_report, lapor, verifier):
    lat, lng = lapor.point("Pleburan")
    unverified = make_report(point=_near(lat, lng, 10))
    confidential = make_report(point=_near(lat, lng, 15), privacy=Privacy.CONFIDENTIAL)
    services.report_verify(actor=verifier, report=confidential)
    new = make_report(point=(lat, lng))
    assert duplicates.find_similar(category=new.category, lat=lat, lng=lng, text=new.text) == []
    found = {c.report.pk for c in duplicates.find_duplicates(new)}
    assert found == {unverified.pk, confidential.pk}


def test_only_the_last_thirty_days(make_report, lapor, verifier):
    lat, lng = lapor.point("Pleburan")
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        old = make_report(point=_near(lat, lng, 10))
        services.report_verify(actor=verifier, report=old)
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=dt.UTC), tick=False):
        found = duplicates.find_similar(category=lapor.category("JALAN"), lat=lat, lng=lng, text=old.text)
    assert found == []


def test_similarity_uses_stems():
    assert duplicates.text_similarity("jalannya berlubang", "lubang di jalan") > 70
    assert duplicates.text_similarity("lampu mati", "sampah menumpuk") < 40
