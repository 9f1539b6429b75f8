"""What a person stumbled on at the request workbench: cancelling asked nothing before a request
was gone for good, and the cost form's three boxes had no names."""

import re

from django.test import Client
from django.urls import reverse


def _page(user, request_id) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("request_detail", args=[request_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_cancelling_a_request_asks_before_it_is_done(desk, make_request):
    content = _page(desk.agent, make_request().id)
    form = re.search(r'<form [^>]*>(?:(?!</form>).)*data-testid="step-cancel"', content, re.S)
    assert form, "the cancel step is offered"
    assert re.search(r'<form [^>]*data-confirm="取消这张工单？', form.group(0))
    accept = re.search(r'<form [^>]*>(?:(?!</form>).)*data-testid="step-accept"', content, re.S)
    assert "data-confirm" not in accept.group(0)  # only the step that cannot be undone asks


def test_the_cost_form_names_each_field(desk, make_request):
    content = _page(desk.agent, make_request().id)
    form = re.search(r'data-testid="cost-form".*?</form>', content, re.S).group(0)
    for field, label in (("item", "项目"), ("amount", "金额（元）"), ("payer", "承担方")):
        assert re.search(rf'<label for="id_{field}"[^>]*>{label}', form), field


def test_the_dispatch_form_says_what_choosing_nobody_means(desk, make_request):
    content = _page(desk.agent, make_request().id)
    form = re.search(r'data-testid="dispatch-form".*?</form>', content, re.S).group(0)
    assignee = re.search(r'<select name="assignee".*?</select>', form, re.S).group(0)
    first = re.search(r"<option[^>]*>([^<]*)</option>", assignee).group(1)
    assert first == "不指定，部门接单"
    assert "---------" not in form


def test_a_closed_request_offers_no_phrases_to_insert(desk, make_request):
    from propdesk.tickets import services

    item = make_request()
    assert 'data-testid="phrases"' in _page(desk.agent, item.id)  # an open one does
    services.request_transition(actor=desk.agent, request=item, action="cancel", note="重复登记")
    content = _page(desk.agent, item.id)
    assert 'data-testid="phrases"' not in content  # nowhere to insert them: no note form
    assert 'data-testid="suggested-replies"' not in content


def test_the_dispatch_form_lists_people_under_their_department(desk, make_request):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    elsewhere = make_user("tech_b", Role.TECHNICIAN, desk.community_b)
    elsewhere.department = desk.departments["engineering"]
    elsewhere.save(update_fields=["department"])
    item = make_request()  # a leak: routed to engineering
    assert item.department.code == "engineering"
    content = _page(desk.agent, item.id)
    form = re.search(r'data-testid="dispatch-form".*?</form>', content, re.S).group(0)
    assignee = re.search(r'<select name="assignee".*?</select>', form, re.S).group(0)
    groups = [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", options))
        for label, options in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', assignee, re.S
        )
    ]
    names = {user.username: user.display_name for user in (desk.technician, desk.tech2)}
    names |= {user.username: user.display_name for user in (desk.agent, desk.supervisor)}
    # The department the request is routed to comes first; only the request's community.
    assert groups == [
        ("工程部", [names["technician"], names["tech2"]]),
        ("客服部", [names["agent"], names["supervisor"]]),
    ]  # not the engineer of the other community
