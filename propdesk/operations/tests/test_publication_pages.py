"""Fee transparency pages: who sees them, preparing with spending entered and imported after a
check naming the bad rows, the second person's review, and the owners' portal pages."""

import pytest
import time_machine
from django.test import Client

from propdesk.notices.models import Announcement
from propdesk.operations.models import FeePublication, PublicationLine, PublicationStatus
from propdesk.operations.services import publication as service
from propdesk.operations.tests.conftest import at, workbook

pytestmark = pytest.mark.django_db

ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner"]
MANAGERS = {"supervisor", "admin"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(personas, community_a):
    with time_machine.travel(at("2026-08-10 12:00"), tick=False):
        return service.publication_prepare(
            actor=personas["supervisor"],
            community=community_a,
            period_from="2026-07",
            period_to="2026-07",
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["list", "detail"])
def test_pages_for_role(personas, draft, role, page):
    url = {"list": "/operations/publications/", "detail": f"/operations/publications/{draft.id}/"}
    response = client_for(personas[role]).get(url[page])
    assert response.status_code == (200 if role in MANAGERS else 403)
    if response.status_code == 200:
        assert "2026-07" in response.content.decode()


def test_another_communitys_supervisor_gets_a_404(draft, community_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    other = client_for(make_user("sup_b", Role.SUPERVISOR, community_b))
    assert other.get(f"/operations/publications/{draft.id}/").status_code == 404
    response = other.post(
        f"/operations/publications/{draft.id}/spending/", {"category": "保洁", "amount": "1"}
    )
    assert response.status_code == 404
    assert not PublicationLine.objects.exists()


def test_prepare_enter_check_import_submit_and_review(personas, community_a, second):
    preparer = client_for(personas["supervisor"])
    with time_machine.travel(at("2026-08-10 12:00"), tick=False):
        bad = preparer.post(
            "/operations/publications/new/",
            {"community": community_a.id, "period_from": "2026-7", "period_to": "2026-07"},
        )
        assert bad.status_code == 400 and 'data-field-error="period_from"' in bad.content.decode()
        made = preparer.post(
            "/operations/publications/new/",
            {"community": community_a.id, "period_from": "2026-07", "period_to": "2026-07"},
        )
    assert made.status_code == 302
    base = made["Location"]
    refused = preparer.post(f"{base}spending/", {"category": "保洁", "amount": "1.005"})
    assert refused.status_code == 400 and 'data-field-error="amount"' in refused.content.decode()
    assert (
        preparer.post(f"{base}spending/", {"category": "保洁", "amount": "120"}).status_code == 302
    )
    check = preparer.post(
        f"{base}import/",
        {"file": workbook([["类别", "金额"], ["绿化", "x"], ["电费", 80]]), "dry_run": "on"},
    )
    body = check.content.decode()
    assert check.status_code == 400 and 'data-testid="bad-row"' in body and "2" in body
    assert PublicationLine.objects.filter(kind="spending").count() == 1
    done = preparer.post(f"{base}import/", {"file": workbook([["类别", "金额"], ["电费", 80]])})
    assert done.status_code == 302
    assert preparer.post(f"{base}submit/").status_code == 302
    # The preparer is not offered the review and is refused it.
    page = preparer.get(base).content.decode()
    assert 'data-testid="review-form"' not in page
    assert preparer.post(f"{base}review/", {"decision": "publish"}).status_code == 403
    reviewer = client_for(second)
    assert 'data-testid="review-form"' in reviewer.get(base).content.decode()
    assert reviewer.post(f"{base}review/", {"decision": "maybe"}).status_code == 400
    assert reviewer.post(f"{base}review/", {"decision": "publish"}).status_code == 302
    publication = FeePublication.objects.get()
    assert (publication.status, publication.spending_fen) == (PublicationStatus.PUBLISHED, 20000)
    assert Announcement.objects.filter(status="published").count() == 1
    # Published: no form changes it any more.
    late = preparer.post(f"{base}spending/", {"category": "x", "amount": "1"})
    assert late.status_code == 400 and PublicationLine.objects.filter(kind="spending").count() == 2


def test_owners_read_the_published_figures_on_the_portal(
    personas,
    draft,
    second,
    owner_account,  # noqa: F811
):
    service.spending_add(
        actor=personas["supervisor"], publication=draft, category="保洁", amount="120"
    )
    owner = client_for(owner_account)
    assert owner.get("/m/fees/published/").status_code == 200
    assert owner.get(f"/m/fees/published/{draft.id}/").status_code == 404  # not published
    service.publication_submit(actor=personas["supervisor"], publication=draft)
    service.publication_review(actor=second, publication=draft, approve=True)
    listing = owner.get("/m/fees/published/").content.decode()
    assert "¥120.00" in listing
    detail = owner.get(f"/m/fees/published/{draft.id}/").content.decode()
    assert "保洁" in detail and "¥120.00" in detail
    assert client_for(personas["agent"]).get("/m/fees/published/").status_code != 200
    assert "/m/fees/published/" in owner.get("/m/").content.decode()
