"""The ASGI app: a server-rendered dashboard, a JSON API, health, readiness and metrics.

Built by `create_app(runtime, ...)` from what the caller hands in; nothing global, nothing from
workers/ or Celery. The Celery enqueue arrives as `enqueue_delivery`, the Prometheus text as
`metrics_text`. With a `token`, every API request and every action (POST) needs
`Authorization: Bearer <token>`; the dashboard page itself stays readable, and its replay
buttons carry a token field instead. POSTs from another site's page are refused either way.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

import redis
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from alerts.bootstrap import Runtime, secret_values
from alerts.notify.deadletter import DeadLetter
from alerts.web import views
from alerts.web.timeline import build_timeline

METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DASHBOARD_EVENTS = 50
TIMELINE_EVENTS = 500
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
EnqueueDelivery = Callable[[str, str], None]


def create_app(
    runtime: Runtime,
    *,
    token: str | None = None,
    enqueue_delivery: EnqueueDelivery | None = None,
    metrics_text: Callable[[], str] | None = None,
) -> FastAPI:
    """The web app over one Runtime. `token` None: the API and actions are open (bind to
    loopback); `enqueue_delivery` None: replays answer 503; `metrics_text` None: empty /metrics.
    """
    app = FastAPI(
        title="missile-alerts",
        version="1",
        summary="Launch events, source health and dead letters of a missile-alerts deployment.",
    )
    token = token or None  # an empty token is no token
    secrets = secret_values(runtime.settings)
    guard = _TokenGuard(token)
    protected = [Depends(guard.dependency)] if token else []

    @app.exception_handler(redis.RedisError)
    async def redis_down(request: Request, exc: redis.RedisError) -> JSONResponse:
        return JSONResponse({"detail": f"Redis unavailable: {type(exc).__name__}"}, 503)

    def replay(letter: DeadLetter) -> str:
        if enqueue_delivery is None:
            raise HTTPException(503, "no queue: this web process cannot enqueue deliveries")
        try:
            return views.replay_dead_letter(runtime, letter, enqueue_delivery).key
        except redis.RedisError:
            raise
        except Exception as exc:  # the broker's own errors: the letter stays for another try
            raise HTTPException(503, f"enqueue failed: {type(exc).__name__}") from exc

    api = APIRouter(prefix="/api", tags=["api"], dependencies=protected)
    _api_routes(api, runtime, secrets, replay)
    app.include_router(api)
    _probe_routes(app, runtime, metrics_text)
    _dashboard_routes(app, runtime, secrets, replay, guard, can_replay=bool(enqueue_delivery))
    return app


class _TokenGuard:
    """Checks `Authorization: Bearer <token>` (constant-time); `dependency` is its FastAPI form,
    which also documents the bearer scheme in the OpenAPI document."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        scheme = HTTPBearer(auto_error=False, description="The ALERTS_WEB_TOKEN value.")

        async def require_token(
            credentials: HTTPAuthorizationCredentials | None = Depends(scheme),  # noqa: B008
        ) -> None:
            if not self.accepts(credentials.credentials if credentials else None):
                raise HTTPException(401, "bearer token required", {"WWW-Authenticate": "Bearer"})

        self.dependency = require_token

    def accepts(self, offered: str | None) -> bool:
        if self.token is None:
            return True
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())


def _same_origin(request: Request) -> None:
    """Refuse a POST a browser sends from another site's page (a cross-site form or fetch)."""
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    host = request.headers.get("host", "")
    if (origin and origin != "null" and urlsplit(origin).netloc != host) or site == "cross-site":
        raise HTTPException(403, "cross-site request refused")


def _api_routes(
    api: APIRouter, rt: Runtime, secrets: list[str], replay: Callable[[DeadLetter], str]
) -> None:
    @api.get("/events", summary="Launch events, newest first")
    def list_events(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[views.EventView]:
        return views.recent_events(rt, limit=limit)

    @api.get(
        "/events/{event_id}",
        summary="One launch event",
        responses={404: {"description": "No such event (never seen, or expired)"}},
    )
    def get_event(event_id: str) -> views.EventView:
        event = views.one_event(rt, event_id)
        if event is None:
            raise HTTPException(404, "no such event")
        return event

    @api.get("/sources", summary="Every configured source with its health")
    def list_sources() -> list[views.SourceView]:
        return views.source_views(rt, secrets=secrets, now=time.time())

    @api.get("/dlq", summary="Dead letters, oldest first, numbered for replay")
    def list_dead_letters() -> list[views.DeadLetterView]:
        return views.dead_letter_views(rt, secrets=secrets)

    @api.post(
        "/dlq/{number}/replay",
        status_code=202,
        summary="Send a dead letter again",
        dependencies=[Depends(_same_origin)],
        responses={
            404: {"description": "No dead letter with that number"},
            503: {"description": "No queue to enqueue the delivery on"},
        },
    )
    def replay_dead_letter(number: Annotated[int, Path(ge=1)]) -> dict[str, str]:
        letter = views.find_dead_letter(rt, number=number)
        if letter is None:
            raise HTTPException(404, "no dead letter with that number")
        return {"replayed": replay(letter)}


def _probe_routes(app: FastAPI, rt: Runtime, metrics_text: Callable[[], str] | None) -> None:
    @app.get("/healthz", tags=["probes"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["probes"],
        summary="Redis reachable, beat seen within 10 s, a worker within 30 s",
        responses={503: {"model": views.Readiness, "description": "A check failed"}},
    )
    def readyz() -> JSONResponse:
        ready = views.readiness(rt)
        return JSONResponse(ready.model_dump(), status_code=503 if ready.failed else 200)

    @app.get(
        "/metrics",
        tags=["probes"],
        summary="Prometheus text exposition",
        response_class=Response,
        responses={200: {"content": {METRICS_TYPE: {}}}},
    )
    def metrics() -> Response:
        return Response(metrics_text() if metrics_text else "", media_type=METRICS_TYPE)


def _dashboard_routes(
    app: FastAPI,
    rt: Runtime,
    secrets: list[str],
    replay: Callable[[DeadLetter], str],
    guard: _TokenGuard,
    *,
    can_replay: bool,
) -> None:
    templates = _templates()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(notice: str = "", delivery: str = "") -> HTMLResponse:
        now = datetime.now(UTC)
        events = views.recent_events(rt, limit=TIMELINE_EVENTS)
        html = templates.get_template("dashboard.html").render(
            now=now,
            events=events[:DASHBOARD_EVENTS],
            timeline=build_timeline(
                ((e.country, e.launch_at, e.retracted) for e in events), now=now
            ),
            sources=views.source_views(rt, secrets=secrets, now=now.timestamp()),
            letters=views.dead_letter_views(rt, secrets=secrets),
            notice=_NOTICES.get(notice, "").format(delivery=delivery[:200]),
            token_required=guard.token is not None,
            can_replay=can_replay,
        )
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    @app.post("/dlq/{number}/replay", include_in_schema=False, dependencies=[Depends(_same_origin)])
    async def replay_from_dashboard(
        request: Request, number: Annotated[int, Path(ge=1)]
    ) -> RedirectResponse:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        offered = _first(form, "token") or _bearer(request)
        if not guard.accepts(offered):
            return _back("refused")
        return _back(*await run_in_threadpool(_replay_form, number, _first(form, "delivery")))

    def _replay_form(number: int, delivery_key: str | None) -> tuple[str, str]:
        """The notice to show: Redis and the broker are blocking I/O, kept off the event loop."""
        letter = views.find_dead_letter(rt, number=number, delivery_key=delivery_key)
        if letter is None:
            return ("gone", "")
        try:
            return ("requeued", replay(letter))
        except HTTPException as exc:
            return ("no_queue" if exc.detail.startswith("no queue") else "failed", "")


_PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


# The page shows only these texts (a link cannot make it say anything else).
_NOTICES = {
    "requeued": "Requeued {delivery}.",
    "refused": "Replay refused: the token is missing or wrong.",
    "gone": "That dead letter is gone (already replayed?).",
    "no_queue": "Replay failed: this web process has no queue to send to.",
    "failed": "Replay failed: the queue did not accept the delivery; it stays dead-lettered.",
}


def _back(notice: str, delivery: str = "") -> RedirectResponse:
    query = {"notice": notice, **({"delivery": delivery} if delivery else {})}
    return RedirectResponse("/?" + urlencode(query), status_code=303)


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values and values[0] else None


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["ago"] = _ago
    env.filters["http_url"] = _http_url
    return env


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def _http_url(url: str | None) -> str:
    """The URL if it is http(s), else "": feed links are hostile (javascript:, data:)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme in {"http", "https"} and parts.netloc else ""
