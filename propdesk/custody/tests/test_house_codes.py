"""A release pass for a house whose code another community also uses: the link and the form carry
the house's id, the code offers both houses with their community, and the pass, the gate page
and the printed pass name the community. The guard reads the plate in full, logged; other roles
read it masked."""

import datetime
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.models import AccessLog
from propdesk.custody.models import ReleasePass
from propdesk.estates import services


@pytest.fixture
def twin(community_b, admin):
    building = services.building_create(actor=admin, community=community_b, number="3")
    house = services.house_create(
        actor=admin, building=building, unit_number="2", number="1502", floor=15, area_m2="90"
    )
    owner = services.owner_create(
        actor=admin, community=community_b, name="李四", mobile="13900001111"
    )
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return house, owner


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_code_offers_both_houses_with_their_community(world, twin, admin):
    body = client_for(admin).get(reverse("custody_pass_new") + "?code=3-2-1502").content.decode()
    assert body.count('data-testid="house-choice"') == 2
    assert "甲小区" in body and "乙小区" in body
    assert f"?house={twin[0].id}" in body and f"?house={world.house.id}" in body
    assert 'name="applicant"' not in body  # nothing chosen for the user


def test_a_pass_for_the_second_communitys_house(world, twin, admin):
    house, li_si = twin
    client = client_for(admin)
    form = client.get(reverse("custody_pass_new") + f"?house={house.id}").content.decode()
    assert "李四" in form and "张三" not in form and "乙小区" in form
    assert f'name="house" value="{house.id}"' in form
    response = client.post(
        reverse("custody_pass_new"),
        {
            "house": house.id,
            "applicant": f"owner:{li_si.id}",
            "items": "沙发一张",
            "release_on": "2026-07-10",
        },
    )
    assert response.status_code == 302
    release_pass = ReleasePass.objects.get(items="沙发一张")
    assert (release_pass.house_id, release_pass.community_id) == (house.id, house.community_id)
    assert release_pass.applicant_name == "李四"
    detail = client.get(reverse("custody_pass_detail", args=[release_pass.id])).content.decode()
    assert 'data-testid="pass-community">乙小区' in detail


def test_the_applicant_of_another_communitys_house_is_refused(world, twin, admin):
    _house, li_si = twin
    response = client_for(admin).post(
        reverse("custody_pass_new"),
        {
            "house": world.house.id,
            "applicant": f"owner:{li_si.id}",
            "items": "沙发一张",
            "release_on": "2026-07-10",
        },
    )
    assert response.status_code == 400
    assert not ReleasePass.objects.filter(items="沙发一张").exists()


def test_a_house_of_a_community_the_agent_does_not_work_in_is_not_found(world, twin, agent):
    response = client_for(agent).get(reverse("custody_pass_new") + f"?house={twin[0].id}")
    assert response.status_code == 404


def test_the_gate_shows_the_community_and_the_plate_in_full_to_the_guard(world, personas):
    from propdesk.custody.services.passes import release_pass_apply, release_pass_approve

    agent, guard = personas["agent"], personas["guard"]
    release_pass = release_pass_approve(
        actor=agent,
        release_pass=release_pass_apply(
            actor=agent,
            house=world.house,
            applicant=world.owner,
            items="冰箱",
            release_on=datetime.date(2026, 7, 10),
            vehicle_plate="粤B12345",
        ),
    )
    gate = client_for(guard).get(reverse("custody_gate") + f"?code={release_pass.code}")
    body = gate.content.decode()
    assert 'data-testid="pass-community">甲小区' in body
    assert 'data-testid="pass-plate">粤B12345' in body
    logged = AccessLog.objects.get(actor=guard, subject_id=release_pass.id)
    assert logged.field == "plate"
    # The agent's detail page and every list keep it masked.
    detail = client_for(agent).get(reverse("custody_pass_detail", args=[release_pass.id]))
    assert "粤B***45" in detail.content.decode() and "粤B12345" not in detail.content.decode()
    listed = client_for(guard).get(reverse("custody_passes")).content.decode()
    assert "粤B12345" not in listed


def test_the_printed_pass_names_the_community_and_the_plate(world, personas):
    from propdesk.custody.printing import pass_pdf

    text = _pdf_text(pass_pdf(world.approved))
    assert "甲小区" in text and "3-2-1502" in text


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def test_a_key_and_its_lending_form_name_the_community(world, personas):
    """Key labels such as K-3-2-1502 repeat in every community: the key's page and the form that
    lends it say which community's key it is."""
    client = client_for(personas["agent"])
    for url in (
        reverse("custody_key_detail", args=[world.key.id]),
        reverse("custody_key_lend", args=[world.key.id]) + "?purpose=owner",
    ):
        content = client.get(url).content.decode()
        assert f'data-testid="key-community">{world.community.name}<' in content, url
