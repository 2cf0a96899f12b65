"""Who may reach what: a Host allow-list on every request, then the token.

    request ─Host is localhost, a loopback address or in ALERTS_WEB_ALLOWED_HOSTS?─ no ─▶ 400
       │ yes
       ├─ /healthz /readyz /metrics /login /logout ─────────────────────────────▶ open
       └─ anything else, when a token is set: `Authorization: Bearer <token>` or the session
          cookie ─ neither ─▶ 401 (the API, /openapi.json) or 303 to /login (the pages);
          /feeds/* also take HTTP Basic with the token as password ─ none ─▶ 401

Why Basic on the feeds only: feed readers often cannot send a bearer header but can send
`https://any:<token>@host/feeds/...`. A browser that answered the Basic challenge resends it
by itself, so it is accepted only where that can do no harm: read-only GETs whose answers
another site's page cannot read.

Why the Host check: a page on an attacker's name that re-resolves to this machine (DNS
rebinding) is same-origin with the service, but its requests still carry the attacker's name
as Host. Loopback names are safe by default because no attacker controls what they resolve to.

Why the cookie holds HMAC-SHA256(token, purpose) and not the token: a cookie is stored by the
browser and sent on every request, so it should be worth less than the token itself (it never
reveals the token, and it opens only this service). It is HttpOnly (no script reads it),
SameSite=Strict (no other site's page makes the browser send it) and Secure over HTTPS.
Changing the token signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from jinja2 import Environment
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "alerts_session"
SESSION_MAX_AGE_S = 30 * 86400
_SESSION_PURPOSE = b"missile-alerts web session v1"
# Where the sign-in form may send the browser back to (never a URL taken from the request).
SIGN_IN_RETURNS = ("/", "/docs")
FEEDS_REALM = "missile-alerts feeds"

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_HOST_HEADER = re.compile(r"(?P<host>\[[0-9a-fA-F:.]+\]|[^\[\]:/@\s]+)(?::[0-9]{1,5})?")


def normalize_host(host: str) -> str:
    """Lower case, no trailing dot, IP addresses in their short form, IPv6 in brackets."""
    name = host.strip().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return name
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def host_from_header(value: str | None) -> str | None:
    """The host part of a Host header (`name`, `name:port`, `[v6]:port`), or None if malformed."""
    match = _HOST_HEADER.fullmatch(value.strip()) if value else None
    return normalize_host(match["host"]) if match else None


def is_loopback(host: str) -> bool:
    """`localhost` or an address in 127.0.0.0/8 or ::1 (as `normalize_host` writes them)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


class HostAllowList:
    """ASGI middleware answering 400 to any request whose Host is neither loopback nor listed."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(normalize_host(h) for h in allowed_hosts)

    def allows(self, header: str | None) -> bool:
        host = host_from_header(header)
        return host is not None and (is_loopback(host) or host in self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"} and not self.allows(
            Headers(scope=scope).get("host")
        ):
            refusal = PlainTextResponse(
                "Unknown Host: reach this service as localhost, or add the name to "
                "ALERTS_WEB_ALLOWED_HOSTS.",
                status_code=400,
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


class NotSignedInError(Exception):
    """A page was asked for without the token: the app answers with a redirect to /login."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class TokenGuard:
    """The token check shared by the API, the docs and the dashboard.

    `token` None means open (loopback only, by the CLI's rules). An empty token is refused, as
    Settings refuses it: treating it as "no token" once let everyone in.
    `api_dependency` answers 401 (and documents the bearer scheme in the OpenAPI document);
    `page_dependency` raises NotSignedInError, which the app turns into a redirect to /login.
    `feed_dependency` is `api_dependency` that also takes HTTP Basic (any user, the token as
    password; ASCII tokens only, as FastAPI decodes Basic credentials as ASCII).
    """

    def __init__(self, token: str | None) -> None:
        if token is not None and not token.strip():
            raise ValueError("an empty token would let everyone in: pass None for no token")
        self.token = token
        self.session_value = (
            hmac.new(token.encode(), _SESSION_PURPOSE, hashlib.sha256).hexdigest()
            if token
            else None
        )
        scheme = HTTPBearer(auto_error=False, description="The ALERTS_WEB_TOKEN value.")

        async def require_token(
            request: Request,
            _credentials: HTTPAuthorizationCredentials | None = Depends(scheme),  # noqa: B008
        ) -> None:
            if not self.signed_in(request):
                raise HTTPException(401, "bearer token required", {"WWW-Authenticate": "Bearer"})

        async def require_sign_in(request: Request) -> None:
            if not self.signed_in(request):
                raise NotSignedInError(request.url.path)

        basic = HTTPBasic(
            auto_error=False,
            realm=FEEDS_REALM,
            description="Feeds only: any user name, the ALERTS_WEB_TOKEN value as password.",
        )

        async def require_feed_token(
            request: Request,
            _credentials: HTTPAuthorizationCredentials | None = Depends(scheme),  # noqa: B008
            basic_credentials: HTTPBasicCredentials | None = Depends(basic),  # noqa: B008
        ) -> None:
            if self.signed_in(request) or (
                basic_credentials is not None and self.accepts(basic_credentials.password)
            ):
                return
            challenge = f'Basic realm="{FEEDS_REALM}", Bearer'
            raise HTTPException(401, "token required", {"WWW-Authenticate": challenge})

        self.api_dependency = require_token
        self.page_dependency = require_sign_in
        self.feed_dependency = require_feed_token

    @property
    def required(self) -> bool:
        return self.token is not None

    def accepts(self, offered: str | None) -> bool:
        """Whether `offered` is the token (constant-time); anything goes without a token."""
        if self.token is None:
            return True
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def signed_in(self, request: Request) -> bool:
        """The request carries the bearer token or the session cookie (or no token is set)."""
        if self.token is None or self.accepts(_bearer(request)):
            return True
        cookie = request.cookies.get(SESSION_COOKIE)
        return (
            cookie is not None
            and self.session_value is not None
            and hmac.compare_digest(cookie.encode(), self.session_value.encode())
        )

    def start_session(self, response: Response, request: Request) -> None:
        if self.session_value is None:
            return
        response.set_cookie(
            SESSION_COOKIE,
            self.session_value,
            max_age=SESSION_MAX_AGE_S,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def end_session(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def same_origin(request: Request) -> None:
    """Refuse a POST a browser sends from another site's page (a cross-site form or fetch)."""
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    host = request.headers.get("host", "")
    if (origin and origin != "null" and urlsplit(origin).netloc != host) or site == "cross-site":
        raise HTTPException(403, "cross-site request refused")


def sign_in_redirect(path: str) -> RedirectResponse:
    """303 to the sign-in form, remembering a page it may send the browser back to."""
    query = f"?next={path}" if path in SIGN_IN_RETURNS and path != "/" else ""
    return RedirectResponse("/login" + query, status_code=303)


def sign_in_routes(app: FastAPI, guard: TokenGuard, templates: Environment) -> None:
    """GET /login shows the form, POST /login checks the token and sets the session cookie,
    POST /logout clears it. Without a token they only send the browser to the dashboard."""

    def form(*, back: str, failed: bool) -> HTMLResponse:
        html = templates.get_template("login.html").render(back=back, failed=failed)
        return HTMLResponse(html, status_code=401 if failed else 200, headers=PAGE_HEADERS)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def sign_in_form(next: str = "/") -> Response:  # noqa: A002 (the query parameter's name)
        if not guard.required:
            return RedirectResponse("/", status_code=303)
        return form(back=_return_path(next), failed=False)

    @app.post("/login", include_in_schema=False, dependencies=[Depends(same_origin)])
    async def sign_in(request: Request) -> Response:
        fields = await read_form(request)
        back = _return_path(fields.get("next", "/"))
        if not guard.required:
            return RedirectResponse(back, status_code=303)
        if not guard.accepts(fields.get("token")):
            return form(back=back, failed=True)
        response = RedirectResponse(back, status_code=303)
        guard.start_session(response, request)
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[Depends(same_origin)])
    def sign_out() -> RedirectResponse:
        response = RedirectResponse("/login" if guard.required else "/", status_code=303)
        guard.end_session(response)
        return response


async def read_form(request: Request) -> dict[str, str]:
    """The first non-empty value of each field of an urlencoded form body."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    return {name: values[0] for name, values in fields.items() if values and values[0]}


def _return_path(path: str) -> str:
    return path if path in SIGN_IN_RETURNS else "/"


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
