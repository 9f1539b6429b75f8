"""Portal accounts have opaque usernames (owner-…): staff read them by the person's name from
the registry once linked, else as a resident with a masked mobile — never the username."""

from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils import translation

from propdesk.accounts.models import Role, User
from propdesk.estates.models import Owner
from propdesk.portal.services import links, signin
from propdesk.portal.tests.conftest import LI, ZHANG


def test_signing_in_with_an_owners_mobile_names_the_account_after_the_owner(zhang_san):
    account = signin.account_for_mobile(ZHANG)
    assert account.username.startswith("owner-")
    assert str(account) == "张三" == account.display_name
    assert User.objects.get(pk=account.pk).display_name == "张三"


def test_an_unlinked_account_reads_as_a_resident_with_a_masked_mobile(db):
    account = signin.account_for_mobile("13500000005")
    with translation.override("zh-hans"):
        assert str(account) == "住户 135****0005"
    with translation.override("en"):
        assert str(account) == "Resident 135****0005"
    assert "owner-" not in str(account)


def test_a_named_account_keeps_its_name_when_linked(zhang_san):
    account = User.objects.create_user("owner-abc", role=Role.OWNER, mobile=ZHANG, last_name="张")
    Owner.objects.filter(pk=zhang_san.pk).update(user=None)
    assert signin.link_owner_account(account, zhang_san)
    account.refresh_from_db()
    assert (account.last_name, account.first_name) == ("张", "")


def test_a_record_linked_to_another_account_is_not_taken(world):
    assert not signin.link_owner_account(world.stranger, world.zhang_san)
    assert Owner.objects.get(pk=world.zhang_san.pk).user == world.zhang
    world.stranger.refresh_from_db()
    assert world.stranger.first_name == ""


def test_the_desk_linking_an_owner_names_the_account(world, agent):
    Owner.objects.filter(pk=world.zhang_san.pk).update(user=None)
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="owner", name="张三丰"
    )
    links.link_request_approve(actor=agent, link_request=asked, owner=world.zhang_san)
    world.stranger.refresh_from_db()
    assert world.stranger.display_name == "张三"  # the registry's name, not the one typed


def test_the_desk_linking_family_names_the_account_after_the_resident(world, agent):
    asked = links.link_request_create(
        actor=world.stranger, house=world.house, relation="family", name="张小三"
    )
    links.link_request_approve(actor=agent, link_request=asked)
    world.stranger.refresh_from_db()
    assert world.stranger.display_name == "张小三"


def test_the_house_history_names_the_owner_not_the_account(world, client, admin):
    client.force_login(admin)
    with translation.override("zh-hans"):
        body = client.get(reverse("house_detail", args=[world.house_b.id])).content.decode()
    history = body[body.index('data-testid="history-event"') :]
    assert "李四" in history
    assert world.li.username not in body and "owner-" not in history


def test_the_migration_names_linked_unnamed_accounts(zhang_san):
    account = signin.account_for_mobile(ZHANG)
    User.objects.filter(pk=account.pk).update(first_name="")
    named = User.objects.create_user("owner-named", role=Role.OWNER, mobile=LI, first_name="阿四")
    li_si = Owner.objects.create(community=zhang_san.community, name="李四", mobile=LI, user=named)
    staff = User.objects.create_user("agent-x", role=Role.AGENT)
    migration = import_module("propdesk.accounts.migrations.0004_owner_accounts_named")
    migration.owner_accounts_named(apps, None)
    assert User.objects.get(pk=account.pk).first_name == "张三"
    assert User.objects.get(pk=named.pk).first_name == "阿四" and li_si.user_id == named.pk
    assert User.objects.get(pk=staff.pk).first_name == ""
