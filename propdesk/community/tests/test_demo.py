"""The demo company shows the community work: the care list with its visits, an activity with
sign-ups, a visit plan per building, last month's water cut and a typhoon warning, and birthday
greetings on in one community only; every row in its own community."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from propdesk.community.models import (
    Activity,
    ActivitySignup,
    BroadcastKind,
    CareCall,
    CareResident,
    CareVisit,
    GreetingSetting,
    Incident,
    IncidentStatus,
    OwnerVisit,
    OwnerVisitPlan,
    WarningStatus,
    WeatherWarning,
)
from propdesk.community.services.greetings import greetings_enabled
from propdesk.estates.demo import load_demo
from propdesk.estates.models import Building, Community

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_NOW = datetime.datetime(2026, 12, 9, 15, 30, tzinfo=SHANGHAI)


def test_the_demo_has_the_community_work_of_each_community(db):
    with time_machine.travel(DEMO_NOW, tick=False):
        load_demo(houses_per_community=24, request_days=10)
    hy, jh = Community.objects.order_by("id")
    for community, residents in ((hy, 3), (jh, 2)):
        care = CareResident.objects.filter(community=community)
        assert care.count() == residents
        assert not care.exclude(house__community=community).exists()
        visits = CareVisit.objects.filter(community=community)
        assert set(visits.values_list("resident", flat=True)) == set(
            care.values_list("id", flat=True)
        )
        assert all(r.last_visit_on and r.next_visit_on > r.last_visit_on for r in care)
        activity = Activity.objects.get(community=community)
        assert activity.starts_at > DEMO_NOW
        signups = ActivitySignup.objects.filter(activity=activity)
        assert signups.exists() and not signups.exclude(house__community=community).exists()
        assert activity.confirmed_people == sum(s.people for s in signups)
        buildings = Building.objects.filter(community=community)
        plans = OwnerVisitPlan.objects.filter(community=community)
        assert set(plans.values_list("building", flat=True)) == set(
            buildings.values_list("id", flat=True)
        )
        made = OwnerVisit.objects.filter(community=community)
        assert made.exists() and not made.exclude(house__community=community).exists()
        assert plans.filter(last_visit_on__isnull=False).exists()
    incident = Incident.objects.get()
    assert incident.community == hy and incident.status == IncidentStatus.CLOSED
    assert incident.opened_at < incident.restored_at < incident.closed_at < DEMO_NOW
    assert incident.number.startswith("HY-YJ2026-")
    assert list(incident.broadcasts.values_list("kind", flat=True)) == [
        BroadcastKind.OPENED,
        BroadcastKind.RESTORED,
    ]
    assert incident.broadcasts.filter(recipients__gt=0, delivered_at__isnull=False).count() == 2
    assert not incident.tasks.filter(done_at__isnull=True).exists()
    entries = list(incident.entries.values_list("at", flat=True))
    assert entries == sorted(entries) and entries[-1] == incident.closed_at
    warning = WeatherWarning.objects.get()
    assert warning.community == hy and warning.status == WarningStatus.SENT
    assert warning.sent_at < DEMO_NOW
    calls = CareCall.objects.filter(source=f"warning:{warning.pk}")
    assert calls.count() == 3 and not calls.exclude(community=hy).exists()
    assert not calls.filter(done_at__isnull=True).exists()
    assert greetings_enabled(hy) and not greetings_enabled(jh)
    assert GreetingSetting.objects.count() == 2
