"""The notification outbox: written with the change, sent after commit, retried, never twice."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kotapintar.core import selectors
from kotapintar.core.models import AuditLog, Notification
from kotapintar.core.notifications import deliver, flush_due, notification_resend, notify
from kotapintar.core.notifications.backends import BaseBackend, DeliveryError

pytestmark = pytest.mark.django_db
Status = Notification.Status


class FlakyBackend(BaseBackend):
    """Fails `failures` times, then sends; counts the sends (class state, reset per test)."""

    failures = 0
    sent: list[int] = []
    on_send = None

    def send(self, notification) -> None:
        if FlakyBackend.on_send is not None:
            FlakyBackend.on_send(notification)
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise DeliveryError("gateway timeout")
        FlakyBackend.sent.append(notification.pk)


class CrashingBackend(BaseBackend):
    def send(self, notification) -> None:
        raise RuntimeError("bug in the gateway client")


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "email": f"{__name__}.FlakyBackend",
    }
    FlakyBackend.failures, FlakyBackend.sent, FlakyBackend.on_send = 0, [], None
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.sent, FlakyBackend.on_send = 0, [], None


def _email(resident, key="report:1:verified", **extra):
    return notify(
        channels=["email"],
        kind="report.verified",
        subject="Laporan Anda diverifikasi",
        body="Laporan #1 sudah diverifikasi.",
        dedupe_key=key,
        recipient=resident,
        url="https://kota.example/laporan/1/",
        **extra,
    )


def test_email_is_sent_through_django_mail_only_after_commit(resident, run_on_commit):
    with run_on_commit():
        (row,) = _email(resident)
        assert row.status == Status.PENDING
        assert mail.outbox == []  # nothing leaves before the change is committed
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject == "Laporan Anda diverifikasi"
    assert "https://kota.example/laporan/1/" in message.body


def test_relative_links_in_email_are_made_absolute(resident, run_on_commit, settings):
    settings.SITE_URL = "https://lapor.semarangkota.go.id"
    with run_on_commit():
        notify(
            channels=["email"],
            kind="k",
            subject="s",
            body="b",
            dedupe_key="rel",
            recipient=resident,
            url="/laporan/7/",
        )
    assert "https://lapor.semarangkota.go.id/laporan/7/" in mail.outbox[0].body


def test_rows_roll_back_with_a_failed_transaction(resident, run_on_commit):
    with run_on_commit() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notify(
            channels=["email", "inbox"],
            kind="x",
            subject="s",
            body="b",
            dedupe_key="will-roll-back",
            recipient=resident,
        )
        raise RuntimeError("the service failed after notifying")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_same_dedupe_key_queues_nothing_new(resident, run_on_commit):
    with run_on_commit():
        first = _email(resident, key="permit:9:approved")
    with run_on_commit() as callbacks:
        again = _email(resident, key="permit:9:approved")
    assert len(first) == 1
    assert again == []
    assert callbacks == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_long_dedupe_keys_that_share_a_prefix_stay_distinct(resident):
    base = "x" * 250
    notify(channels=["inbox"], kind="k", subject="a", body="a", dedupe_key=base + "1", recipient=resident)
    notify(channels=["inbox"], kind="k", subject="b", body="b", dedupe_key=base + "2", recipient=resident)
    assert Notification.objects.count() == 2


def test_inbox_rows_are_visible_at_once(resident, run_on_commit):
    with run_on_commit() as callbacks:
        (row,) = notify(
            channels=["inbox"], kind="k", subject="Halo", body="Isi", dedupe_key="inbox:1", recipient=resident
        )
    assert callbacks == []  # nothing to send: storing the row is the delivery
    assert row.status == Status.SENT
    assert list(selectors.inbox_for(resident)) == [row]
    assert selectors.unread_count(resident) == 1


def test_channels_without_address_or_inactive_accounts_are_skipped(make_user):
    no_phone = make_user(phone=None)
    rows = notify(channels=["sms", "inbox"], kind="k", subject="s", body="b", dedupe_key="a", recipient=no_phone)
    assert [r.channel for r in rows] == ["inbox"]
    gone = make_user(is_active=False)
    assert notify(channels=["email", "inbox"], kind="k", subject="s", body="b", dedupe_key="b", recipient=gone) == []
    with pytest.raises(ValueError):
        notify(channels=["pigeon"], kind="k", subject="s", body="b", dedupe_key="c", recipient=no_phone)


def test_whatsapp_goes_to_the_phone_through_the_configured_backend(make_user, run_on_commit, caplog):
    person = make_user(phone="+6281234567890")
    with caplog.at_level(logging.INFO, logger="kotapintar.notifications"), run_on_commit():
        (row,) = notify(channels=["whatsapp"], kind="k", subject="Info", body="Isi", dedupe_key="wa", recipient=person)
    row.refresh_from_db()
    assert row.address == "+6281234567890"
    assert row.status == Status.SENT
    assert "+6281234567890" in caplog.text


def test_failing_backend_backs_off_then_flush_retries_until_sent(resident, flaky, run_on_commit):
    flaky.failures = 2
    start = timezone.now()
    with run_on_commit():
        (row,) = _email(resident)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == 1
    assert row.last_error == "gateway timeout"
    first_wait = row.next_attempt_at - start
    assert first_wait > dt.timedelta(seconds=30)

    assert flush_due() == 0  # not due yet: the backoff is respected
    row.refresh_from_db()
    assert row.attempts == 1

    with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert flush_due() == 0
        retried_at = timezone.now()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert row.next_attempt_at - retried_at > first_wait  # the wait grows

    with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert flush_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert flaky.sent == [row.pk]


def test_gives_up_after_max_attempts(resident, flaky, settings, run_on_commit):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    flaky.failures = 100
    with run_on_commit():
        (row,) = _email(resident)
    for _ in range(5):
        row.refresh_from_db()
        with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=False):
            flush_due()
    row.refresh_from_db()
    assert row.status == Status.DEAD
    assert row.attempts == 3
    assert flaky.sent == []


def test_a_crashing_backend_is_a_failure_not_a_lost_message(resident, settings, run_on_commit):
    settings.NOTIFICATION_BACKENDS = {**settings.NOTIFICATION_BACKENDS, "email": f"{__name__}.CrashingBackend"}
    with run_on_commit():
        (row,) = _email(resident)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "RuntimeError" in row.last_error


def test_two_deliveries_of_the_same_message_send_it_once(resident, flaky):
    (row,) = _email(resident)  # no commit callbacks run: we play the two workers by hand
    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    assert flaky.sent == [row.pk]


def test_a_worker_racing_during_the_send_cannot_claim_it(resident, flaky):
    (row,) = _email(resident)
    raced: list[bool] = []
    # While the first worker is inside send(), a second worker tries the same row.
    flaky.on_send = lambda n: raced.append(deliver(n.pk))
    assert deliver(row.pk) is True
    assert raced == [False]
    assert flaky.sent == [row.pk]


def test_message_stuck_in_sending_is_not_sent_twice(resident, flaky):
    (row,) = _email(resident)
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=1)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        assert flush_due() == 0
    row.refresh_from_db()
    assert row.status == Status.DEAD
    assert flaky.sent == []


def test_resend_of_a_dead_message_is_audited_and_delivered(resident, superadmin, flaky, run_on_commit):
    (row,) = _email(resident)
    Notification.objects.filter(pk=row.pk).update(status=Status.DEAD, attempts=6, last_error="gateway down")
    with run_on_commit():
        assert notification_resend(actor=superadmin, notification=row) is True
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    audit = AuditLog.objects.get(action="notification.resend")
    assert audit.actor == superadmin
    assert audit.before["status"] == "dead"
    # A sent message is never sent again.
    with run_on_commit():
        assert notification_resend(actor=superadmin, notification=row) is False
    assert flaky.sent == [row.pk]


def test_admin_lists_the_outbox_and_sends_failed_ones_again(
    admin_client_verified, resident, superadmin, flaky, run_on_commit
):
    (failed,) = _email(resident, key="a")
    (sent,) = _email(resident, key="b")
    Notification.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=2)
    Notification.objects.filter(pk=sent.pk).update(status=Status.SENT, attempts=1)
    url = reverse("admin:core_notification_changelist")
    page = admin_client_verified.get(url, {"status__exact": "failed"})
    assert page.status_code == 200
    assert "Laporan Anda diverifikasi" in page.content.decode()
    assert admin_client_verified.get(reverse("admin:core_notification_add")).status_code == 403
    with run_on_commit():
        response = admin_client_verified.post(
            url, {"action": "send_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert flaky.sent == [failed.pk]
    assert AuditLog.objects.filter(action="notification.resend", actor=superadmin).count() == 1
