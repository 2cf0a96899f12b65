"""Generic JSON webhooks with Standard Webhooks ids (alerts.notify.webhook)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from alerts.errors import DeliveryError, DeliveryReason
from alerts.events.cluster import UPDATE_FIELDS
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import webhook
from alerts.notify.base import Transport
from alerts.redact import Secret

WEBHOOK_URL = "https://hooks.example.com/in/XXXSECRETXXX?token=abc"
DESTINATION = Destination(id="partner-1", channel="webhook", url=Secret(WEBHOOK_URL))
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)


def make_alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event_id": "kp-20261125-1",
        "kind": AlertKind.UPDATE,
        "revision": 2,
        "title": "N. Korea fires <b>ICBM</b>",
        "url": "https://en.yna.co.kr/view/AEN1",
        "facts": Facts(country="KP", missile_class="ICBM", launch_time=T0, apogee_km=6000.0),
        "changes": ("missile_class", "apogee_km"),
        "confidence": 0.97,
        "detected_at": datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        "first_published_at": T0,
        "sources": (
            SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),
            SourceRef("nhk", "n1", "https://nhk.example/1", "北朝鮮 弾道ミサイル"),
        ),
    }
    values.update(changes)
    return Alert(**values)


class TestRender:
    def test_whole_payload(self) -> None:
        """The body is the documented JSON document, times as ISO 8601 strings."""
        assert webhook.render(make_alert(), DESTINATION) == {
            "schema_version": 1,
            "type": "missile_launch.alert",
            "event_id": "kp-20261125-1",
            "kind": "update",
            "revision": 2,
            "title": "N. Korea fires <b>ICBM</b>",
            "url": "https://en.yna.co.kr/view/AEN1",
            "facts": {
                "country": "KP",
                "missile_class": "ICBM",
                "launch_time": "2026-11-25T07:15:00+00:00",
                "apogee_km": 6000.0,
            },
            "changes": ["missile_class", "apogee_km"],
            "confidence": 0.97,
            "sources": [
                {
                    "source": "yonhap",
                    "item_id": "y1",
                    "url": "https://en.yna.co.kr/view/AEN1",
                    "title": "N. Korea fires",
                    "published_at": "2026-11-25T07:15:00+00:00",
                },
                {
                    "source": "nhk",
                    "item_id": "n1",
                    "url": "https://nhk.example/1",
                    "title": "北朝鮮 弾道ミサイル",
                    "published_at": None,
                },
            ],
            "first_published_at": "2026-11-25T07:15:00+00:00",
            "detected_at": "2026-11-25T07:16:00+00:00",
            "test": False,
            "language": "en",
            "text": "Update #2: Ballistic missile launch — North Korea (changed: missile class, "
            "apogee): N. Korea fires <b>ICBM</b> https://en.yna.co.kr/view/AEN1",
        }

    def test_payload_is_plain_json(self) -> None:
        """The payload round-trips through JSON unchanged (no enums or datetimes left)."""
        payload = webhook.render(make_alert(first_published_at=None, test=True), DESTINATION)
        assert json.loads(json.dumps(payload)) == payload
        assert (payload["first_published_at"], payload["test"]) == (None, True)
        assert type(payload["kind"]) is str


def transport_answering(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[Transport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return Transport(http=httpx.Client(transport=httpx.MockTransport(record))), seen


def send(alert: Alert, destination: Destination, transport: Transport) -> None:
    webhook.send(webhook.render(alert, destination), destination, transport)


class TestSend:
    def test_headers_and_body(self) -> None:
        """A delivery is a JSON POST carrying webhook-id and webhook-timestamp headers."""
        transport, seen = transport_answering(lambda r: httpx.Response(204))
        before = int(time.time())
        with transport.http:
            send(make_alert(), DESTINATION, transport)
        [request] = seen
        assert (request.method, str(request.url)) == ("POST", WEBHOOK_URL)
        assert request.headers["content-type"] == "application/json"
        assert re.fullmatch(r"msg_[0-9a-f]{32}", request.headers["webhook-id"])
        assert before <= int(request.headers["webhook-timestamp"]) <= int(time.time())
        assert json.loads(request.content) == webhook.render(make_alert(), DESTINATION)

    def test_webhook_id_is_stable_per_revision_and_destination(self) -> None:
        """Retries repeat the id; another revision or destination gets another id."""
        transport, seen = transport_answering(lambda r: httpx.Response(200))
        other = Destination(id="partner-2", channel="webhook", url=Secret(WEBHOOK_URL))
        with transport.http:
            send(make_alert(), DESTINATION, transport)
            send(make_alert(), DESTINATION, transport)
            send(make_alert(revision=3), DESTINATION, transport)
            send(make_alert(), other, transport)
        ids = [request.headers["webhook-id"] for request in seen]
        assert ids[0] == ids[1]
        assert len(set(ids)) == 3

    @pytest.mark.parametrize(
        ("status", "headers", "reason", "retryable", "retry_after_s"),
        [
            (429, {"Retry-After": "12"}, DeliveryReason.RATE_LIMITED, True, 12.0),
            (500, {}, DeliveryReason.SERVER_ERROR, True, None),
            (503, {"Retry-After": "2"}, DeliveryReason.SERVER_ERROR, True, 2.0),
            (400, {}, DeliveryReason.CLIENT_ERROR, False, None),
            (401, {}, DeliveryReason.AUTH_ERROR, False, None),
            (410, {}, DeliveryReason.CLIENT_ERROR, False, None),
        ],
    )
    def test_status_failures(
        self,
        status: int,
        headers: dict[str, str],
        reason: DeliveryReason,
        retryable: bool,
        retry_after_s: float | None,
    ) -> None:
        """Non-2xx answers raise a DeliveryError classified by status, without the URL."""
        transport, _ = transport_answering(
            lambda r: httpx.Response(status, headers=headers, text=f"bad {WEBHOOK_URL}")
        )
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), DESTINATION, transport)
        error = caught.value
        assert (error.channel, error.reason, error.retryable, error.retry_after_s) == (
            "webhook",
            reason,
            retryable,
            retry_after_s,
        )
        assert "XXXSECRETXXX" not in str(error) + repr(error)

    @pytest.mark.parametrize(
        ("exc", "reason"),
        [(httpx.ConnectError, DeliveryReason.NETWORK), (httpx.ReadTimeout, DeliveryReason.TIMEOUT)],
    )
    def test_transport_exceptions(
        self, exc: type[httpx.TransportError], reason: DeliveryReason
    ) -> None:
        """Network failures and timeouts are retryable and never name the URL."""

        def fail(request: httpx.Request) -> httpx.Response:
            raise exc(f"failed for {request.url}", request=request)

        transport, _ = transport_answering(fail)
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), DESTINATION, transport)
        assert (caught.value.reason, caught.value.retryable) == (reason, True)
        assert "XXXSECRETXXX" not in str(caught.value) + repr(caught.value)
        assert caught.value.__cause__ is None

    def test_bad_url_is_not_retryable(self) -> None:
        """A URL httpx cannot use is a configuration error."""
        transport, _ = transport_answering(lambda r: httpx.Response(200))
        bad = Destination(id="d", channel="webhook", url=Secret("hooks.example.com/XXXSECRETXXX"))
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), bad, transport)
        assert (caught.value.reason, caught.value.retryable) == (
            DeliveryReason.CLIENT_ERROR,
            False,
        )
        assert "XXXSECRETXXX" not in str(caught.value)


KEY_OLD = "whsec_" + base64.b64encode(b"old-key-XXXKEYONEXXX-0123456789ab").decode()
KEY_NEW = "whsec_" + base64.b64encode(b"new-key-XXXKEYTWOXXX-0123456789ab").decode()


def signed(*keys: str) -> Destination:
    return dataclasses.replace(DESTINATION, signing_secrets=tuple(Secret(k) for k in keys))


def sent_request(destination: Destination, alert: Alert | None = None) -> httpx.Request:
    transport, seen = transport_answering(lambda r: httpx.Response(200))
    with transport.http:
        send(alert or make_alert(), destination, transport)
    [request] = seen
    return request


class TestSignature:
    def test_one_key_verifies_with_standardwebhooks(self) -> None:
        """A receiver using the standardwebhooks library verifies the body we sent."""
        request = sent_request(signed(KEY_OLD))
        signature = request.headers["webhook-signature"]
        assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", signature)
        verified = Webhook(KEY_OLD).verify(request.content, dict(request.headers))
        assert verified == webhook.render(make_alert(), DESTINATION)

    def test_rotation_sends_one_signature_per_key(self) -> None:
        """With two keys two signatures are sent, and each key alone verifies the message."""
        request = sent_request(signed(KEY_OLD, KEY_NEW))
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for key in (KEY_OLD, KEY_NEW):
            Webhook(key).verify(request.content, dict(request.headers))
        third = "whsec_" + base64.b64encode(b"some-other-key-0123456789abcdef").decode()
        with pytest.raises(WebhookVerificationError):
            Webhook(third).verify(request.content, dict(request.headers))

    def test_signature_covers_exactly_the_bytes_sent(self) -> None:
        """Any change to the body, id or timestamp breaks the signature."""
        request = sent_request(signed(KEY_OLD))
        headers = dict(request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(KEY_OLD).verify(request.content + b" ", headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(KEY_OLD).verify(request.content, {**headers, "webhook-id": "msg_other"})
        stale = str(int(headers["webhook-timestamp"]) - 1)
        with pytest.raises(WebhookVerificationError):
            Webhook(KEY_OLD).verify(request.content, {**headers, "webhook-timestamp": stale})

    def test_non_ascii_body_is_signed_as_utf8(self) -> None:
        """Korean and Japanese titles travel as UTF-8 and still verify."""
        alert = make_alert(title="北朝鮮が弾道ミサイル発射 — 합참")
        request = sent_request(signed(KEY_NEW), alert)
        assert "北朝鮮".encode() in request.content
        assert Webhook(KEY_NEW).verify(request.content, dict(request.headers))["title"] == (
            alert.title
        )

    def test_key_without_prefix_is_accepted(self) -> None:
        """A bare base64 key (no whsec_ prefix) signs like the prefixed one."""
        bare = KEY_OLD.removeprefix("whsec_")
        request = sent_request(signed(bare))
        Webhook(KEY_OLD).verify(request.content, dict(request.headers))

    def test_unsigned_without_keys(self) -> None:
        """A destination without keys sends no signature header."""
        assert "webhook-signature" not in sent_request(DESTINATION).headers

    @pytest.mark.parametrize("key", ["whsec_", "whsec_not base64!!", "XXXBADKEYXXX%%"])
    def test_malformed_key_is_a_final_error_without_the_key(self, key: str) -> None:
        """A key that is not base64 fails before sending, naming its position, not its value."""
        transport, seen = transport_answering(lambda r: httpx.Response(200))
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), signed(KEY_OLD, key), transport)
        error = caught.value
        assert (error.reason, error.retryable, seen) == (DeliveryReason.CLIENT_ERROR, False, [])
        assert "#2" in str(error)
        for text in (str(error), repr(error)):
            assert "XXXBADKEYXXX" not in text
            assert KEY_OLD not in text

    def test_signatures_never_reach_errors(self) -> None:
        """A failing signed delivery's error holds no key."""
        transport, _ = transport_answering(lambda r: httpx.Response(500, text=KEY_OLD))
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), signed(KEY_OLD), transport)
        assert "XXXKEYONEXXX" not in str(caught.value) + repr(caught.value)
        assert KEY_OLD not in str(caught.value) + repr(caught.value)


SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "webhook-payload.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def schema_errors(instance: Any) -> list[str]:
    """Validation errors against the published schema: with `jsonschema` when installed,
    else with the small structural checker below (it covers every keyword the schema uses)."""
    try:
        import jsonschema
    except ImportError:
        return list(_check(instance, SCHEMA, "$"))
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(instance)]


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "type", "const", "enum",
          "required", "properties", "items", "anyOf", "minimum", "maximum", "minLength",
          "pattern", "format"}  # fmt: skip


def _check(value: Any, schema: dict[str, Any], where: str) -> Iterator[str]:  # noqa: C901
    unknown = set(schema) - _KNOWN
    assert not unknown, f"the fallback checker does not know {unknown}"
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].removeprefix("#/$defs/")]
        yield from _check(value, schema, where)
        return
    if "anyOf" in schema and all(list(_check(value, s, where)) for s in schema["anyOf"]):
        yield f"{where}: matches no alternative"
    if "type" in schema and not _TYPES[schema["type"]](value):
        yield f"{where}: not {schema['type']}"
        return
    if "const" in schema and value != schema["const"]:
        yield f"{where}: not {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where}: not one of {schema['enum']}"
    if "minimum" in schema and value < schema["minimum"]:
        yield f"{where}: below {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        yield f"{where}: above {schema['maximum']}"
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield f"{where}: shorter than {schema['minLength']}"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        yield f"{where}: does not match {schema['pattern']}"
    for name in schema.get("required", []):
        if name not in value:
            yield f"{where}: {name} is missing"
    for name, sub in schema.get("properties", {}).items():
        if isinstance(value, dict) and name in value:
            yield from _check(value[name], sub, f"{where}.{name}")
    if "items" in schema:
        for n, item in enumerate(value):
            yield from _check(item, schema["items"], f"{where}[{n}]")


FULL_FACTS = Facts(
    country="KP",
    missile_class="ICBM",
    count=2,
    count_text="two",
    launch_time=datetime(2026, 11, 25, 7, 10),  # naive: taken as UTC
    launch_time_text="16:10 KST",
    launch_site="Sunan",
    landing_area="East Sea",
    inside_japan_eez=False,
    distance_km=1000.0,
    apogee_km=6000.0,
    speed_mach=20.5,
    authority="South Korea JCS",
)


class TestSchema:
    @pytest.mark.parametrize(
        "changes",
        [
            {"kind": AlertKind.NEW, "revision": 1, "changes": ()},
            {},
            {"kind": AlertKind.CORRECTION, "revision": 3, "changes": ("retracted",)},
            {"facts": Facts(), "sources": (), "first_published_at": None},
            {"facts": FULL_FACTS, "test": True, "confidence": 1},
            {"detected_at": datetime(2026, 11, 25, 7, 16), "url": "", "title": ""},
        ],
        ids=["new", "update", "correction", "no-facts", "all-facts", "naive-time"],
    )
    def test_rendered_payloads_match_the_published_schema(self, changes: dict[str, Any]) -> None:
        """Every kind of payload, with and without optional facts, validates."""
        payload = json.loads(json.dumps(webhook.render(make_alert(**changes), DESTINATION)))
        assert schema_errors(payload) == []

    @pytest.mark.parametrize(
        ("path", "bad"),
        [
            (("kind",), "retraction"),
            (("revision",), 0),
            (("schema_version",), 2),
            (("facts", "count"), "two"),
            (("sources", 0, "published_at"), "yesterday"),
            (("detected_at",), None),
            (("changes", 0), "facts"),  # what deferred updates used to report
        ],
    )
    def test_schema_rejects_wrong_documents(self, path: tuple[Any, ...], bad: Any) -> None:
        """The schema (and the fallback checker) catch wrong values, so the test above bites."""
        payload = json.loads(json.dumps(webhook.render(make_alert(), DESTINATION)))
        target = payload
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = bad
        assert schema_errors(payload) != []
        del payload["event_id"]
        assert any("event_id" in error for error in schema_errors(payload))

    def test_schema_declares_every_field_we_send(self) -> None:
        """No field reaches receivers undocumented: payload keys and Facts fields are declared."""
        payload = webhook.render(make_alert(facts=FULL_FACTS), DESTINATION)
        assert set(payload) == set(SCHEMA["properties"]) == set(SCHEMA["required"])
        assert set(payload["sources"][0]) == set(SCHEMA["$defs"]["source"]["properties"])
        facts_schema = SCHEMA["$defs"]["facts"]["properties"]
        assert {f.name for f in dataclasses.fields(Facts)} == set(facts_schema)
        assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert payload["facts"]["launch_time"] == "2026-11-25T07:10:00+00:00"

    def test_changes_are_fact_names_or_the_two_event_words(self) -> None:
        """`changes` names facts (every field that can change), `another_launch` or
        `retracted`: the list the schema and docs/webhooks.md publish."""
        allowed = set(SCHEMA["properties"]["changes"]["items"]["enum"])
        facts = {f.name for f in dataclasses.fields(Facts)}
        assert allowed == facts | {"another_launch", "retracted"}
        assert set(UPDATE_FIELDS) <= facts
