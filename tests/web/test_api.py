"""The JSON API, probes and dashboard HTML against a real redis-server and real stored data."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.web import create_app
from tests.web.conftest import HOSTILE_TITLE, World
from tests.web.server import http_client

pytestmark = pytest.mark.integration

TOKEN = "s3cret-token"  # noqa: S105


Client = Callable[..., httpx.Client]


@pytest.fixture
def client() -> Iterator[Client]:
    """`client(runtime, **create_app options)`: an HTTP client of that app served by uvicorn."""
    with contextlib.ExitStack() as stack:
        yield lambda rt, **kwargs: stack.enter_context(http_client(create_app(rt, **kwargs)))


@pytest.fixture
def client_for(client: Client) -> Client:
    """Like `client`, over the filled world, with its recording enqueue unless told otherwise."""

    def make(world: World, **kwargs) -> httpx.Client:
        kwargs.setdefault("enqueue_delivery", world.enqueue)
        return client(world.rt, **kwargs)

    return make


class TestEvents:
    def test_events_newest_first_with_facts_sources_and_deliveries(
        self, world: World, client_for: Client
    ) -> None:
        """The Iranian launch (reported last) comes first; the Korean one merges two reports."""
        body = client_for(world).get("/api/events").json()
        assert [e["event_id"] for e in body] == [world.ir_event, world.kp_event]
        kp = body[1]
        assert kp["country"] == "KP"
        assert kp["facts"]["missile_class"] == "ICBM"
        assert kp["facts"]["count"] == 2
        assert {s["source"] for s in kp["sources"]} == {"feed-a", "feed-b"}
        assert set(kp["sources"][0]) == {
            "source",
            "item_id",
            "url",
            "title",
            "published_at",
            "follow_up",
        }
        assert kp["sources"][0]["follow_up"] is False
        assert kp["retracted"] is False
        assert kp["revision"] >= 1
        assert kp["deliveries"] == [
            {
                "destination_id": world.destination_id,
                "channel": "webhook",
                "revisions": {"1": "sent", "2": "routed"},
            }
        ]

    def test_limit(self, world: World, client_for: Client) -> None:
        client = client_for(world)
        assert [e["event_id"] for e in client.get("/api/events?limit=1").json()] == [world.ir_event]
        assert client.get("/api/events?limit=0").status_code == 422

    def test_one_event_and_unknown_event(self, world: World, client_for: Client) -> None:
        client = client_for(world)
        one = client.get(f"/api/events/{world.kp_event}")
        assert one.status_code == 200
        assert one.json()["event_id"] == world.kp_event
        missing = client.get("/api/events/no-such-event")
        assert missing.status_code == 404

    def test_no_events_is_an_empty_list(self, runtime: Runtime, client: Client) -> None:
        assert client(runtime).get("/api/events").json() == []


class TestSources:
    def test_every_configured_source_with_health(self, world: World, client_for: Client) -> None:
        body = client_for(world).get("/api/sources").json()
        by_name = {s["name"]: s for s in body}
        assert list(by_name) == ["feed-a", "feed-b", "feed-c"]
        assert by_name["feed-a"]["health"] == "healthy"
        assert by_name["feed-a"]["last_success_at"] is not None
        assert by_name["feed-b"]["health"] == "unhealthy"
        assert by_name["feed-b"]["failures"] == 3
        assert by_name["feed-b"]["last_error"].startswith("HTTP 503 from https://b.example/")
        assert by_name["feed-c"]["health"] == "new"
        assert by_name["feed-c"]["last_polled_at"] is None
        for source in body:
            assert source["next_poll_at"] is not None
            assert source["poll_lag_s"] >= 0

    def test_source_urls_and_errors_never_show_their_secrets(
        self, world: World, client_for: Client
    ) -> None:
        """A feed URL may carry an API key: only its host is shown, errors are redacted."""
        text = client_for(world).get("/api/sources").text
        assert "canary" not in text
        assert "apikey" not in text
        assert '"host":"b.example"' in text


class TestDeadLetters:
    def test_numbered_and_redacted(self, world: World, client_for: Client) -> None:
        body = client_for(world).get("/api/dlq").json()
        assert len(body) == 1
        letter = body[0]
        assert letter["number"] == 1
        assert letter["alert_key"] == world.letter.alert_key
        assert letter["destination_id"] == world.destination_id
        assert letter["delivery_key"] == f"{world.letter.alert_key}:{world.destination_id}"
        assert "canary" not in letter["error"]

    def test_replay_enqueues_reopens_and_removes(self, world: World, client_for: Client) -> None:
        client = client_for(world)
        response = client.post("/api/dlq/1/replay")
        assert response.status_code == 202
        assert world.enqueued == [(world.letter.alert_key, world.destination_id)]
        assert client.get("/api/dlq").json() == []
        ir = client.get(f"/api/events/{world.ir_event}").json()
        assert ir["deliveries"][0]["revisions"] == {"1": "routed"}

    def test_replay_unknown_number_is_404(self, world: World, client_for: Client) -> None:
        assert client_for(world).post("/api/dlq/2/replay").status_code == 404
        assert world.enqueued == []

    def test_replay_without_a_queue_is_503_and_keeps_the_letter(
        self, world: World, client: Client
    ) -> None:
        client = client(world.rt)
        response = client.post("/api/dlq/1/replay")
        assert response.status_code == 503
        assert "no queue" in response.json()["detail"]
        assert len(client.get("/api/dlq").json()) == 1

    def test_failed_enqueue_keeps_the_letter_and_its_dead_state(
        self, world: World, client_for: Client
    ) -> None:
        def broken(alert_key: str, destination_id: str) -> None:
            raise ConnectionError("broker down")

        client = client_for(world, enqueue_delivery=broken)
        assert client.post("/api/dlq/1/replay").status_code == 503
        assert len(client.get("/api/dlq").json()) == 1
        ir = client.get(f"/api/events/{world.ir_event}").json()
        assert ir["deliveries"][0]["revisions"] == {"1": "dead"}

    def test_cross_site_post_is_refused(self, world: World, client_for: Client) -> None:
        response = client_for(world).post(
            "/api/dlq/1/replay", headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert world.enqueued == []


class TestToken:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/api/events"),
            ("get", "/api/sources"),
            ("get", "/api/dlq"),
            ("post", "/api/dlq/1/replay"),
        ],
    )
    def test_api_needs_the_bearer_token(
        self, world: World, method: str, path: str, client_for: Client
    ) -> None:
        client = client_for(world, token=TOKEN)
        assert getattr(client, method)(path).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert getattr(client, method)(path, headers=wrong).status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert getattr(client, method)(path, headers=right).status_code in {200, 202}

    def test_event_detail_needs_the_token(self, world: World, client_for: Client) -> None:
        client = client_for(world, token=TOKEN)
        assert client.get(f"/api/events/{world.kp_event}").status_code == 401
        ok = client.get(
            f"/api/events/{world.kp_event}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert ok.status_code == 200

    def test_probes_stay_open(self, world: World, client_for: Client) -> None:
        client = client_for(world, token=TOKEN)
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200


class TestProbes:
    def test_healthz(self, runtime: Runtime, client: Client) -> None:
        response = client(runtime).get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_readyz_waits_for_beat_worker_and_delivery_heartbeats(
        self, runtime: Runtime, client: Client
    ) -> None:
        client = client(runtime)
        before = client.get("/readyz")
        assert before.status_code == 503
        assert before.json()["failed"] == ["beat", "workers", "deliveries"]
        keys = runtime.events.keys
        runtime.redis.set(keys.heartbeat_beat(), time.time())
        runtime.redis.set(keys.heartbeat_worker("celery@old"), time.time() - 120)
        runtime.redis.set(keys.heartbeat_deliver("old"), time.time() - 120)
        stale = client.get("/readyz")
        assert stale.status_code == 503
        assert stale.json()["failed"] == ["workers", "deliveries"]
        runtime.redis.set(keys.heartbeat_worker("celery@host1"), time.time())
        polls_only = client.get("/readyz")  # polling, but no worker takes deliveries
        assert polls_only.status_code == 503
        assert polls_only.json()["failed"] == ["deliveries"]
        runtime.redis.set(keys.heartbeat_deliver("host2"), time.time())
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        runtime.redis.set(keys.heartbeat_beat(), time.time() - 11)
        assert client.get("/readyz").json()["failed"] == ["beat"]

    def test_readyz_without_redis(self, client: Client) -> None:
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            url = f"redis://127.0.0.1:{probe.getsockname()[1]}"
        rt = build_runtime(load_settings(sources=[]), redis_url=url)
        try:
            response = client(rt).get("/readyz")
            assert response.status_code == 503
            assert response.json()["failed"] == ["redis", "beat", "workers", "deliveries"]
            assert client(rt).get("/api/events").status_code == 503
        finally:
            rt.close()

    def test_metrics_content_type_and_injected_text(self, runtime: Runtime, client: Client) -> None:
        empty = client(runtime).get("/metrics")
        assert empty.status_code == 200
        assert empty.text == ""
        assert empty.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = "# TYPE alerts_up gauge\nalerts_up 1\n"
        served = client(runtime, metrics_text=lambda: text).get("/metrics")
        assert served.text == text

    def test_openapi_documents_the_api(self, runtime: Runtime, client: Client) -> None:
        client = client(runtime, token=TOKEN)
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        spec = client.get("/openapi.json").json()
        paths = spec["paths"]
        for path in ("/api/events", "/api/events/{event_id}", "/api/sources", "/api/dlq",
                     "/api/dlq/{number}/replay", "/healthz", "/readyz", "/metrics"):  # fmt: skip
            assert path in paths
        assert "EventView" in spec["components"]["schemas"]
        assert "HTTPBearer" in spec["components"]["securitySchemes"]
        assert client.get("/docs").status_code == 200


class TestDashboardHtml:
    def test_sections_and_data(self, world: World, client_for: Client) -> None:
        page = client_for(world).get("/")
        assert page.status_code == 200
        html = page.text
        for section in ('id="timeline"', 'id="events"', 'id="sources"', 'id="dlq"'):
            assert section in html
        assert "KP FIRES class=ICBM count=2" in html
        assert "<svg" in html
        assert html.count('class="dot') == 2
        assert "feed-b" in html
        assert "unhealthy" in html
        assert 'action="/dlq/1/replay"' in html
        assert "default-src 'none'" in page.headers["content-security-policy"]

    def test_hostile_feed_text_is_escaped(self, world: World, client_for: Client) -> None:
        html = client_for(world).get("/").text
        assert HOSTILE_TITLE not in html
        assert "<script>" not in html
        assert "<img" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "javascript:" not in html  # the hostile link is shown as text, not a link

    def test_replay_button_redirects_back_with_a_notice(
        self, world: World, client_for: Client
    ) -> None:
        client = client_for(world)
        response = client.post(
            "/dlq/1/replay", data={"delivery": f"{world.letter.alert_key}:{world.destination_id}"}
        )
        assert response.status_code == 200  # after the 303 back to the dashboard
        assert "Requeued" in response.text
        assert world.enqueued == [(world.letter.alert_key, world.destination_id)]
        assert 'action="/dlq/1/replay"' not in response.text
        again = client.post(
            "/dlq/1/replay", data={"delivery": f"{world.letter.alert_key}:{world.destination_id}"}
        )
        assert "gone" in again.text
        assert len(world.enqueued) == 1

    def test_a_link_cannot_make_the_page_say_anything(
        self, world: World, client_for: Client
    ) -> None:
        html = client_for(world).get("/?notice=Your+token+expired:+visit+evil.example").text
        assert "evil.example" not in html
        assert 'id="notice"' not in html

    def test_replay_button_without_a_queue_says_so(self, world: World, client: Client) -> None:
        response = client(world.rt).post("/dlq/1/replay", data={})
        assert "no queue to send to" in response.text
        assert world.rt.deadletters.count() == 1
