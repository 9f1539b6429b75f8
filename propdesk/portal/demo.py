"""Demo data of the owner portal, built on the demo registry through the portal's services.

A few owners of each community get their portal account (as their first sign-in makes it) and
the demo password, so they sign in at /m/login/ with the mobile and either the password or a
code (the SMS is in the outbox). One owner shares the fees with the tenant of the house, and one
person not in the registry waits for the desk to verify the link to a house.
"""

from django.contrib.auth.hashers import make_password

from propdesk.accounts.models import User
from propdesk.estates.models import House, Owner, Resident
from propdesk.portal import access
from propdesk.portal.models import LinkRequest
from propdesk.portal.services import links
from propdesk.portal.services.signin import account_for_mobile

DEMO_PASSWORD = "demo1234"  # noqa: S105 — demo installs only, as the staff demo logins
STRANGER_MOBILE = "13900009999"


def load_demo_portal(*, communities, per_community: int = 2) -> list[User]:
    """Make `per_community` owners of each community able to sign in; return their accounts."""
    accounts: list[User] = []
    password = make_password(DEMO_PASSWORD)  # one hash for all: each costs most of a second
    for community in communities:
        owners = (
            Owner.objects.filter(
                community=community, user__isnull=True, ownerships__end_on__isnull=True
            )
            .exclude(mobile="")
            .order_by("id")
            .distinct()[:per_community]
        )
        for owner in owners:
            user = account_for_mobile(owner.mobile)
            user.last_name = owner.name[:1]
            user.first_name = owner.name[1:]
            user.password = password
            user.save(update_fields=["last_name", "first_name", "password"])
            accounts.append(user)
    _share_fees_with_a_tenant(accounts)
    _pending_link_request(communities)
    return accounts


def _share_fees_with_a_tenant(accounts: list[User]) -> None:
    for user in accounts:
        for right in access.house_rights(user):
            tenant = (
                Resident.objects.filter(
                    house=right.house, relation="tenant", moved_out_on__isnull=True
                )
                .exclude(mobile="")
                .first()
            )
            if tenant is not None and right.is_owner:
                links.fee_grant_add(actor=user, house_id=right.house.pk, mobile=tenant.mobile)
                return


def _pending_link_request(communities) -> None:
    house = House.objects.filter(community__in=list(communities)).order_by("id").first()
    if house is None:
        return
    stranger = account_for_mobile(STRANGER_MOBILE)
    if LinkRequest.objects.filter(user=stranger).exists():
        return
    links.link_request_create(
        actor=stranger,
        house=house,
        relation="family",
        name="李小雨",
        note="业主的女儿，新换的手机号",
    )
