"""core.access: one mechanism for row-level access, tested on memberships, agencies and the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404

from kotapintar.agencies.models import Agency, Membership
from kotapintar.core import access
from kotapintar.core.models import AuditLog
from kotapintar.testing.agencies import make_member, make_staff


def _users(memberships):
    return {m.user.full_name for m in memberships}


@pytest.fixture
def people(agency, other_agency, officer, agency_head, other_officer):
    """DPU: Budi (officer), Siti (head), Lama (ended membership). DLH: Agus (officer)."""
    former = make_staff(role="agency", full_name="Lama Pensiun")
    make_member(former, agency, "officer", is_active=False)
    return {"former": former}


def test_role_of():
    assert access.role_of(None) == access.ANONYMOUS
    assert access.role_of(AnonymousUser()) == access.ANONYMOUS


def test_role_of_accounts(db, citizen, verifier, leadership, officer, city_admin, admin_user):
    assert [access.role_of(u) for u in (citizen, verifier, leadership, officer, city_admin)] == [
        "citizen",
        "verifier",
        "leadership",
        "agency",
        "admin",
    ]
    admin_user.role = "citizen"  # a superuser counts as an administrator whatever its role
    assert access.role_of(admin_user) == access.ADMIN
    officer.is_active = False
    assert access.role_of(officer) == access.ANONYMOUS


def test_memberships_visible_to_self(people, officer, other_officer):
    visible = access.scope(Membership.objects.all(), officer)
    # Own membership and the active colleagues; not the ended membership, not another agency.
    assert _users(visible) == {"Budi Petugas", "Siti Kepala"}
    assert _users(access.scope(Membership.objects.all(), other_officer)) == {"Agus Petugas DLH"}


def test_agency_head_sees_own_agencys_memberships(people, agency_head):
    assert _users(access.scope(Membership.objects.all(), agency_head)) == {
        "Budi Petugas",
        "Siti Kepala",
        "Lama Pensiun",
    }


def test_former_member_still_sees_own_membership_only(people):
    assert _users(access.scope(Membership.objects.all(), people["former"])) == {"Lama Pensiun"}


def test_admin_and_leadership_see_all_memberships(people, city_admin, leadership, admin_user):
    for user in (city_admin, leadership, admin_user):
        assert access.scope(Membership.objects.all(), user).count() == 4


def test_residents_verifiers_and_visitors_see_no_membership(people, citizen, verifier):
    for user in (citizen, verifier, AnonymousUser(), None):
        assert not access.scope(Membership.objects.all(), user).exists()


def test_get_object_or_404_answers_hidden_like_missing(people, other_officer, officer):
    colleague = Membership.objects.get(user__full_name="Siti Kepala")
    assert access.get_object_or_404(Membership.objects.all(), officer, pk=colleague.pk) == colleague
    assert access.get_object_or_404(Membership, officer, pk=colleague.pk) == colleague
    for pk in (colleague.pk, 999_999, "not-a-number"):
        with pytest.raises(Http404):
            access.get_object_or_404(Membership.objects.all(), other_officer, pk=pk)


def test_can_checks_one_object(people, officer, other_officer, agency):
    membership = Membership.objects.get(user=officer)
    assert access.can(officer, membership) is True
    assert access.can(other_officer, membership) is False
    assert access.can(officer, Membership(user=officer, agency=agency)) is False  # unsaved
    assert access.can(officer, agency, "view_members") is True
    assert access.can(other_officer, agency, "view_members") is False


def test_agencies_public_but_inactive_ones_for_admins(agency, other_agency, citizen, city_admin):
    other_agency.is_active = False
    other_agency.save()
    assert list(access.scope(Agency.objects.all(), None)) == [agency]
    assert list(access.scope(Agency.objects.all(), citizen)) == [agency]
    assert set(access.scope(Agency.objects.all(), city_admin)) == {agency, other_agency}
    assert not access.scope(Agency.objects.all(), citizen, "view_members").exists()


def test_memberships_of_inactive_agency_give_no_access(officer, agency, city_admin):
    assert access.agency_ids(officer) == {agency.pk}
    agency.is_active = False
    agency.save()
    fresh = type(officer).objects.get(pk=officer.pk)  # the next request's user object
    assert access.agency_ids(fresh) == frozenset()
    assert access.headed_agency_ids(fresh) == frozenset()


def test_agency_ids_are_cached_on_the_user_object(officer, agency_head, agency, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert access.agency_ids(agency_head) == {agency.pk}
        assert access.headed_agency_ids(agency_head) == {agency.pk}
        assert access.agency_ids(agency_head) == {agency.pk}
    assert access.headed_agency_ids(officer) == frozenset()
    access.forget(agency_head)
    with django_assert_num_queries(1):
        access.agency_ids(agency_head)


def test_model_without_policy_is_denied_to_everybody(db, admin_user, city_admin):
    Group.objects.create(name="anything")
    for user in (admin_user, city_admin, None):
        assert not access.scope(Group.objects.all(), user).exists()
    with pytest.raises(Http404):
        access.get_object_or_404(Group.objects.all(), admin_user, name="anything")


def test_action_a_policy_does_not_list_is_denied(people, city_admin):
    assert access.scope(Membership.objects.all(), city_admin).exists()
    assert not access.scope(Membership.objects.all(), city_admin, "delete").exists()
    assert not access.scope(AuditLog.objects.all(), city_admin, "change").exists()


def test_a_policy_must_return_a_queryset_of_its_model(monkeypatch, db, city_admin):
    class Broken(access.Policy):
        def admin(self, qs, user, action):
            return list(qs)

    monkeypatch.setitem(access._registry, Group, Broken())
    with pytest.raises(TypeError):
        access.scope(Group.objects.all(), city_admin)


def test_base_policy_denies_every_role(db, citizen, verifier, leadership, officer, city_admin, monkeypatch):
    monkeypatch.setitem(access._registry, Group, access.Policy())
    Group.objects.create(name="anything")
    for user in (None, citizen, verifier, leadership, officer, city_admin):
        assert not access.scope(Group.objects.all(), user).exists()


def _audit_row(agency_id, label):
    return AuditLog.objects.create(action="test.change", object_label=label, agency_id=agency_id)


def test_audit_log_scope(agency, other_agency, officer, agency_head, other_officer, city_admin, leadership, citizen):
    _audit_row(agency.pk, "row of DPU")
    _audit_row(other_agency.pk, "row of DLH")
    _audit_row(None, "platform row")

    def labels(user):
        return set(access.scope(AuditLog.objects.all(), user).values_list("object_label", flat=True))

    assert labels(officer) == labels(agency_head) == {"row of DPU"}
    assert labels(other_officer) == {"row of DLH"}
    assert labels(city_admin) == {"row of DPU", "row of DLH", "platform row"}
    assert labels(leadership) == labels(citizen) == labels(None) == set()
