"""Console pages of service requests: every page renders for the roles that use it, refuses the
others, posts through the services, and the queues run a fixed number of queries."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.models import ExportJob
from propdesk.tickets import services
from propdesk.tickets.models import ServiceRequest
from propdesk.tickets.tests.conftest import new_request, photo, snapshot


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filed(desk, make_request):
    return make_request(photos=[photo()])


@pytest.mark.parametrize(
    "queue", ["mine", "department", "unassigned", "due_soon", "overdue", "follow_up", "all"]
)
def test_each_queue_renders(desk, filed, queue):
    response = client_for(desk.agent).get(reverse("request_queue"), {"queue": queue})
    assert response.status_code == 200
    assert response.context["queue"] == queue


def test_the_desk_starts_on_the_unassigned_queue_and_technicians_on_their_own(desk, filed):
    assert client_for(desk.agent).get(reverse("request_queue")).context["queue"] == "unassigned"
    assert client_for(desk.technician).get(reverse("request_queue")).context["queue"] == "mine"


def test_the_queue_filters_and_searches(desk, filed, make_request):
    make_request(kind="complaint", category="noise", description="楼上深夜装修噪音")
    client = client_for(desk.agent)
    page = client.get(reverse("request_queue"), {"queue": "all", "q": "噪音"}).context["page"]
    assert [r.description for r in page.items] == ["楼上深夜装修噪音"]
    page = client.get(reverse("request_queue"), {"queue": "all", "category": "repair_water"})
    assert [r.number for r in page.context["page"].items] == [filed.number]
    partial = client.get(reverse("request_queue"), {"queue": "all"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"queue-table" in partial.content


def test_a_search_without_words_says_so(desk, filed):
    response = client_for(desk.agent).get(reverse("request_queue"), {"queue": "all", "q": "漏"})
    assert response.status_code == 400
    assert response.context["error"]


@pytest.fixture
def many(desk, make_request):
    for n in range(30):
        make_request(description=f"第{n}号楼道灯不亮", category="repair_electric")
    for n in range(5):
        new_request(desk.other_agent, desk.house_b, description=f"车库积水{n}")


@pytest.mark.parametrize(
    ("queue", "params"),
    [
        ("unassigned", {}),
        ("all", {}),
        ("all", {"q": "楼道"}),
        ("mine", {}),
        ("department", {}),
        ("overdue", {}),
        ("due_soon", {}),
        ("follow_up", {}),
        ("all", {"category": "repair_electric", "kind": "repair", "status": "new"}),
    ],
)
def test_a_queue_page_runs_a_fixed_number_of_queries(
    desk, many, django_assert_max_num_queries, queue, params
):
    client = client_for(desk.agent)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("request_queue"), {"queue": queue, **params})
    assert response.status_code == 200


def test_the_second_page_follows_the_first(desk, many):
    client = client_for(desk.agent)
    first = client.get(reverse("request_queue"), {"queue": "unassigned"}).context["page"]
    second = client.get(
        reverse("request_queue"), {"queue": "unassigned", "cursor": first.next_cursor}
    ).context["page"]
    numbers = [r.number for r in first.items] + [r.number for r in second.items]
    assert len(numbers) == len(set(numbers)) == 30
    assert second.next_cursor is None


def test_the_intake_page_and_the_caller_card(desk, filed):
    client = client_for(desk.agent)
    assert client.get(reverse("request_intake")).status_code == 200
    card = client.get(reverse("request_caller_lookup"), {"q": "13812345678"})
    assert card.status_code == 200
    assert "3-2-1502" in card.content.decode()
    assert filed.number in card.content.decode()
    assert "138****5678" in card.content.decode()
    assert "13812345678" not in card.content.decode()


def test_a_new_call_starts_with_no_kind_chosen(desk):
    page = client_for(desk.agent).get(reverse("request_intake"))
    form = page.context["form"]
    assert form["kind"].value() is None
    kinds = [value for value, _label in form.fields["kind"].choices]
    assert kinds[0] == "" and {"complaint", "repair", "inquiry"} <= set(kinds)
    body = page.content.decode()
    select = body[body.index('name="kind"') : body.index("</select>", body.index('name="kind"'))]
    assert '<option value="" selected>' in select
    assert 'value="complaint" selected' not in select


def test_the_duplicate_hint_offers_to_link_the_call(desk, filed):
    response = client_for(desk.agent).get(
        reverse("request_duplicates"), {"house": desk.house.id, "category": "repair_water"}
    )
    assert filed.number in response.content.decode()
    assert b"link-call" in response.content


def test_recording_a_call_from_the_intake_form(desk):
    response = client_for(desk.agent).post(
        reverse("request_intake"),
        {
            "house": desk.house.id,
            "caller_owner": desk.owner.id,
            "kind": "repair",
            "category": "repair_water",
            "urgency": "normal",
            "channel": "phone",
            "description": "主卧卫生间漏水",
            "photos": [photo()],
        },
    )
    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=[created.id])
    assert (created.caller_name, created.photos.count()) == ("张三", 1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"house": ""}, "house"),
        ({"category": "nonsense"}, "category"),
        ({"description": ""}, "description"),
        ({"caller_mobile": "123"}, "caller_mobile"),
        ({"photos": [photo("x.png", b"%PDF-1.4")]}, "photos"),
        ({"house": 999999}, "house"),
        ({"kind": ""}, "kind"),
    ],
)
def test_the_intake_form_shows_errors_on_their_fields_and_writes_nothing(desk, values, field):
    fields = {
        "house": desk.house.id,
        "kind": "repair",
        "category": "repair_water",
        "urgency": "normal",
        "channel": "phone",
        "description": "漏水",
        **values,
    }
    before = snapshot()
    response = client_for(desk.agent).post(reverse("request_intake"), fields)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'data-field-error="{field}"' in response.content.decode()
    assert snapshot() == before


def test_the_workbench_shows_the_actions_of_my_role(desk, filed):
    agent_page = client_for(desk.agent).get(reverse("request_detail", args=[filed.id]))
    assert agent_page.status_code == 200
    content = agent_page.content.decode()
    assert 'data-testid="step-accept"' in content and 'data-testid="dispatch-form"' in content
    assert 'data-testid="phrase"' in content
    assert "A2026000001" in content  # filled into the confirmation phrase
    guard_page = client_for(desk.guard).get(reverse("request_detail", args=[filed.id]))
    assert 'data-testid="actions"' not in guard_page.content.decode()


def test_the_workbench_runs_a_fixed_number_of_queries(desk, filed, django_assert_max_num_queries):
    for n in range(5):
        services.note_add(actor=desk.agent, request=filed, text=f"记录{n}", photos=[photo()])
    client = client_for(desk.agent)
    # 20: one of them asks the community app for incidents under way at the house, one reads
    # the solutions proposed to the owner.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("request_detail", args=[filed.id]))
    assert response.status_code == 200


def test_steps_post_through_the_services(desk, filed):
    client = client_for(desk.agent)
    response = client.post(
        reverse("request_step", args=[filed.id, "dispatch"]),
        {"assignee": desk.technician.id, "note": "请尽快"},
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.assignee) == ("dispatched", desk.technician)
    tech = client_for(desk.technician)
    tech.post(reverse("request_step", args=[filed.id, "start"]))
    tech.post(
        reverse("request_step", args=[filed.id, "resolve"]),
        {"note": "已更换", "photos": [photo("done.png")]},
    )
    filed.refresh_from_db()
    assert filed.status == "resolved"
    client.post(reverse("request_follow_up", args=[filed.id]), {"satisfaction": 2, "via": "phone"})
    filed.refresh_from_db()
    assert (filed.status, filed.reopen_count) == ("dispatched", 1)


def test_an_illegal_step_is_shown_as_a_message_with_nothing_changed(desk, filed):
    before = snapshot()
    response = client_for(desk.agent).post(
        reverse("request_step", args=[filed.id, "close"]), follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot() == before


def test_a_step_refused_to_my_role_changes_nothing(desk, filed):
    before = snapshot()
    response = client_for(desk.cashier).post(reverse("request_step", args=[filed.id, "accept"]))
    assert response.status_code in (302, 403)
    assert snapshot() == before


def test_notes_costs_and_calls_from_the_workbench(desk, filed):
    client = client_for(desk.agent)
    client.post(reverse("request_note", args=[filed.id]), {"text": "已联系业主"})
    client.post(
        reverse("request_cost", args=[filed.id]),
        {"item": "更换地漏", "amount": "35", "payer": "owner"},
    )
    cost = filed.costs.get()
    client.post(
        reverse("request_cost_decide", args=[filed.id, cost.id]),
        {"confirmed": "yes", "via": "phone"},
    )
    client.post(reverse("request_link_call", args=[filed.id]), {"note": "业主再次来电"})
    cost.refresh_from_db()
    assert cost.state == "confirmed"
    assert list(filed.events.order_by("id").values_list("action", flat=True)) == [
        "created",
        "note",
        "cost_proposed",
        "cost_decided",
        "call_linked",
    ]


def test_another_community_sees_no_workbench(desk, filed):
    assert (
        client_for(desk.other_agent).get(reverse("request_detail", args=[filed.id])).status_code
        == 404
    )
    response = client_for(desk.other_agent).post(reverse("request_step", args=[filed.id, "accept"]))
    assert response.status_code == 404


def test_photos_are_served_only_to_those_who_see_the_request(desk, filed):
    photo_id = filed.photos.get().id
    url = reverse("request_photo", args=[filed.id, photo_id])
    assert client_for(desk.technician).get(url).status_code == 200
    assert client_for(desk.other_agent).get(url).status_code == 404


def test_the_dashboard_and_its_export(desk, filed, django_capture_on_commit_callbacks):
    client = client_for(desk.supervisor)
    page = client.get(reverse("request_dashboard"))
    assert page.status_code == 200
    assert b"echarts.min.js" in page.content and b"dashboard-data" in page.content
    assert b'data-testid="dashboard-export"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("request_dashboard_export"), {"month": "2026-03"})
    job = ExportJob.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("export_detail", args=[job.id])
    assert job.title == "2026-03 工单（全部小区）"
    progress = client.get(asked["Location"])
    assert progress.status_code == 200 and b'data-status="done"' in progress.content
    export = client.get(reverse("export_download", args=[job.id]))
    assert export["Content-Disposition"] == 'attachment; filename="requests-2026-03.xlsx"'
    book = openpyxl.load_workbook(filename=io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][0] == filed.number
    assert len(rows) == 2


def test_the_export_of_one_community(desk, filed, django_capture_on_commit_callbacks):
    client = client_for(desk.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("request_dashboard_export"),
            {"month": "2026-03", "community": filed.community_id},
        )
    job = ExportJob.objects.get()
    assert job.params == {"month": "2026-03", "community": filed.community_id}
    assert job.status == ExportJob.Status.DONE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2026-13"}, "请按 YYYY-MM 格式填写月份。"),
        ({}, "请按 YYYY-MM 格式填写月份。"),
        ({"month": "2026-03", "community": "abc"}, "请选择小区。"),
        ({"month": "2026-03", "community": "9" * 40}, "请选择小区。"),
        ({"month": "<script>alert(1)</script>"}, "请按 YYYY-MM 格式填写月份。"),
    ],
)
def test_a_bad_export_request_says_why_and_queues_nothing(desk, data, message):
    response = client_for(desk.supervisor).post(
        reverse("request_dashboard_export"), data, follow=True
    )
    assert response.status_code == 200
    assert message in [str(m) for m in response.context["messages"]]
    assert not ExportJob.objects.exists()


def test_the_export_of_another_community_is_not_found(desk, community_b):
    response = client_for(desk.supervisor).post(
        reverse("request_dashboard_export"), {"month": "2026-03", "community": community_b.id}
    )
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_the_export_is_asked_for_with_a_post(desk):
    response = client_for(desk.supervisor).get(reverse("request_dashboard_export"))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard"])
def test_the_dashboard_is_refused_to_other_roles(desk, role):
    client = client_for(getattr(desk, role))
    assert client.get(reverse("request_dashboard")).status_code == 403
    response = client.post(reverse("request_dashboard_export"), {"month": "2026-03"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_owners_and_strangers_are_kept_out_of_the_console(desk, filed):
    owner = client_for(desk.owner_user)
    assert owner.get(reverse("request_queue")).status_code == 403
    assert owner.get(reverse("request_detail", args=[filed.id])).status_code == 403
    anonymous = Client().get(reverse("request_queue"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_owners_are_sent_to_the_owner_pages_from_every_staff_page(desk, filed):
    owner = client_for(desk.owner_user)
    for path in ("/requests/mine/", reverse("request_queue"), reverse("request_dashboard")):
        response = owner.get(path)
        assert response.status_code == 403
        assert "/m/" in response.content.decode()
    # The console's home sends an owner on to the owner portal (with a sentence saying why).
    home = owner.get("/")
    assert (home.status_code, home["Location"]) == (302, reverse("portal:home"))
    assert owner.get(reverse("portal:request", args=[filed.id])).status_code == 200


def test_the_navigation_links_to_the_requests(desk):
    content = client_for(desk.guard).get(reverse("request_queue")).content.decode()
    assert f'href="{reverse("request_queue")}"' in content
