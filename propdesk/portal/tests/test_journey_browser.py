"""Browser journey on a phone-sized screen (390×844) in headless Debian Chromium: 张三 signs in
with the SMS code (read from the outbox), reports a leak with a photo, sees it passed to the
engineering department after the desk dispatches it, rates the repair 5/5 after it is resolved,
pays the July bill through the sandbox provider and downloads the receipt."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from propdesk.core.models import OutboxMessage
from propdesk.portal.models import LinkRequest
from propdesk.portal.services import links
from propdesk.portal.tests.conftest import ZHANG, jpeg
from propdesk.tickets.models import ServiceRequest
from propdesk.tickets.services import transitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    page.screenshot(path=str(path / f"portal-{name}.png"), full_page=True)


def test_an_owner_reports_a_leak_rates_it_and_pays_on_the_phone(page, live_server, world, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url

    # Sign in with the code the SMS carries.
    page.goto(f"{base}/m/")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.fill("#id_mobile", ZHANG)
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("message")).to_be_visible()
    body = OutboxMessage.objects.filter(recipient=ZHANG, channel="sms").latest("id").body
    code = re.search(r"\d{6}", body).group(0)
    page.fill("#id_code", code)
    _shot(page, "1-sign-in")
    page.get_by_test_id("code-sign-in").click()
    expect(page.get_by_test_id("house-card")).to_contain_text("3-2-1502")
    _shot(page, "2-home")

    # Report a leak with a photo.
    page.get_by_test_id("new-request").first.click()
    form = page.get_by_test_id("request-form")
    form.locator("[name=kind]").select_option("repair")
    form.locator("[name=category]").select_option("repair_water")
    expect(page.get_by_test_id("hotline")).to_have_attribute("data-emergency", "yes")
    form.locator("[name=description]").fill("卫生间天花板漏水，楼上渗下来的")
    picture = tmp_path / "leak.jpg"
    picture.write_bytes(jpeg(2400, 1800))
    page.set_input_files("#id_photos", str(picture))
    _shot(page, "3-new-request")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "new")
    request = ServiceRequest.objects.get()
    assert request.channel == "portal" and request.photos.count() == 1
    expect(page.get_by_test_id("timeline")).to_contain_text(request.number)

    # The desk dispatches it: the owner sees to whom.
    personas = world.personas
    engineering = personas["technician"].department
    transitions.request_dispatch(
        actor=personas["agent"],
        request=request,
        department=engineering,
        assignee=personas["technician"],
    )
    page.reload()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "dispatched")
    expect(page.get_by_test_id("timeline")).to_contain_text("工程部")
    expect(page.get_by_test_id("expected")).to_be_visible()
    _shot(page, "4-dispatched")

    # Resolved on site; the owner rates it 5.
    transitions.request_start(actor=personas["technician"], request=request)
    transitions.request_resolve(actor=personas["technician"], request=request, note="已更换密封圈")
    page.reload()
    rating = page.get_by_test_id("rating-form")
    expect(rating).to_be_visible()
    rating.locator("input[name=satisfaction][value='5']").check()
    rating.locator("[name=comment]").fill("师傅很快")
    _shot(page, "5-rate")
    page.get_by_test_id("rate").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "closed")
    request.refresh_from_db()
    assert request.satisfaction == 5

    # Pay the July bill in the sandbox and download the receipt.
    page.goto(f"{base}/m/bills/")
    expect(page.get_by_test_id("unpaid-total")).to_contain_text(f"{world.bill.amount:,.2f}")
    _shot(page, "6-bills")
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("sandbox-amount")).to_contain_text(f"{world.bill.amount:,.2f}")
    _shot(page, "7-sandbox")
    page.get_by_test_id("sandbox-pay").click()
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "paid")
    _shot(page, "8-paid")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-receipt").click()
    pdf = tmp_path / "receipt.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "3-2-1502" in text
    page.goto(f"{base}/m/bills/")
    expect(page.get_by_test_id("unpaid-total")).to_contain_text("0.00")
    expect(page.get_by_test_id("receipt-link")).to_be_visible()

    # Accessibility: readable contrast, and usable at 200 % zoom (half the CSS width) without
    # sideways scrolling.
    for path in ("/m/", "/m/requests/new/", f"/m/requests/{request.pk}/", "/m/bills/"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}{path}")
        assert page.evaluate(LOW_CONTRAST) == [], (path, page.evaluate(LOW_CONTRAST))
        assert page.evaluate(UNLABELLED_INPUTS) == [], (path, page.evaluate(UNLABELLED_INPUTS))
        page.set_viewport_size({"width": 195, "height": 422})
        assert page.evaluate(TOO_WIDE) == [], path
    page.set_viewport_size({"width": 195, "height": 422})
    page.goto(f"{base}/m/requests/new/")
    _shot(page, "9-zoom-200")

    # The other owner pages, for the eye.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (
        ("10-requests", "/m/requests/"),
        ("11-house", f"/m/houses/{world.house.pk}/"),
        ("12-link", "/m/link/"),
        ("13-password", "/m/password/"),
    ):
        page.goto(f"{base}{path}")
        assert page.evaluate(LOW_CONTRAST) == [], (path, page.evaluate(LOW_CONTRAST))
        assert page.evaluate(UNLABELLED_INPUTS) == [], (path, page.evaluate(UNLABELLED_INPUTS))
        _shot(page, name)

    # The desk verifies a link request on the console (desktop size).
    links.link_request_create(
        actor=world.stranger, house=world.house, relation="family", name="张小三", note="儿子"
    )
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "pw-agent")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_visible()
    page.goto(f"{base}/m/staff/link-requests/")
    expect(page.get_by_test_id("link-requests")).to_contain_text("张小三")
    _shot(page, "14-staff-link-requests")
    page.get_by_test_id("link-requests").get_by_role("link").first.click()
    page.locator("input[name=decision][value=approve]").check()
    page.once("dialog", lambda dialog: dialog.accept())
    _shot(page, "15-staff-link-request")
    page.get_by_test_id("decide").click()
    page.wait_for_url(f"{base}/m/staff/link-requests/")
    assert LinkRequest.objects.get().status == "approved"


# Text elements whose colour against the nearest opaque background is below 4.5:1 (WCAG AA).
LOW_CONTRAST = """
(() => {
  function rgb(s) { const m = s.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; }
  function lum([r, g, b]) {
    const f = c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0.9) return c;
    }
    return [255, 255, 255];
  }
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const skip = ".visually-hidden, .visually-hidden-focusable, option, select, input, textarea";
    if (!own || !el.offsetParent || el.closest(skip)) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < 4.5) bad.push(el.tagName + ": " + text + " " + ratio.toFixed(2));
  }
  return bad;
})()
"""

# Elements that stick out to the right of the window (a sideways scroll at 200 % zoom).
TOO_WIDE = """
(() => [...document.querySelectorAll("body *")]
  .filter(el => el.offsetParent && el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName + "." + el.className + "#" + el.id))()
"""

# Visible form controls without a label (or aria-label).
UNLABELLED_INPUTS = """
(() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
  .map(el => el.name))()
"""
