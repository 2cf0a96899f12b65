"""The alert stream as feeds: Atom for feed readers, CAP 1.2 for emergency-management tools.

    GET /feeds/alerts.atom          one entry per alert revision, newest first
    GET /feeds/cap.atom             an Atom index of the CAP messages, one per revision
    GET /feeds/cap/<identifier>.xml one CAP 1.2 message (alerts/web/cap.py); 404 if unknown

Both feeds hold the newest `FEED_ENTRIES` revisions detected within `FEED_WINDOW` of the
launch events still listed in the events index (the ones the dashboard and /api/events show;
each event commit prunes launches older than `EVENT_RETENTION_S`, 3 days, from it). Every
revision is stored under `alert:<event_id>:<revision>` with the events' 30-day TTL
(`EVENT_TTL_S`), so a CAP message stays fetchable by its identifier for 30 days even after its
event has left the index.

Atom entries are threaded by event (RFC 4685): every later revision carries
`thr:in-reply-to` naming the entry of the event's first revision, and every entry a category
with the event's id (scheme `urn:missile-alerts:event`). Entry ids are `urn:uuid:` UUIDv5s of
the revision's key, stable across restarts and hosts.

Responses carry a strong ETag (a hash of the body) and Last-Modified (the newest revision's
detection time) and answer 304 to a matching If-None-Match, or, without one, to an
If-Modified-Since no older than Last-Modified (RFC 9110 section 13.2.2). With a web token they
need it like the API does (bearer, session cookie), or HTTP Basic with the token as password,
for feed readers that cannot send headers (alerts/web/access.py).

Renderers are pure functions of alerts and a base URL; the route functions read Redis.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response

from alerts.events.codec import alert_from_json
from alerts.models import Alert
from alerts.notify.base import as_utc, country_name, headline, safe_http_url
from alerts.sources.fetch import http_date
from alerts.web.cap import (
    CAP_MEDIA_TYPE,
    CAP_NS,
    cap_identifier,
    cap_time,
    certainty,
    description,
    msg_type,
    parse_cap_identifier,
    render_cap,
    severity,
    urgency,
    xml_text,
)

if TYPE_CHECKING:
    from alerts.bootstrap import Runtime
    from alerts.web.access import TokenGuard

ATOM_NS = "http://www.w3.org/2005/Atom"
THREAD_NS = "http://purl.org/syndication/thread/1.0"
ATOM_MEDIA_TYPE = "application/atom+xml"
FEED_ENTRIES = 200
FEED_WINDOW = timedelta(days=30)
MAX_REVISION = 10_000  # a CAP identifier naming a later revision is refused without a lookup
EVENT_SCHEME = "urn:missile-alerts:event"
KIND_SCHEME = "urn:missile-alerts:kind"
COUNTRY_SCHEME = "urn:missile-alerts:country"
_ID_NAMESPACE = uuid.UUID("6f1d3c8e-2b7a-5c41-9e0d-3a8f5b6c7d21")  # this project's UUIDv5 root
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- pure renderers ---


def entry_id(alert_key: str) -> str:
    """The Atom id of one alert revision (`<event_id>:<revision>`)."""
    return uuid.uuid5(_ID_NAMESPACE, f"alert:{alert_key}").urn


def cap_entry_id(alert_key: str) -> str:
    """The Atom id of one revision's CAP message in the CAP index."""
    return uuid.uuid5(_ID_NAMESPACE, f"cap:{alert_key}").urn


def cap_url(base_url: str, alert: Alert) -> str:
    """Where GET /feeds/cap/<identifier>.xml serves this revision's CAP message."""
    identifier = cap_identifier(alert.event_id, alert.revision)
    return f"{base_url}/feeds/cap/{quote(identifier, safe='')}.xml"


def render_alerts_feed(alerts: Sequence[Alert], *, base_url: str) -> bytes:
    """Atom 1.0: one entry per revision, in the order given (newest first), threaded by event."""
    feed = _feed(
        alerts,
        base_url=base_url,
        path="/feeds/alerts.atom",
        title="missile-alerts: ballistic missile launch alerts",
        subtitle="Every alert revision (new, update, correction), newest first.",
    )
    for alert in alerts:
        entry = _entry(feed, alert, entry_id(alert.key), event_entry=entry_id)
        source = safe_http_url(alert.url)
        if source:
            _add(entry, "link", rel="alternate", href=source)
        _add(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=cap_url(base_url, alert))
        _add(entry, "summary", xml_text(alert.title), type="text")
        _add(entry, "content", description(alert), type="text")
    return _serialise(feed)


def render_cap_index(alerts: Sequence[Alert], *, base_url: str) -> bytes:
    """Atom 1.0 index of CAP messages: each entry links to its message (application/cap+xml)
    and repeats the message's main fields as `cap:` elements, for tools that filter first."""
    feed = _feed(
        alerts,
        base_url=base_url,
        path="/feeds/cap.atom",
        title="missile-alerts: CAP 1.2 messages",
        subtitle="One OASIS CAP 1.2 message per alert revision, newest first.",
    )
    for alert in alerts:
        entry = _entry(feed, alert, cap_entry_id(alert.key), event_entry=cap_entry_id)
        _add(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=cap_url(base_url, alert))
        _add(entry, "summary", xml_text(alert.title), type="text")
        for name, value in (
            ("identifier", cap_identifier(alert.event_id, alert.revision)),
            ("sent", cap_time(alert.detected_at)),
            ("status", "Test" if alert.test else "Actual"),
            ("msgType", msg_type(alert)),
            ("urgency", urgency(alert)),
            ("severity", severity(alert)),
            ("certainty", certainty(alert)),
        ):
            ET.SubElement(entry, f"cap:{name}").text = value
    return _serialise(feed)


def last_modified(alerts: Sequence[Alert]) -> datetime | None:
    """The newest revision's detection time, to the second (HTTP dates have no fractions)."""
    if not alerts:
        return None
    newest = max(as_utc(a.detected_at) for a in alerts)
    return newest.replace(microsecond=0)


def _feed(
    alerts: Sequence[Alert], *, base_url: str, path: str, title: str, subtitle: str
) -> ET.Element:
    # Literal prefixes declared on the root: ElementTree's own namespace handling cannot
    # write a default namespace beside unprefixed attributes.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xmlns:thr": THREAD_NS, "xmlns:cap": CAP_NS})
    _add(feed, "id", uuid.uuid5(_ID_NAMESPACE, f"feed:{path}").urn)
    _add(feed, "title", title, type="text")
    _add(feed, "subtitle", subtitle, type="text")
    _add(feed, "updated", _atom_time(last_modified(alerts) or _EPOCH))
    _add(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=f"{base_url}{path}")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/")
    _add(_add(feed, "author"), "name", "missile-alerts")
    _add(feed, "generator", "missile-alerts")
    return feed


def _entry(
    feed: ET.Element, alert: Alert, atom_id: str, *, event_entry: Callable[[str], str]
) -> ET.Element:
    """The parts both feeds share: id, title, times, categories, threading."""
    entry = _add(feed, "entry")
    _add(entry, "id", atom_id)
    _add(entry, "title", headline(alert), type="text")
    _add(entry, "published", _atom_time(alert.detected_at))
    _add(entry, "updated", _atom_time(alert.detected_at))
    _add(
        entry, "category", term=alert.event_id, scheme=EVENT_SCHEME, label=f"event {alert.event_id}"
    )
    _add(entry, "category", term=str(alert.kind), scheme=KIND_SCHEME)
    country = alert.facts.country
    if country:
        _add(entry, "category", term=country, scheme=COUNTRY_SCHEME,
             label=country_name(country) or country)  # fmt: skip
    if alert.revision > 1:
        ET.SubElement(entry, "thr:in-reply-to", ref=event_entry(f"{alert.event_id}:1"))
    return entry


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text, multiline=True)
    return element


def _serialise(feed: ET.Element) -> bytes:
    ET.indent(feed)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


def _atom_time(when: datetime) -> str:
    return as_utc(when).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- conditional GET ---


def not_modified(
    *,
    etag: str,
    modified: datetime | None,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """Whether a GET with these validators may be answered 304 (RFC 9110 13.1.2, 13.2.2):
    If-None-Match decides when present (weak comparison); else If-Modified-Since does."""
    if if_none_match is not None:
        offered = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in offered or etag.removeprefix("W/") in offered
    if if_modified_since is None or modified is None:
        return False
    since = http_date(if_modified_since)
    return since is not None and modified <= since


def conditional_response(
    request: Request, body: bytes, *, modified: datetime | None, media_type: str, private: bool
) -> Response:
    """200 with the body, or 304 when the client's copy is current; validators on both."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        # `no-cache`: store it, but ask every time (the 304 makes that cheap); `private`
        # keeps a token-protected feed out of shared caches.
        "Cache-Control": ("private, " if private else "") + "no-cache",
        "Vary": "Authorization, Cookie",
        "X-Content-Type-Options": "nosniff",
    }
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if not_modified(
        etag=etag,
        modified=modified,
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    ):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# --- reading Redis ---


def recent_alerts(
    rt: Runtime, *, now: datetime, limit: int = FEED_ENTRIES, window: timedelta = FEED_WINDOW
) -> list[Alert]:
    """The newest `limit` revisions detected within `window`, newest first, of the events in
    the events index: two MGETs (the events, then every revision of each)."""
    keys = rt.events.keys
    events = rt.events.recent_events(limit)  # each event has at least one revision
    alert_keys = [
        keys.alert(f"{event.event_id}:{revision}")
        for event in events
        for revision in range(1, min(event.revision, MAX_REVISION) + 1)
    ]
    stored = rt.redis.mget(alert_keys) if alert_keys else []
    alerts = [alert_from_json(raw) for raw in stored if raw]  # expired ones drop out
    alerts = [a for a in alerts if now - as_utc(a.detected_at) <= window]
    # Revisions detected in the same batch share a time: the newer launch (as the events
    # index and /api/events order them), then the later revision, comes first.
    newness = {event.event_id: -place for place, event in enumerate(events)}
    alerts.sort(
        key=lambda a: (as_utc(a.detected_at), newness.get(a.event_id, 0), a.revision), reverse=True
    )
    return alerts[:limit]


def load_revision(rt: Runtime, event_id: str, revision: int) -> tuple[Alert, list[Alert]] | None:
    """One stored revision and the event's earlier ones still stored (oldest first), or None:
    the earlier ones are read only once the asked one exists, so a made-up identifier costs
    one GET."""
    keys = rt.events.keys
    raw = rt.redis.get(keys.alert(f"{event_id}:{revision}"))
    if raw is None:
        return None
    alert = alert_from_json(raw)
    if alert.event_id != event_id or alert.revision != revision:
        return None
    earlier = [keys.alert(f"{event_id}:{n}") for n in range(1, revision)]
    stored = rt.redis.mget(earlier) if earlier else []
    return alert, [alert_from_json(r) for r in stored if r]


# --- routes ---


def cap_sender(hosts: Sequence[str]) -> str:
    """`missile-alerts@<host>`: the first allowed host name, else `localhost`. It names this
    deployment in every CAP message and `references`, so it must not change between runs."""
    host = next((h.strip() for h in hosts if h.strip()), "localhost")
    return f"missile-alerts@{host}"


def feed_routes(app: FastAPI, rt: Runtime, guard: TokenGuard, hosts: Sequence[str]) -> None:
    """Register the three feed routes; behind `guard` (bearer, cookie or Basic) if it is set."""
    sender = cap_sender(hosts)
    needs = [Depends(guard.feed_dependency)] if guard.required else []
    private = guard.required
    atom: dict[int | str, dict[str, Any]] = {
        200: {"content": {ATOM_MEDIA_TYPE: {}}},
        304: {"description": "Not modified"},
    }

    def alerts_feed(request: Request) -> Response:
        alerts = recent_alerts(rt, now=datetime.now(UTC))
        body = render_alerts_feed(alerts, base_url=_base_url(request))
        return conditional_response(request, body, modified=last_modified(alerts),
                                    media_type=ATOM_MEDIA_TYPE, private=private)  # fmt: skip

    def cap_index(request: Request) -> Response:
        alerts = recent_alerts(rt, now=datetime.now(UTC))
        body = render_cap_index(alerts, base_url=_base_url(request))
        return conditional_response(request, body, modified=last_modified(alerts),
                                    media_type=ATOM_MEDIA_TYPE, private=private)  # fmt: skip

    def cap_message(request: Request, identifier: str) -> Response:
        parsed = parse_cap_identifier(identifier)
        if parsed is None or parsed[1] > MAX_REVISION:
            raise HTTPException(404, "no such CAP message")
        found = load_revision(rt, *parsed)
        if found is None:
            raise HTTPException(404, "no such CAP message")
        alert, earlier = found
        body = render_cap(alert, sender=sender, earlier=earlier)
        return conditional_response(request, body, modified=last_modified([alert]),
                                    media_type=CAP_MEDIA_TYPE, private=private)  # fmt: skip

    def route(
        path: str,
        endpoint: Callable[..., Response],
        summary: str,
        responses: dict[int | str, dict[str, Any]],
    ) -> None:
        """GET, documented, and HEAD (feed readers probe with it), undocumented: one
        OpenAPI operation per path."""
        for method in ("GET", "HEAD"):
            app.add_api_route(path, endpoint, methods=[method], tags=["feeds"],
                              summary=summary, response_class=Response, responses=responses,
                              dependencies=needs, include_in_schema=method == "GET")  # fmt: skip

    route("/feeds/alerts.atom", alerts_feed,
          "Atom feed of alert revisions, newest first, threaded by event", atom)  # fmt: skip
    route("/feeds/cap.atom", cap_index,
          "Atom index of CAP 1.2 messages, one per alert revision", atom)  # fmt: skip
    route(
        "/feeds/cap/{identifier}.xml",
        cap_message,
        "One CAP 1.2 message by its identifier",
        {
            200: {"content": {CAP_MEDIA_TYPE: {}}},
            304: {"description": "Not modified"},
            404: {"description": "No such message (never sent, or expired after 30 days)"},
        },
    )


def _base_url(request: Request) -> str:
    """Scheme, host and root path this request reached us by (the Host header was checked
    against the allow-list by the middleware before any route ran)."""
    return str(request.base_url).rstrip("/")
