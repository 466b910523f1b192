"""System checks that stop a misconfigured instance at start-up instead of at the first request."""

from __future__ import annotations

from kotapintar.core.checks import check_throttle_rates


def test_the_shipped_throttle_rates_pass():
    assert check_throttle_rates(None) == []


def test_a_malformed_rate_is_named(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "abc/min", "user": "600/min", "auth": "10/week"},
    }
    settings.OPEN311_THROTTLE_RATES = {"read": "300", "write": "60/m"}
    problems = check_throttle_rates(None)
    assert {p.id for p in problems} == {"kotapintar.E002"}
    assert sorted(p.msg.split(" ")[0] for p in problems) == [
        "API_THROTTLE_ANON",
        "API_THROTTLE_AUTH",
        "OPEN311_THROTTLE_READ",
    ]
