"""The dashboard's flight map in a real headless Chromium (Debian's package, via Playwright).

Two launch reports go through the real pipeline into the session's redis-server: one states a
launch site (in Korean, as the detector copies it from Yonhap) and a landing area, one neither.
The map must show for the first only: visible, with coastlines, the launch point, the flight
line and Japan's EEZ outline, and a text alternative naming the points. Screenshot:
tests/artifacts/dashboard-map.png.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from alerts.bootstrap import Runtime
from alerts.models import Facts, Item, Verdict
from alerts.web import create_app
from tests.web.conftest import ARTIFACTS, plant
from tests.web.server import serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.integration

MAPPED_TITLE = "North Korea fires ICBM from Sunan into the East Sea, JCS says"
UNMAPPED_TITLE = "Iran fires ballistic missiles"
_FACTS = {
    MAPPED_TITLE: Facts(
        country="KP",
        missile_class="ICBM",
        launch_site="평양 순안",
        landing_area="Sea of Japan (East Sea)",
        inside_japan_eez=True,
        distance_km=1000.0,
    ),
    UNMAPPED_TITLE: Facts(country="IR"),
}


def _classify(item: Item) -> Verdict:
    """A detector that knows these two reports' facts (the extraction has its own tests)."""
    return Verdict(True, 0.95, ("test:facts", "ctx:rules_launch"), _FACTS[item.title])


def _two_events(rt: Runtime) -> dict[str, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    items = [
        Item("m1", "feed-a", MAPPED_TITLE, "https://a.example/m1",
             published_at=now - timedelta(minutes=5)),
        Item("u1", "feed-c", UNMAPPED_TITLE, "https://c.example/u1",
             published_at=now - timedelta(minutes=2)),
    ]  # fmt: skip
    return plant(rt, items, now=now, classify=_classify)


def test_dashboard_draws_the_flight_map_of_an_event_with_places(
    runtime: Runtime, browser: Browser
) -> None:
    from playwright.sync_api import expect

    events = _two_events(runtime)
    app = create_app(runtime)
    with serve(app) as base_url:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(base_url + "/")

        figure = page.locator(f"#event-{events['KP']} figure.flightmap")
        expect(figure).to_be_visible()
        expect(page.locator(f"#event-{events['IR']} figure.flightmap")).to_have_count(0)
        svg = figure.locator("svg")
        expect(svg).to_have_attribute("role", "img")
        expect(figure.locator("svg > title")).to_contain_text("Sunan (Pyongyang airport)")
        expect(figure.locator("figcaption")).to_contain_text("Landing: Sea of Japan (East Sea)")
        expect(figure.locator("circle.launch")).to_be_visible()
        expect(figure.locator("circle.landing")).to_be_visible()
        expect(figure.locator("path.flight")).to_be_visible()
        expect(figure.locator("path.eez")).to_have_count(1)

        box = svg.bounding_box()
        assert box is not None
        assert box["width"] >= 300
        assert box["height"] >= 200
        line = figure.locator("path.flight").bounding_box()
        assert line is not None
        assert line["width"] > 100, "the line runs from Sunan to the East Sea"
        launch = figure.locator("circle.launch").bounding_box()
        assert launch is not None
        assert box["x"] <= launch["x"] <= box["x"] + box["width"]
        assert box["y"] <= launch["y"] <= box["y"] + box["height"]
        land_area = page.evaluate(
            "el => el.getBBox().width * el.getBBox().height",
            figure.locator("path.land").element_handle(),
        )
        assert land_area > 0, "coastlines are drawn"

        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(f"#event-{events['KP']}").screenshot(path=str(ARTIFACTS / "dashboard-map.png"))
        page.close()
