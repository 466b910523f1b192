"""The state machine table, and what a wrong step answers."""

from __future__ import annotations

import pytest

from kotapintar.core.errors import InvalidTransition
from kotapintar.reports import services
from kotapintar.reports.models import FINAL_STATUSES, TRANSITIONS, Report, Status, can_transition


def test_every_status_has_a_row_and_targets_are_known_statuses():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (Status.SUBMITTED, Status.VERIFIED, True),
        (Status.SUBMITTED, Status.SET_ASIDE, True),
        (Status.SUBMITTED, Status.RESOLVED, False),
        (Status.VERIFIED, Status.DISPOSITIONED, True),
        (Status.DISPOSITIONED, Status.IN_PROGRESS, True),
        (Status.DISPOSITIONED, Status.CLOSED, False),
        (Status.IN_PROGRESS, Status.RESOLVED, True),
        (Status.RESOLVED, Status.CLOSED, True),
        (Status.RESOLVED, Status.IN_PROGRESS, True),  # reopened
        (Status.CLOSED, Status.IN_PROGRESS, True),  # reopened within the window
        (Status.CLOSED, Status.RESOLVED, False),
        (Status.SET_ASIDE, Status.VERIFIED, False),
        (Status.MERGED, Status.IN_PROGRESS, False),
    ],
)
def test_transition_table(source, target, allowed):
    assert can_transition(source, target) is allowed


def test_set_aside_and_merged_are_dead_ends():
    assert TRANSITIONS[Status.SET_ASIDE] == frozenset()
    assert TRANSITIONS[Status.MERGED] == frozenset()
    assert Status.CLOSED in FINAL_STATUSES


def test_resolving_a_report_still_awaiting_verification_is_refused_in_indonesian(make_report, verifier):
    report = make_report()
    with pytest.raises(InvalidTransition) as caught:
        services.report_resolve(actor=verifier, report=report, text="Sudah beres.")
    assert "Menunggu verifikasi" in caught.value.message or "menunggu verifikasi" in caught.value.message.lower()
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_confirming_twice_is_refused(make_report):
    report = make_report(status="closed")
    with pytest.raises(InvalidTransition):
        services.report_confirm(report=report, token=report.tracking_token)
