"""Headless Chromium walks the main console and portal pages under the site's
Content-Security-Policy and fails on any violation (a `securitypolicyviolation` event or the
browser's console report) or script error; htmx, ECharts, Bootstrap and the page scripts still
work under it, and the API docs render from the site's own files."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=20_000)

CONSOLE_PAGES = [
    "/",
    "/houses/",
    "/requests/",
    "/requests/new/",
    "/requests/dashboard/",
    "/billing/",
    "/billing/dashboard/",
    "/billing/arrears/",
    "/billing/schedule/",
    "/frontdesk/",
    "/custody/",
    "/custody/gate/",
    "/notices/",
    "/exports/",
    "/accounts/tokens/",
    "/quality/",
    "/quality/calls/",
    "/quality/calls/figures/",
    "/quality/callbacks/",
    "/quality/surveys/",
    "/assistant/accuracy/",
    "/api/docs",
]
PORTAL_PAGES = [
    "/m/",
    "/m/bills/",
    "/m/requests/",
    "/m/requests/new/",
    "/m/notices/",
    "/m/profile/",
    "/m/surveys/",
    "/assistant/ask/",
]
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(90_000)  # a loaded CI machine renders the dashboards slowly
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    return page, problems


def _visit(page, problems, url):
    response = page.goto(url)
    assert response.status < 500, f"{url} answered {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__csp || []"))


def test_console_pages_work_under_the_policy(browser, live_server, world):
    page, problems = _signed_in(browser, live_server, world.personas["admin"])
    for path in CONSOLE_PAGES:
        _visit(page, problems, live_server.url + path)
    # ECharts draws from the static dashboard script.
    _visit(page, problems, live_server.url + "/billing/dashboard/")
    expect(page.locator("#chart-months canvas")).to_have_count(1)
    # htmx searches as the user types (its config allows no eval and no injected styles).
    _visit(page, problems, live_server.url + "/")
    page.get_by_test_id("search-box").fill("3-2")
    expect(page.locator("#search-results")).to_contain_text("1502")
    # Swagger UI renders the operations from the site's own files.
    _visit(page, problems, live_server.url + "/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    # A declared confirmation (data-confirm, no inline handler): dismissed, nothing changes.
    _visit(page, problems, live_server.url + f"/houses/{world.house.pk}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form[action$='/move-out/'] button").first.click()
    page.wait_for_timeout(300)
    assert asked and page.url.endswith(f"/houses/{world.house.pk}/")
    world.tenant.refresh_from_db()
    assert world.tenant.moved_out_on is None
    assert problems == []


def test_portal_pages_work_under_the_policy(browser, live_server, world):
    page, problems = _signed_in(browser, live_server, world.zhang)
    for path in PORTAL_PAGES:
        _visit(page, problems, live_server.url + path)
    # The page script brings the hotline forward for an emergency category.
    _visit(page, problems, live_server.url + "/m/requests/new/")
    form = page.get_by_test_id("request-form")
    emergency = form.get_attribute("data-emergency-categories").split(",")
    options = page.eval_on_selector_all(
        "select[name=category] option", "options => options.map(o => o.value)"
    )
    calm = next(value for value in options if value and value not in emergency)
    page.select_option("select[name=category]", calm)
    expect(page.locator("#hotline")).to_have_attribute("data-emergency", "no")
    page.select_option("select[name=category]", emergency[0])
    expect(page.locator("#hotline")).to_have_attribute("data-emergency", "yes")
    anonymous = browser.new_context()
    anonymous.add_init_script(WATCH)
    login = anonymous.new_page()
    login.set_default_timeout(90_000)
    _visit(login, problems, live_server.url + "/m/login/")
    _visit(login, problems, live_server.url + "/accounts/login/")
    assert problems == []
