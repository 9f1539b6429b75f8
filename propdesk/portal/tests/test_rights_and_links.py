"""Rights by relation, fee visibility grants, and link requests verified by the desk."""

import datetime

import pytest

from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.estates.models import Owner, Resident
from propdesk.portal import access
from propdesk.portal.models import FeeGrant, LinkRequest
from propdesk.portal.services import links
from propdesk.portal.tests.conftest import WANG, ZHAO

pytestmark = pytest.mark.django_db


def rights(user):
    access.forget_rights(user)
    return {(r.house.code, r.relation, r.sees_fees) for r in access.house_rights(user)}


def test_each_person_sees_their_house_with_rights_by_relation(world):
    assert rights(world.zhang) == {("3-2-1502", "owner", True)}
    assert rights(world.li) == {("1-1-101", "owner", True)}
    assert rights(world.wang) == {("3-2-1502", "tenant", False)}
    assert rights(world.zhao) == {("3-2-1502", "agent", False)}
    assert rights(world.stranger) == set()


def test_staff_accounts_have_no_portal_houses(world):
    assert access.house_rights(world.personas["agent"]) == []
    assert access.house_rights(world.personas["admin"]) == []


def test_a_tenant_sees_fees_only_after_the_owner_grants_it(world):
    with pytest.raises(PermissionDenied):
        access.fee_right_for(world.wang, world.house.pk)
    grant = links.fee_grant_add(actor=world.zhang, house_id=world.house.pk, mobile=WANG)
    assert rights(world.wang) == {("3-2-1502", "tenant", True)}
    assert access.bill_for_owner(world.wang, world.bill.pk) == world.bill
    links.fee_grant_revoke(actor=world.zhang, house_id=world.house.pk, grant_id=grant.pk)
    assert rights(world.wang) == {("3-2-1502", "tenant", False)}
    with pytest.raises(NotFound):
        access.bill_for_owner(world.wang, world.bill.pk)


def test_only_an_owner_grants_and_only_to_tenants_or_agents(world):
    with pytest.raises(NotFound):
        links.fee_grant_add(actor=world.wang, house_id=world.house.pk, mobile=ZHAO)
    with pytest.raises(NotFound):
        links.fee_grant_add(actor=world.li, house_id=world.house.pk, mobile=WANG)
    with pytest.raises(ValidationFailed) as error:
        links.fee_grant_add(actor=world.zhang, house_id=world.house.pk, mobile="13500000005")
    assert error.value.field == "mobile"
    assert not FeeGrant.objects.exists()


def test_granting_twice_keeps_one_grant(world):
    first = links.fee_grant_add(actor=world.zhang, house_id=world.house.pk, mobile=ZHAO)
    again = links.fee_grant_add(actor=world.zhang, house_id=world.house.pk, mobile=ZHAO)
    assert first == again and FeeGrant.objects.count() == 1


def test_a_moved_out_tenant_loses_the_house(world, admin):
    from propdesk.estates.services.people import resident_move_out

    resident_move_out(actor=admin, resident=world.tenant, moved_out_on=datetime.date(2026, 7, 10))
    assert rights(world.wang) == set()


def test_a_stranger_asks_to_be_linked_and_the_desk_adds_them_as_family(world, agent):
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="family", name="张小三", note="儿子"
    )
    assert asked.status == "pending" and asked.community_id == world.community.pk
    approved = links.link_request_approve(actor=agent, link_request=asked, note="户口本已核对")
    assert approved.status == "approved" and approved.decided_by == agent
    resident = Resident.objects.get(name="张小三")
    assert (resident.mobile, resident.relation) == ("13500000005", "family")
    assert rights(world.stranger) == {("3-2-1502", "family", True)}
    with pytest.raises(Conflict):
        links.link_request_approve(actor=agent, link_request=asked)


def test_an_owner_with_a_new_number_is_linked_to_the_archive_record(world, agent, admin):
    Owner.objects.filter(pk=world.zhang_san.pk).update(user=None)
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="owner", name="张三"
    )
    with pytest.raises(ValidationFailed) as error:
        links.link_request_approve(actor=agent, link_request=asked)
    assert error.value.field == "owner"
    links.link_request_approve(actor=agent, link_request=asked, owner=world.zhang_san)
    assert Owner.objects.get(pk=world.zhang_san.pk).user == world.stranger
    assert rights(world.stranger) == {("3-2-1502", "owner", True)}


def test_a_tenant_link_needs_the_lease(world, agent):
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="tenant", name="钱七"
    )
    with pytest.raises(ValidationFailed):
        links.link_request_approve(actor=agent, link_request=asked)
    links.link_request_approve(
        actor=agent,
        link_request=asked,
        lease_start=datetime.date(2026, 7, 1),
        lease_end=datetime.date(2027, 6, 30),
    )
    assert rights(world.stranger) == {("3-2-1502", "tenant", False)}


@pytest.mark.parametrize("who", ["technician", "cashier", "guard", "owner", "other_agent"])
def test_only_the_desk_of_the_community_verifies(world, who):
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="family", name="张小三"
    )
    with pytest.raises(PermissionDenied):
        links.link_request_approve(actor=world.personas[who], link_request=asked)
    with pytest.raises(PermissionDenied):
        links.link_request_reject(actor=world.personas[who], link_request=asked, note="不符")
    assert LinkRequest.objects.get().status == "pending"
    assert not Resident.objects.filter(name="张小三").exists()


def test_a_rejection_needs_a_reason_and_links_nothing(world, agent):
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="family", name="张小三"
    )
    with pytest.raises(ValidationFailed) as error:
        links.link_request_reject(actor=agent, link_request=asked, note="")
    assert error.value.field == "note"
    links.link_request_reject(actor=agent, link_request=asked, note="材料不全")
    assert LinkRequest.objects.get().status == "rejected"
    assert rights(world.stranger) == set()


def test_it_refuses_asking_twice_or_for_a_linked_house(world):
    links.link_request_create(actor=world.stranger, house=world.house, relation="family", name="甲")
    with pytest.raises(Conflict):
        links.link_request_create(
            actor=world.stranger, house=world.house, relation="family", name="甲"
        )
    with pytest.raises(Conflict):
        links.link_request_create(
            actor=world.zhang, house=world.house, relation="owner", name="张三"
        )
    with pytest.raises(ValidationFailed) as error:
        links.link_request_create(
            actor=world.stranger, house=world.house_b, relation="boss", name="甲"
        )
    assert error.value.field == "relation"
    assert LinkRequest.objects.count() == 1


def test_house_find_by_code(world):
    assert links.house_find(community_id=world.community.pk, code="3-2-1502") == world.house
    for community_id, code in ((world.community_b.pk, "3-2-1502"), ("x", "3-2-1502"), (1, "")):
        with pytest.raises((NotFound, ValidationFailed)):
            links.house_find(community_id=community_id, code=code)
