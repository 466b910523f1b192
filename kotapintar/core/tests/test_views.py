"""Kernel pages: public home, staff desk, notifications inbox and bell, calendar admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kotapintar.core import dashboard
from kotapintar.core.models import AuditLog, CalendarDay, Notification
from kotapintar.core.notifications import notify
from kotapintar.testing.core import login_verified

pytestmark = pytest.mark.django_db


def inbox(user, n: int, prefix: str = "Pesan") -> list[Notification]:
    return [
        notify(
            channels=["inbox"],
            kind="k",
            subject=f"{prefix} {i}",
            body="Isi",
            dedupe_key=f"{prefix}:{user.pk}:{i}",
            recipient=user,
        )[0]
        for i in range(n)
    ]


# --- public home -------------------------------------------------------------------------------


def test_home_welcomes_residents_in_indonesian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Buat akun" in html
    assert reverse("accounts:signup") in html
    assert reverse("accounts:login") in html
    assert reverse("api-docs") in html
    try:
        regions_url = reverse("regions:index")
    except NoReverseMatch:
        regions_url = None
    if regions_url:
        assert regions_url in html


def test_home_for_a_signed_in_resident_points_to_the_inbox(resident_client):
    html = resident_client.get("/").content.decode()
    assert reverse("core:notifications") in html
    assert reverse("accounts:signup") not in html.split('data-testid="home-tiles"', 1)[1]
    assert reverse("core:staff_home") not in html


def test_home_in_english_when_chosen(client):
    client.cookies["kotapintar_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Create an account" in html


# --- staff desk ----------------------------------------------------------------------------------


def test_staff_desk_is_hidden_from_everyone_but_staff(client, resident):
    assert client.get("/staff/").status_code == 404
    client.force_login(resident)
    assert client.get("/staff/").status_code == 404


def test_staff_without_second_factor_is_sent_to_it(client, staff):
    client.force_login(staff)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


def test_staff_desk_shows_the_calendar_card_with_next_holidays(staff_client):
    with time_machine.travel(dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        response = staff_client.get(reverse("core:staff_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kalender hari kerja" in html
    upcoming = html.split('data-testid="upcoming-days-off"', 1)[1].split("</ul>", 1)[0]
    assert "Hari Raya Natal" in upcoming
    assert '<time datetime="2025-12-25"' in upcoming
    assert '<time datetime="2026-01-01"' in upcoming
    assert "Hari kerja berikutnya: Senin, 22 Desember 2025" in html


def test_staff_nav_item_only_for_staff(staff_client, client, resident):
    assert reverse("core:staff_home") in staff_client.get("/").content.decode().split("</nav>")[0]
    client.force_login(resident)
    assert reverse("core:staff_home") not in client.get("/").content.decode().split("</nav>")[0]


def test_cards_are_shown_by_role(client, make_user):
    dashboard.register_card(
        dashboard.Card(
            key="test.agency_queue",
            title=_("Agency queue"),
            template="core/cards/calendar.html",
            roles=frozenset({"agency"}),
            context=lambda request: {"upcoming": [(dt.date(2030, 1, 1), "Kartu uji OPD")]},
        )
    )
    try:
        officer = make_user("agency")
        verifier = make_user("verifier")
        login_verified(client, officer)
        assert "Kartu uji OPD" in client.get("/staff/").content.decode()
        login_verified(client, verifier)
        assert "Kartu uji OPD" not in client.get("/staff/").content.decode()
    finally:
        dashboard._cards.pop("test.agency_queue", None)


# --- notifications inbox -----------------------------------------------------------------------


def test_inbox_needs_sign_in(client):
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_inbox_lists_only_my_messages(resident_client, resident, make_user):
    inbox(resident, 2, "Milik saya")
    inbox(make_user(), 1, "Milik orang lain")
    html = resident_client.get(reverse("core:notifications")).content.decode()
    assert "Milik saya 0" in html and "Milik saya 1" in html
    assert "Milik orang lain" not in html
    assert "2 notifikasi belum dibaca" in html


def test_inbox_paginates_and_filters_unread(resident_client, resident):
    items = inbox(resident, 25)
    Notification.objects.filter(pk=items[0].pk).update(read_at=items[0].created_at)
    first = resident_client.get(reverse("core:notifications")).content.decode()
    assert len(re.findall(r'\sid="notification-\d+"', first)) == 20
    second = resident_client.get(reverse("core:notifications"), {"page": 2}).content.decode()
    assert len(re.findall(r'\sid="notification-\d+"', second)) == 5
    unread = resident_client.get(reverse("core:notifications"), {"unread": "1", "page": 2}).content.decode()
    assert len(re.findall(r'\sid="notification-\d+"', unread)) == 4


def test_mark_read_without_javascript_returns_to_the_list(resident_client, resident):
    (item,) = inbox(resident, 1)
    response = resident_client.post(
        reverse("core:notification_read", args=[item.pk]), {"next": "/notifications/?page=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    item.refresh_from_db()
    assert item.read_at is not None
    # An outside address is not followed.
    response = resident_client.post(
        reverse("core:notification_read", args=[item.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:notifications")


def test_mark_read_with_htmx_swaps_the_item_and_the_bell(resident_client, resident):
    first, _second = inbox(resident, 2)
    response = resident_client.post(reverse("core:notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{first.pk}"' in html
    assert "Tandai sudah dibaca" not in html  # the item is read now: no button
    assert 'id="bell-count" hx-swap-oob="outerHTML"' in html
    assert "1 notifikasi belum dibaca" in html


def test_mark_all_read(resident_client, resident):
    inbox(resident, 3)
    response = resident_client.post(reverse("core:notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert Notification.objects.filter(recipient=resident, read_at__isnull=True).count() == 0
    assert resident_client.post(reverse("core:notifications_read_all")).status_code == 302


def test_someone_elses_message_is_404_and_get_is_405(resident_client, make_user):
    (theirs,) = inbox(make_user(), 1)
    url = reverse("core:notification_read", args=[theirs.pk])
    assert resident_client.post(url).status_code == 404
    assert resident_client.get(url).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bell_badge_counts_unread(client, resident):
    html = client.get(reverse("core:notification_badge")).content.decode().strip()
    assert html == '<span id="bell-count" data-count="0"></span>'  # anonymous: nothing, no redirect
    client.force_login(resident)
    inbox(resident, 3)
    html = client.get(reverse("core:notification_badge")).content.decode().strip()
    assert re.match(r'^<span id="bell-count" [^>]*class="[^"]*badge[^"]*bg-danger', html)
    assert '<span aria-hidden="true">3</span>' in html
    assert '<span class="visually-hidden">3 notifikasi belum dibaca</span>' in html


def test_bell_is_on_every_page_for_signed_in_people(resident_client):
    html = resident_client.get("/").content.decode()
    assert f'hx-get="{reverse("core:notification_badge")}"' in html


# --- error pages ---------------------------------------------------------------------------------


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Halaman yang Anda minta tidak ada" in response.content.decode()


# --- calendar admin ------------------------------------------------------------------------------


def test_calendar_admin_writes_through_the_audited_service(admin_client_verified, superadmin, run_on_commit):
    add = reverse("admin:core_calendarday_add")
    with run_on_commit():
        response = admin_client_verified.post(
            add, {"date": "2025-07-05", "kind": "working_day", "description": "Sabtu kerja"}
        )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2025, 7, 5))
    assert AuditLog.objects.filter(action="calendar_day.create", actor=superadmin).exists()

    from kotapintar.core import calendar

    assert calendar.is_working_day(dt.date(2025, 7, 5))  # cache cleared on commit

    duplicate = admin_client_verified.post(add, {"date": "2025-07-05", "kind": "day_off", "description": "Lagi"})
    assert duplicate.status_code == 200
    assert len(duplicate.context["adminform"].form.errors) == 1  # one clear message, not two
    assert CalendarDay.objects.count() == 1
    blank = admin_client_verified.post(add, {"date": "2025-07-12", "kind": "day_off", "description": "   "})
    assert blank.status_code == 200
    assert not CalendarDay.objects.filter(date=dt.date(2025, 7, 12)).exists()

    change = reverse("admin:core_calendarday_change", args=[day.pk])
    with run_on_commit():
        admin_client_verified.post(change, {"date": "2025-07-05", "kind": "working_day", "description": "Ganti"})
    assert AuditLog.objects.filter(action="calendar_day.update").exists()

    changelist = reverse("admin:core_calendarday_changelist")
    with run_on_commit():
        response = admin_client_verified.post(
            changelist, {"action": "delete_through_service", "_selected_action": [day.pk]}
        )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditLog.objects.filter(action="calendar_day.delete").exists()
    assert not calendar.is_working_day(dt.date(2025, 7, 5))
