"""The demo company loads through the services, once, with a login for every role."""

from propdesk.accounts.models import User
from propdesk.billing.models import Bill, Payment
from propdesk.core.models import AuditEvent
from propdesk.estates.demo import DEMO_PASSWORD, load_demo
from propdesk.estates.models import Community, House, Owner


def test_the_demo_company_loads_once_with_every_role(db):
    logins = load_demo(houses_per_community=24, request_days=10)
    assert set(logins) == {"admin", "supervisor", "agent", "engineer", "cashier", "guard", "owner"}
    assert set(logins.values()) == {DEMO_PASSWORD}
    assert list(Community.objects.values_list("code", flat=True)) == ["HY", "JH"]
    assert House.objects.count() == 48
    assert Owner.objects.count() >= 36  # every sold house has an owner
    assert User.objects.get(username="agent").check_password(DEMO_PASSWORD)
    assert AuditEvent.objects.filter(action="create", object_type="house").count() == 48
    assert Bill.objects.exists() and Payment.objects.exists()  # a year of fees
    houses_before = House.objects.count()
    load_demo(houses_per_community=24, request_days=10)  # a second run changes nothing
    assert House.objects.count() == houses_before
