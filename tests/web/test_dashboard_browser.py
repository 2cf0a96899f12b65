"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright).

The app runs under uvicorn on 127.0.0.1 over the filled world (a launch stream replayed through
the pipeline, a dead letter, source health). Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import pytest

from alerts.web import create_app
from tests.web.conftest import ARTIFACTS, World
from tests.web.server import serve

pytestmark = pytest.mark.integration

TOKEN = "browser-token"  # noqa: S105
KP_TITLE = "KP FIRES class=ICBM count=2"


def test_dashboard_shows_the_stream_and_replays_a_dead_letter(world: World, browser) -> None:
    from playwright.sync_api import expect

    app = create_app(world.rt, enqueue_delivery=world.enqueue)
    with serve(app) as base_url:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base_url + "/")

        expect(page).to_have_title("missile-alerts")
        expect(page.locator("#events h3").get_by_role("link", name=KP_TITLE)).to_be_visible()
        expect(page.locator("#events")).to_contain_text('<script>alert("x")</script>')
        expect(page.locator("#timeline circle")).to_have_count(2)
        expect(page.locator("#sources")).to_contain_text("unhealthy")
        assert dialogs == []  # the hostile title ran nothing
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        letter = page.locator("tr.letter", has_text=world.letter.alert_key)
        expect(letter).to_have_count(1)
        letter.get_by_role("button", name="Replay").click()

        expect(page.locator("#notice")).to_contain_text("Requeued")
        expect(page.locator("tr.letter")).to_have_count(0)
        assert world.enqueued == [(world.letter.alert_key, world.destination_id)]
        assert world.rt.deadletters.count() == 0
        page.close()


def test_dashboard_fits_a_phone_and_needs_signing_in(world: World, browser) -> None:
    """With a token the dashboard asks for it first; the cookie it keeps is not the token."""
    from playwright.sync_api import expect

    app = create_app(world.rt, token=TOKEN, enqueue_delivery=world.enqueue)
    with serve(app) as base_url:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(base_url + "/")
        expect(page).to_have_url(base_url + "/login")
        expect(page.locator("#events")).to_have_count(0)
        page.get_by_label("Token").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#notice")).to_contain_text("not the configured token")
        assert context.cookies() == []

        page.get_by_label("Token").fill(TOKEN)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#events h3").get_by_role("link", name=KP_TITLE)).to_be_visible()
        (cookie,) = context.cookies()
        assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
        assert TOKEN not in cookie["value"]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a phone screen"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)

        page.locator("tr.letter").get_by_role("button", name="Replay").click()
        expect(page.locator("#notice")).to_contain_text("Requeued")
        expect(page.locator("tr.letter")).to_have_count(0)
        assert world.enqueued == [(world.letter.alert_key, world.destination_id)]

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(base_url + "/login")
        assert context.cookies() == []
        context.close()
