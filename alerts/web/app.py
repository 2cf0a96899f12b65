"""The ASGI app: a server-rendered dashboard, a JSON API, health, readiness and metrics.

Built by `create_app(runtime, ...)` from what the caller hands in; nothing global, nothing from
workers/ or Celery. The Celery enqueue arrives as `enqueue_delivery`, the Prometheus text as
`metrics_text`. Every request's Host is checked against an allow-list, and with a `token` the
API, its docs and the dashboard need it (alerts/web/access.py says how and why). POSTs from
another site's page are refused either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import redis
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from alerts.bootstrap import Runtime, secret_values
from alerts.notify.deadletter import DeadLetter
from alerts.web import views
from alerts.web.access import (
    PAGE_HEADERS,
    HostAllowList,
    NotSignedInError,
    TokenGuard,
    read_form,
    same_origin,
    sign_in_redirect,
    sign_in_routes,
)
from alerts.web.feeds import feed_routes
from alerts.web.flightmap import build_flight_map
from alerts.web.timeline import build_timeline

METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DASHBOARD_EVENTS = 50
TIMELINE_EVENTS = 500
EnqueueDelivery = Callable[[str, str], None]


def create_app(
    runtime: Runtime,
    *,
    token: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    enqueue_delivery: EnqueueDelivery | None = None,
    metrics_text: Callable[[], str] | None = None,
) -> FastAPI:
    """The web app over one Runtime.

    `token` None: everything is open (bind to loopback); an empty token raises ValueError.
    `allowed_hosts`: Host names answered besides loopback ones (default: the runtime's
    ALERTS_WEB_ALLOWED_HOSTS). `enqueue_delivery` None: replays answer 503. `metrics_text`
    None: an empty /metrics.
    """
    app = FastAPI(
        title="missile-alerts",
        version="1",
        summary="Launch events, source health and dead letters of a missile-alerts deployment.",
        docs_url=None,  # served below, behind the same token as the API
        redoc_url=None,
        openapi_url=None,
    )
    hosts = runtime.settings.web_allowed_hosts if allowed_hosts is None else allowed_hosts
    app.add_middleware(HostAllowList, allowed_hosts=tuple(hosts))
    secrets = secret_values(runtime.settings)
    guard = TokenGuard(token)
    protected = [Depends(guard.api_dependency)] if guard.required else []

    @app.exception_handler(redis.RedisError)
    async def redis_down(request: Request, exc: redis.RedisError) -> JSONResponse:
        return JSONResponse({"detail": f"Redis unavailable: {type(exc).__name__}"}, 503)

    @app.exception_handler(NotSignedInError)
    async def to_sign_in(request: Request, exc: NotSignedInError) -> RedirectResponse:
        return sign_in_redirect(exc.path)

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
    _docs_routes(app, guard)
    feed_routes(app, runtime, guard, tuple(hosts))  # /feeds/*: Atom and CAP 1.2
    templates = _templates()
    sign_in_routes(app, guard, templates)
    _dashboard_routes(
        app, runtime, secrets, replay, guard, templates, can_replay=bool(enqueue_delivery)
    )
    return app


def _docs_routes(app: FastAPI, guard: TokenGuard) -> None:
    """/openapi.json and /docs, behind the token like the API they describe."""
    api = [Depends(guard.api_dependency)] if guard.required else []
    page = [Depends(guard.page_dependency)] if guard.required else []

    @app.get("/openapi.json", include_in_schema=False, dependencies=api)
    def openapi_document() -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", include_in_schema=False, dependencies=page)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="missile-alerts API")


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

    @api.get(
        "/sources",
        summary="Every configured source with its health, and how often it reported first",
        description="First counts and median lags cover the launch events of the last 30 "
        f"days (the newest {views.LAG_EVENTS_CAP} at most, retracted ones left out), by the "
        "items' publish times and by our poll times separately, as the field names say.",
    )
    def list_sources() -> list[views.SourceView]:
        return views.source_views(rt, secrets=secrets, now=time.time())

    @api.get("/dlq", summary="Dead letters, oldest first, numbered for replay")
    def list_dead_letters() -> list[views.DeadLetterView]:
        return views.dead_letter_views(rt, secrets=secrets)

    @api.post(
        "/dlq/{number}/replay",
        status_code=202,
        summary="Send a dead letter again",
        dependencies=[Depends(same_origin)],
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
    guard: TokenGuard,
    templates: Environment,
    *,
    can_replay: bool,
) -> None:
    page = [Depends(guard.page_dependency)] if guard.required else []

    @app.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=page)
    def dashboard(notice: str = "", delivery: str = "") -> HTMLResponse:
        now = datetime.now(UTC)
        launch_events = rt.events.recent_events(TIMELINE_EVENTS)  # read once
        events = views.event_views(rt, launch_events)
        html = templates.get_template("dashboard.html").render(
            now=now,
            events=events[:DASHBOARD_EVENTS],
            timeline=build_timeline(
                ((e.country, e.launch_at, e.retracted) for e in events), now=now
            ),
            sources=views.source_views(
                rt, secrets=secrets, now=now.timestamp(), events=launch_events
            ),
            letters=views.dead_letter_views(rt, secrets=secrets),
            notice=_NOTICES.get(notice, "").format(delivery=delivery[:200]),
            can_sign_out=guard.required,
            can_replay=can_replay,
            maps={
                e.event_id: build_flight_map(e.facts, e.country) for e in events[:DASHBOARD_EVENTS]
            },
        )
        return HTMLResponse(html, headers=PAGE_HEADERS)

    @app.post("/dlq/{number}/replay", include_in_schema=False, dependencies=[Depends(same_origin)])
    async def replay_from_dashboard(
        request: Request, number: Annotated[int, Path(ge=1)]
    ) -> RedirectResponse:
        if not guard.signed_in(request):
            return sign_in_redirect("/")
        delivery_key = (await read_form(request)).get("delivery")
        return _back(*await run_in_threadpool(_replay_form, number, delivery_key))

    def _replay_form(number: int, delivery_key: str | None) -> tuple[str, str]:
        """The notice to show: Redis and the broker are blocking I/O, kept off the event loop."""
        letter = views.find_dead_letter(rt, number=number, delivery_key=delivery_key)
        if letter is None:
            return ("gone", "")
        try:
            return ("requeued", replay(letter))
        except HTTPException as exc:
            return ("no_queue" if exc.detail.startswith("no queue") else "failed", "")


# The page shows only these texts (a link cannot make it say anything else).
_NOTICES = {
    "requeued": "Requeued {delivery}.",
    "gone": "That dead letter is gone (already replayed?).",
    "no_queue": "Replay failed: this web process has no queue to send to.",
    "failed": "Replay failed: the queue did not accept the delivery; it stays dead-lettered.",
}


def _back(notice: str, delivery: str = "") -> RedirectResponse:
    query = {"notice": notice, **({"delivery": delivery} if delivery else {})}
    return RedirectResponse("/?" + urlencode(query), status_code=303)


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
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        when = value
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


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
