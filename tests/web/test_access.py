"""Who may reach what (issue 13): the Host allow-list on every request, the dashboard and the API
docs behind the token, the sign-in cookie. Served by a real uvicorn over real stored data."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis
from alerts.web import create_app
from alerts.web.access import SESSION_COOKIE, host_from_header
from tests.web.conftest import World
from tests.web.server import http_client

pytestmark = pytest.mark.integration

TOKEN = "access-token-0123456789"  # noqa: S105
BEARER = {"Authorization": f"Bearer {TOKEN}"}
# What the dashboard shows that a stranger must not see: a dead letter's error, a source's
# error, a destination id (from the filled world).
PRIVATE_TEXTS = ("server_error", "HTTP 503 from", "webhook-")

Client = Callable[..., httpx.Client]


@pytest.fixture
def client() -> Iterator[Client]:
    """`client(runtime, **create_app options)`: an HTTP client of that app under uvicorn that
    does not follow redirects (unless `follow=True`), so they can be checked."""
    with contextlib.ExitStack() as stack:

        def make(rt: Runtime, *, follow: bool = False, **kwargs: Any) -> httpx.Client:
            served = stack.enter_context(http_client(create_app(rt, **kwargs)))
            served.follow_redirects = follow
            return served

        yield make


@pytest.fixture
def client_for(client: Client) -> Client:
    """Like `client`, over the filled world, with its recording enqueue."""

    def make(world: World, **kwargs: Any) -> httpx.Client:
        return client(world.rt, enqueue_delivery=world.enqueue, **kwargs)

    return make


def _session_cookie(response: httpx.Response) -> SimpleCookie:
    cookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


class TestHostAllowList:
    @pytest.mark.parametrize("path", ["/", "/api/dlq", "/healthz", "/docs", "/login"])
    def test_a_rebound_name_is_refused_everywhere(
        self, world: World, client_for: Client, path: str
    ) -> None:
        """A DNS-rebinding page's requests carry its own name as Host: every path answers 400."""
        response = client_for(world).get(path, headers={"Host": "evil.example:8080"})
        assert response.status_code == 400
        assert "ALERTS_WEB_ALLOWED_HOSTS" in response.text

    def test_a_rebound_replay_with_a_matching_origin_enqueues_nothing(
        self, world: World, client_for: Client
    ) -> None:
        """Host and Origin agree (the same-origin check passes), yet the replay is refused."""
        headers = {"Host": "evil.example:8080", "Origin": "http://evil.example:8080"}
        response = client_for(world).post("/api/dlq/1/replay", headers=headers)
        assert response.status_code == 400
        assert world.enqueued == []
        assert world.rt.deadletters.count() == 1

    @pytest.mark.parametrize(
        "host",
        ["localhost", "localhost:8080", "LOCALHOST.", "127.0.0.1:9", "127.0.0.2", "[::1]:80"],
    )
    def test_loopback_names_are_allowed(self, world: World, client_for: Client, host: str) -> None:
        assert client_for(world).get("/healthz", headers={"Host": host}).status_code == 200

    def test_configured_names_are_allowed(
        self, redis_server: EmbeddedRedis, client: Client
    ) -> None:
        """ALERTS_WEB_ALLOWED_HOSTS (through the runtime's settings) adds names; others stay out."""
        settings = load_settings(sources=[], web_allowed_hosts="alerts.example.org, 10.0.0.5")
        rt = build_runtime(settings, redis_url=redis_server.url)
        try:
            served = client(rt)
            for host in ("alerts.example.org", "Alerts.Example.org:443", "10.0.0.5:8080"):
                assert served.get("/healthz", headers={"Host": host}).status_code == 200, host
            for host in ("example.org", "evil.alerts.example.org", "10.0.0.6"):
                assert served.get("/healthz", headers={"Host": host}).status_code == 400, host
        finally:
            rt.close()

    @pytest.mark.parametrize(
        ("header", "host"),
        [
            ("Example.ORG:8080", "example.org"),
            ("[::1]:8080", "[::1]"),
            ("[0:0:0:0:0:0:0:1]", "[::1]"),
            ("127.0.0.1", "127.0.0.1"),
            ("localhost.", "localhost"),
            ("evil.example@localhost", None),
            ("localhost:80:80", None),
            ("local host", None),
            ("", None),
            (None, None),
        ],
    )
    def test_host_header_parsing(self, header: str | None, host: str | None) -> None:
        assert host_from_header(header) == host


class TestDashboardSignIn:
    def test_a_stranger_is_sent_to_sign_in_and_sees_nothing(
        self, world: World, client_for: Client
    ) -> None:
        """With a token, `/` redirects to the sign-in form, which shows no stored data."""
        client = client_for(world, token=TOKEN)
        response = client.get("/")
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        form = client.get("/login")
        assert form.status_code == 200
        assert 'name="token"' in form.text
        assert "default-src 'none'" in form.headers["content-security-policy"]
        for text in (*PRIVATE_TEXTS, world.kp_event, world.destination_id):
            assert text not in response.text + form.text

    def test_a_wrong_token_is_refused_without_a_cookie(
        self, world: World, client_for: Client
    ) -> None:
        client = client_for(world, token=TOKEN)
        response = client.post("/login", data={"token": "nope"})
        assert response.status_code == 401
        assert "not the configured token" in response.text
        assert "set-cookie" not in response.headers
        assert client.get("/").status_code == 303

    def test_signing_in_sets_a_strict_httponly_cookie_that_is_not_the_token(
        self, world: World, client_for: Client
    ) -> None:
        client = client_for(world, token=TOKEN)
        response = client.post("/login", data={"token": TOKEN})
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        assert TOKEN not in response.headers["set-cookie"]
        morsel = _session_cookie(response)[SESSION_COOKIE]
        assert morsel["httponly"] is True
        assert morsel["samesite"].lower() == "strict"
        assert morsel["path"] == "/"
        expected = hmac.new(TOKEN.encode(), b"missile-alerts web session v1", hashlib.sha256)
        assert morsel.value == expected.hexdigest()

    def test_signed_in_the_dashboard_api_and_replay_work(
        self, world: World, client_for: Client
    ) -> None:
        client = client_for(world, token=TOKEN, follow=True)
        client.post("/login", data={"token": TOKEN})
        page = client.get("/")
        assert page.status_code == 200
        assert all(text in page.text for text in PRIVATE_TEXTS)
        assert 'action="/logout"' in page.text
        assert client.get("/api/dlq").status_code == 200  # the page links to the API
        requeued = client.post("/dlq/1/replay", data={})
        assert "Requeued" in requeued.text
        assert world.enqueued == [(world.letter.alert_key, world.destination_id)]

    def test_replay_from_the_dashboard_needs_sign_in(
        self, world: World, client_for: Client
    ) -> None:
        """The replay button's POST without the cookie changes nothing, whatever the form says."""
        client = client_for(world, token=TOKEN)
        response = client.post("/dlq/1/replay", data={"token": "nope"})
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert world.enqueued == []
        assert world.rt.deadletters.count() == 1

    def test_signing_out_forgets_the_session(self, world: World, client_for: Client) -> None:
        client = client_for(world, token=TOKEN)
        client.post("/login", data={"token": TOKEN})
        signed_out = client.post("/logout")
        assert signed_out.status_code == 303
        assert client.cookies.get(SESSION_COOKIE) is None
        assert client.get("/").status_code == 303

    def test_a_cookie_from_another_token_opens_nothing(
        self, world: World, client_for: Client
    ) -> None:
        """The old token's cookie stops working once the token changes (or was never ours)."""
        other = hmac.new(b"old-token", b"missile-alerts web session v1", hashlib.sha256)
        client = client_for(world, token=TOKEN)
        client.cookies.set(SESSION_COOKIE, other.hexdigest())
        assert client.get("/").status_code == 303
        assert client.get("/api/dlq").status_code == 401
        client.cookies.set(SESSION_COOKIE, TOKEN)  # nor does the token itself as a cookie
        assert client.get("/api/dlq").status_code == 401

    def test_sign_in_from_another_site_is_refused(self, world: World, client_for: Client) -> None:
        client = client_for(world, token=TOKEN)
        response = client.post(
            "/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert "set-cookie" not in response.headers

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/api/dlq"])
    def test_sign_in_returns_only_to_known_pages(
        self, world: World, client_for: Client, target: str
    ) -> None:
        client = client_for(world, token=TOKEN)
        assert f'value="{target}"' not in client.get("/login", params={"next": target}).text
        response = client.post("/login", data={"token": TOKEN, "next": target})
        assert response.headers["location"] == "/"

    def test_without_a_token_there_is_nothing_to_sign_in_to(
        self, world: World, client_for: Client
    ) -> None:
        client = client_for(world)
        assert client.get("/").status_code == 200
        assert client.get("/login").headers["location"] == "/"
        assert 'action="/logout"' not in client.get("/").text

    def test_an_empty_token_is_refused_not_taken_for_none(self, world: World) -> None:
        """`token=""` once meant "no token" and let everyone in."""
        for empty in ("", "  "):
            with pytest.raises(ValueError, match="empty token"):
                create_app(world.rt, token=empty)


class TestApiDocs:
    def test_docs_and_openapi_follow_the_api(self, world: World, client_for: Client) -> None:
        client = client_for(world, token=TOKEN)
        assert client.get("/openapi.json").status_code == 401
        assert client.get("/openapi.json", headers=BEARER).json()["info"]["title"] == (
            "missile-alerts"
        )
        docs = client.get("/docs")
        assert docs.status_code == 303
        assert docs.headers["location"] == "/login?next=/docs"
        signed_in = client.post("/login", data={"token": TOKEN, "next": "/docs"})
        assert signed_in.headers["location"] == "/docs"
        assert "swagger" in client.get("/docs").text.lower()
        assert client.get("/openapi.json").status_code == 200  # what /docs fetches, by cookie
        assert client.get("/redoc").status_code == 404

    def test_without_a_token_the_docs_are_open(self, runtime: Runtime, client: Client) -> None:
        served = client(runtime)
        assert served.get("/openapi.json").status_code == 200
        assert served.get("/docs").status_code == 200
