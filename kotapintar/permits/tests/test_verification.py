import dataclasses
import datetime as dt

import pytest

from kotapintar.permits import qr
from kotapintar.permits.signing import generate_key, public_key_b64
from kotapintar.permits.verification import CheckReason, PermitStatus, check_token, permit_status


def test_authentic_token_gives_the_signed_claims(claims, signing_key):
    result = check_token(qr.make_token(claims))
    assert result.authentic and result.reason == CheckReason.OK
    assert result.claims == claims and result.kid == "2026a"


@pytest.mark.parametrize("garbage", ["", "x", "../../etc/passwd", "A" * 5000, "AQVkZXY"])
def test_garbage_is_not_authentic_and_does_not_raise(garbage):
    result = check_token(garbage)
    assert not result.authentic and result.reason == CheckReason.MALFORMED and result.claims is None


def test_token_from_another_instance_has_an_unknown_key(claims, settings):
    settings.PERMIT_SIGNING_KEYS = [{"kid": "other", "private_key": generate_key()}]
    token = qr.make_token(claims)
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": generate_key()}]
    result = check_token(token)
    assert not result.authentic and result.reason == CheckReason.UNKNOWN_KEY


def test_same_kid_but_different_key_is_a_bad_signature(claims, settings):
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": generate_key()}]
    token = qr.make_token(claims)
    other = generate_key()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": other}]
    result = check_token(token)
    assert not result.authentic and result.reason == CheckReason.BAD_SIGNATURE


def test_rotated_key_token_still_checks_out(claims, settings):
    old = generate_key()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2025a", "private_key": old}]
    token = qr.make_token(claims)
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": generate_key()}]
    settings.PERMIT_VERIFY_KEYS = [{"kid": "2025a", "public_key": public_key_b64(old)}]
    assert check_token(token).authentic


@pytest.mark.parametrize(
    ("today", "revoked_on", "status"),
    [
        (dt.date(2026, 11, 28), None, PermitStatus.NOT_YET_VALID),
        (dt.date(2026, 11, 29), None, PermitStatus.VALID),
        (dt.date(2027, 11, 28), None, PermitStatus.VALID),  # the last day still counts
        (dt.date(2027, 11, 29), None, PermitStatus.EXPIRED),
        (dt.date(2027, 1, 10), dt.date(2027, 1, 10), PermitStatus.REVOKED),
        (dt.date(2027, 1, 9), dt.date(2027, 1, 10), PermitStatus.VALID),  # revocation takes effect on its date
        (dt.date(2028, 1, 1), dt.date(2027, 1, 10), PermitStatus.REVOKED),  # revoked beats expired
    ],
)
def test_permit_status(claims, today, revoked_on, status):
    assert permit_status(claims, today=today, revoked_on=revoked_on) == status


def test_permit_without_end_date_never_expires(claims):
    forever = dataclasses.replace(claims, valid_until=None)
    assert permit_status(forever, today=dt.date(2099, 1, 1)) == PermitStatus.VALID


def test_status_defaults_to_today_in_jakarta(claims, time_machine):
    # 17:30 UTC on 28 November is already 29 November in WIB: the permit's first day.
    time_machine.move_to(dt.datetime(2026, 11, 28, 17, 30, tzinfo=dt.UTC))
    assert permit_status(claims) == PermitStatus.VALID
    time_machine.move_to(dt.datetime(2026, 11, 28, 16, 30, tzinfo=dt.UTC))
    assert permit_status(claims) == PermitStatus.NOT_YET_VALID
