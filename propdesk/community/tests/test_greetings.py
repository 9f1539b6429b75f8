"""Birthday greetings: from the birth date in a valid resident ID number, once per person and
year, no personal data in the text, through the template and quiet hours; opt-out per person."""

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community.models import BirthdayGreeting, GreetingOptOut
from propdesk.community.services import greetings as service
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.estates.models import Owner, Resident

BORN_0710 = "110105198007100012"
BORN_0229 = "110105199202290020"
RESIDENT_0710 = "110105197007100034"
LI_SI_0710 = "110105198507100043"


@pytest.fixture
def birthdays(neighbours, owner_a, admin):
    """张三 (account, quiet hours on) and 李四 (no account) born on 10 July; 赵六 (resident)
    born on 10 July too; 王五 born on 29 February."""
    Owner.objects.filter(name="张三").update(id_number=BORN_0710)
    Owner.objects.filter(name="李四").update(id_number=LI_SI_0710)
    Owner.objects.filter(name="王五").update(id_number=BORN_0229)
    Resident.objects.filter(name="赵六").update(id_number=RESIDENT_0710)
    return neighbours


def greeted():
    return sorted(
        OutboxMessage.objects.filter(event="greeting.birthday").values_list("channel", "recipient")
    )


def test_todays_birthdays_are_greeted_once_by_the_template_without_a_name(birthdays, clock):
    clock.move_to(at("2026-07-10 09:00"))
    assert service.birthday_greetings_send() == 3
    assert greeted() == [
        ("in_app", "owner"),
        ("sms", "13700000001"),
        ("sms", "13700000003"),
        ("sms", "13812345678"),
    ]
    for message in OutboxMessage.objects.filter(event="greeting.birthday"):
        assert "生日快乐" in message.body
        for private in ("张三", "李四", "赵六", "1980", "0710", "3-2-1502"):
            assert private not in message.body and private not in message.subject
    assert service.birthday_greetings_send() == 0
    clock.move_to(at("2026-07-10 18:00"))
    assert service.birthday_greetings_send() == 0
    assert BirthdayGreeting.objects.filter(year=2026).count() == 3


def test_nothing_is_sent_before_the_greeting_hour(birthdays, clock):
    clock.move_to(at("2026-07-10 08:59"))
    assert service.birthday_greetings_send() == 0
    assert greeted() == []


def test_an_sms_to_an_account_owner_waits_for_the_end_of_quiet_hours(birthdays, clock):
    clock.move_to(at("2026-07-10 23:30"))
    service.birthday_greetings_send()
    sms = OutboxMessage.objects.get(event="greeting.birthday", recipient="13812345678")
    assert sms.next_attempt_at == at("2026-07-11 08:00")


def test_the_29th_of_february_is_greeted_on_the_28th_in_other_years(birthdays, clock):
    clock.move_to(at("2027-02-28 10:00"))
    assert service.birthday_greetings_send() == 1
    assert greeted() == [("in_app", "wangwu"), ("sms", "13700000002")]


def test_a_person_who_opted_out_is_not_greeted(birthdays, agent, clock):
    li_si = Owner.objects.get(name="李四")
    assert service.greeting_opt_out_set(actor=agent, owner=li_si, opted_out=True) is True
    clock.move_to(at("2026-07-10 09:00"))
    assert service.birthday_greetings_send() == 2
    assert ("sms", "13700000001") not in greeted()


def test_the_owner_opts_out_of_their_own_greetings(birthdays, owner_a, clock):
    assert service.greeting_opt_out_mine(actor=owner_a, opted_out=True) is True
    clock.move_to(at("2026-07-10 09:00"))
    service.birthday_greetings_send()
    assert ("in_app", "owner") not in greeted()
    assert service.greeting_opt_out_mine(actor=owner_a, opted_out=False) is False
    assert GreetingOptOut.objects.count() == 0


def test_opting_out_needs_an_id_number_and_the_right(birthdays, agent, personas, nothing_changes):
    qian = Owner.objects.get(name="钱七")
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        service.greeting_opt_out_set(actor=agent, owner=qian, opted_out=True)
    assert (refused.value.code, refused.value.field) == ("no_id_number", "owner")
    li_si = Owner.objects.get(name="李四")
    for role in ("technician", "other_agent"):
        with nothing_changes(), pytest.raises(PermissionDenied):
            service.greeting_opt_out_set(actor=personas[role], owner=li_si, opted_out=True)
    with nothing_changes(), pytest.raises(PermissionDenied):
        service.greeting_opt_out_mine(actor=agent, opted_out=True)


def test_an_invalid_id_number_gives_no_birthday(birthdays, clock):
    Owner.objects.filter(name="李四").update(id_number="110105198007100018")  # bad checksum
    clock.move_to(at("2026-07-10 09:00"))
    assert service.birthday_greetings_send() == 2


@pytest.mark.parametrize("role", ROLES)
def test_the_opt_out_endpoint_for_role(api, birthdays, role):
    li_si = Owner.objects.get(name="李四")
    before = community_snapshot()
    response = api.post(
        role, "/api/community/greetings/opt-outs", {"owner": li_si.id, "opted_out": True}
    )
    expected = {"agent": 200, "supervisor": 200, "admin": 200, "other_agent": 404}.get(
        role, 401 if role == "anonymous" else 403
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json() == {"opted_out": True}
    else:
        assert community_snapshot() == before


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"owner": 999999, "opted_out": True}, "owner", 404),
        ({"resident": 999999, "opted_out": True}, "resident", 404),
        ({"opted_out": True}, "owner", 400),
        ({"owner": "x", "opted_out": True}, "owner", 422),
        ({"owner": 1}, "opted_out", 422),
    ],
)
def test_a_bad_opt_out_names_the_field(api, birthdays, body, field, status):
    before = community_snapshot()
    response = api.post("agent", "/api/community/greetings/opt-outs", body)
    assert response.status_code == status, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


def test_the_owner_turns_greetings_off_through_the_api(api, birthdays, clock):
    response = api.client("owner").put(
        "/api/community/my/greetings", '{"opted_out": true}', content_type="application/json"
    )
    assert (response.status_code, response.json()) == (200, {"opted_out": True})
    refused = api.client("agent").put(
        "/api/community/my/greetings", '{"opted_out": true}', content_type="application/json"
    )
    assert refused.status_code == 403
