"""The bar fits the person (every app's entries together): residents and visitors see the
city's services; staff see their desks; personal entries sit in the account menu."""

from __future__ import annotations

import pytest

from kotapintar.core import navigation
from kotapintar.testing.agencies import make_member, make_staff

pytestmark = pytest.mark.django_db


def _keys(user, menu=navigation.MAIN_MENU) -> list[str]:
    return [item.key for item in navigation.items_for(user, menu)]


def test_a_visitor_sees_the_services_and_no_desk():
    bar = _keys(None)
    assert {"reports.create", "reports.public", "portal.services", "permits.catalogue", "regions"} <= set(bar)
    assert not [k for k in bar if "staff" in k or "queue" in k]
    assert _keys(None, navigation.USER_MENU) == []


def test_a_resident_has_the_same_bar_and_their_own_things_in_the_account_menu(make_user):
    resident = make_user()
    assert _keys(resident) == _keys(None)
    assert _keys(resident, navigation.USER_MENU) == ["portal.mine", "reports.mine", "permits.mine"]


def test_an_agency_officer_sees_the_desks_not_the_residents_entries():
    from kotapintar.agencies.models import Agency

    officer = make_staff(role="agency")
    make_member(officer, Agency.objects.create(code="DPU", name="Dinas Pekerjaan Umum"), "officer")
    bar = _keys(officer)
    assert {"core.staff_home", "reports.staff_inbox", "permits.queue", "reports.public"} <= set(bar)
    assert not {"reports.create", "portal.services", "permits.catalogue", "regions"} & set(bar)
    assert len(bar) <= 6  # fits one line of the bar on a laptop
