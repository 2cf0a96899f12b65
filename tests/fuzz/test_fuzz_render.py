"""Fuzz every channel's `render(alert, destination)` with alerts built from hostile feed text.

Properties, per channel in `alerts.notify.registry.CHANNELS`:
- render never raises, and its output serialises the way `send` sends it;
- Slack (webhook and bot): no `<…>` token but the links and date tokens Slack's renderer builds
  (so no `<!channel>`, `<!here>`, `<@U…>`, `<#C…>` or `<http://evil|text>` from a feed), and
  Block Kit limits hold (header 150, section 3000, 10 fields of 2000, 50 blocks, text 3000);
- Discord: `allowed_mentions: {"parse": []}`, no `@` that could mention, no unescaped `<`,
  `[` or `]` but in the links it builds, and the embed limits (6000 in all) hold;
- Teams: no unescaped `[`/`]` but its own links, every text within 2000, card under 28 KB;
- email: no CR/LF in a header value, the serialised message parses back to exactly our headers,
  no line over 998 octets, and the HTML part holds only our tags (no `<script`, `<img`, `on*=`
  attribute, or non-http(s) link);
- webhook: the body is strict JSON (no NaN/Infinity) and round-trips to the same document.
No channel lets feed text put a CR in its output or start a line with `Bcc:`/`Subject:`.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from alerts.models import Alert, AlertKind, Destination, Facts, MissileClass, SourceRef
from alerts.notify import discord, slack, teams
from alerts.notify.base import CHANGE_WORDS, COUNTRY_NAMES
from alerts.notify.registry import CHANNELS
from alerts.notify.slack_bot import BotMessage
from alerts.redact import Secret
from tests.fuzz.strategies import (
    Property,
    aware_times,
    fuzz_settings,
    hostile_text,
    hostile_url,
    small_text,
)

DESTINATIONS = {
    "slack": Destination("f-slack", "slack", url=Secret("https://hooks.slack.com/services/T/B/X")),
    "slack_bot": Destination(
        "f-bot",
        "slack_bot",
        url=Secret("https://slack.example/api/chat.postMessage"),
        token=Secret("xoxb-fuzz"),
        target="C0123",
    ),
    "webhook": Destination("f-hook", "webhook", url=Secret("https://hooks.example.com/in/X")),
    "discord": Destination("f-disc", "discord", url=Secret("https://discord.com/api/webhooks/1/X")),
    "teams": Destination("f-teams", "teams", url=Secret("https://x.webhook.office.com/w/X")),
    "email": Destination("f-mail", "email", recipients=("ops@example.com", "b@example.org")),
}

# ---- hostile alerts ------------------------------------------------------------------------

optional_text = st.one_of(st.none(), hostile_text)
finite = st.floats(allow_nan=False, allow_infinity=False)
facts = st.builds(
    Facts,
    country=st.one_of(st.none(), st.sampled_from(sorted(COUNTRY_NAMES)), small_text, hostile_text),
    missile_class=st.one_of(
        st.none(), st.sampled_from([m.value for m in MissileClass]), small_text
    ),
    count=st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12)),
    count_text=optional_text,
    launch_time=st.one_of(st.none(), aware_times),
    launch_time_text=optional_text,
    launch_site=optional_text,
    landing_area=optional_text,
    inside_japan_eez=st.one_of(st.none(), st.booleans()),
    distance_km=st.one_of(st.none(), finite),
    apogee_km=st.one_of(st.none(), finite),
    speed_mach=st.one_of(st.none(), finite),
    authority=optional_text,
)
source_refs = st.builds(
    SourceRef,
    source=st.one_of(st.sampled_from(["yonhap", "nhk"]), small_text, hostile_text),
    item_id=small_text,
    url=hostile_url,
    title=hostile_text,
    published_at=st.one_of(st.none(), aware_times),
)
alerts = st.builds(
    Alert,
    # Event ids are ours (country code, date, counter), not feed text.
    event_id=st.from_regex(r"[a-z]{2}-20[0-9]{6}-[0-9]{1,3}", fullmatch=True),
    kind=st.sampled_from(list(AlertKind)),
    revision=st.integers(min_value=1, max_value=10**6),
    title=hostile_text,
    url=hostile_url,
    facts=facts,
    confidence=st.floats(min_value=0.0, max_value=1.0),
    detected_at=aware_times,
    first_published_at=st.one_of(st.none(), aware_times),
    sources=st.one_of(
        st.lists(source_refs, max_size=3),
        st.lists(source_refs, min_size=40, max_size=60),
    ).map(tuple),
    reasons=st.lists(small_text, max_size=3).map(tuple),
    changes=st.lists(st.one_of(st.sampled_from(sorted(CHANGE_WORDS)), small_text), max_size=4).map(
        tuple
    ),
    test=st.booleans(),
)


# ---- helpers -------------------------------------------------------------------------------


def strings(value: Any, *, skip_keys: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string value anywhere inside a JSON-like value (keys in skip_keys left out)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip_keys:
                yield from strings(item, skip_keys=skip_keys)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, skip_keys=skip_keys)


def unescaped(text: str, chars: str) -> list[int]:
    """Positions of `chars` not escaped by a backslash (an even run of backslashes before)."""
    found = []
    for index, char in enumerate(text):
        if char in chars:
            run = len(text[:index]) - len(text[:index].rstrip("\\"))
            if run % 2 == 0:
                found.append(index)
    return found


def no_line_injection(text: str) -> None:
    """Feed text is folded to one line: no CR reaches a chat message (email headers are
    checked on the serialised message)."""
    assert "\r" not in text, "a CR from feed text"


# ---- Slack ---------------------------------------------------------------------------------

SLACK_OURS = re.compile(
    r"<((?i:https?)://[^|<>\s]+\|[^<>]*|!date\^-?\d+\^\{date_short_pretty\} \{time\}\|[^<>]*)>"
)
SLACK_SPECIAL = re.compile(r"<[!@#]")


def slack_text_safe(text: str) -> None:
    rest = SLACK_OURS.sub("", text)
    assert "<" not in rest, f"feed text made a Slack token: {rest[rest.index('<') :][:80]!r}"
    assert ">" not in rest, "a raw > in Slack text"
    for token in SLACK_OURS.findall(text):
        if token.startswith("!date"):
            continue
        assert not SLACK_SPECIAL.search(token)
    assert not re.search(r"<!(channel|here|everyone|subteam)|<@[UW]|<#C", SLACK_OURS.sub("", text))


def check_slack_body(body: dict[str, Any]) -> None:
    json.dumps(body, ensure_ascii=False).encode()
    assert len(body["text"]) <= slack.TEXT_MAX
    blocks = body["blocks"]
    assert len(blocks) <= slack.BLOCKS_MAX
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= slack.HEADER_MAX
            assert "\n" not in block["text"]["text"]
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= slack.SECTION_MAX
            fields = block.get("fields", [])
            assert len(fields) <= slack.FIELDS_MAX
            assert all(len(f["text"]) <= slack.FIELD_MAX for f in fields)
        elif block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
    for text in strings(body):
        slack_text_safe(text)
        no_line_injection(text)


def check_slack(alert: Alert) -> None:
    payload = CHANNELS["slack"].render(alert, DESTINATIONS["slack"])
    check_slack_body(payload)


def check_slack_bot(alert: Alert) -> None:
    payload = CHANNELS["slack_bot"].render(alert, DESTINATIONS["slack_bot"])
    assert isinstance(payload, BotMessage)
    check_slack_body(payload.body)


# ---- Discord -------------------------------------------------------------------------------

MD_LINK = re.compile(r"\[(?:[^\[\]\\]|\\.)*\]\((?i:https?)://[^\s()<>\[\]]+\)")
DISCORD_TIME = re.compile(r"<t:-?\d+:f>")


def discord_text_safe(text: str) -> None:
    rest = DISCORD_TIME.sub("", MD_LINK.sub("", text))
    at = re.search(r"@(?:everyone|here)", rest)
    assert at is None, f"an @ that could mention: {rest[max(at.start() - 60, 0) :][:100]!r}"
    assert not unescaped(rest, "<"), "an unescaped <"
    assert not unescaped(rest, "[]"), "an unescaped [ or ] outside our links"
    no_line_injection(text)


def check_discord(alert: Alert) -> None:
    payload = CHANNELS["discord"].render(alert, DESTINATIONS["discord"])
    json.dumps(payload, ensure_ascii=False).encode()
    assert payload["allowed_mentions"] == {"parse": []}
    [embed] = payload["embeds"]
    assert len(payload["content"]) <= discord.CONTENT_MAX
    assert len(embed["title"]) <= discord.TITLE_MAX
    assert len(embed["description"]) <= discord.DESCRIPTION_MAX
    assert len(embed["fields"]) <= discord.FIELDS_MAX
    for field in embed["fields"]:
        assert len(field["name"]) <= discord.FIELD_NAME_MAX
        assert len(field["value"]) <= discord.FIELD_VALUE_MAX
    assert len(embed["footer"]["text"]) <= discord.FOOTER_MAX
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= discord.EMBED_TOTAL_MAX
    if "url" in embed:
        assert re.match(r"(?i)https?://", embed["url"])
    for text in strings(payload, skip_keys=frozenset({"url", "timestamp"})):
        discord_text_safe(text)


# ---- Teams ---------------------------------------------------------------------------------


def check_teams(alert: Alert) -> None:
    payload = CHANNELS["teams"].render(alert, DESTINATIONS["teams"])
    body = json.dumps(payload, ensure_ascii=False).encode()
    assert len(body) < 28_000, f"card of {len(body)} bytes over the Teams limit"
    for text in strings(payload, skip_keys=frozenset({"url", "$schema"})):
        assert len(text) <= teams.TEXT_MAX
        assert not unescaped(MD_LINK.sub("", text), "[]"), "an unescaped [ or ] outside our links"
        no_line_injection(text)
    for action in payload["attachments"][0]["content"].get("actions", []):
        assert re.match(r"(?i)https?://", action["url"])


# ---- email ---------------------------------------------------------------------------------

EMAIL_HEADERS = {
    "subject", "to", "date", "message-id", "in-reply-to", "references", "auto-submitted",
    "mime-version", "content-type",
}  # fmt: skip
HTML_TAGS = {"html", "body", "p", "strong", "h2", "h3", "a", "table", "tr", "th", "td", "ul", "li",
             "small"}  # fmt: skip


class _TagAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name == "href" and not re.match(r"(?i)https?://", value or ""):
                self.problems.append(f"link to {value!r}")
            if name not in {"href", "align"}:
                self.problems.append(f"attribute {name} on <{tag}>")


def check_email(alert: Alert) -> None:
    message = CHANNELS["email"].render(alert, DESTINATIONS["email"])
    for name, value in message.items():
        assert "\r" not in str(value), f"CR in {name}"
        assert "\n" not in str(value), f"LF in {name}"
    data = message.as_bytes(policy=email.policy.SMTP)
    for line in data.split(b"\r\n"):
        assert len(line) <= 998, f"a line of {len(line)} octets"
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    names = {name.lower() for name in parsed}
    assert names <= EMAIL_HEADERS, f"unexpected headers {sorted(names - EMAIL_HEADERS)}"
    html_part = parsed.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert not re.search(r"(?i)<\s*(script|img|svg|iframe)", html)
    audit = _TagAudit()
    audit.feed(html)
    audit.close()
    assert audit.problems == []
    text_part = parsed.get_body(preferencelist=("plain",))
    assert text_part is not None
    assert "\r" not in text_part.get_content().replace("\r\n", "\n")


# ---- webhook -------------------------------------------------------------------------------


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def check_webhook(alert: Alert) -> None:
    payload = CHANNELS["webhook"].render(alert, DESTINATIONS["webhook"])
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(body, parse_constant=_no_constant) == payload
    assert payload["title"] == alert.title
    assert payload["url"] == alert.url
    assert len(payload["sources"]) == len(alert.sources)


def check_email_subject_survives(alert: Alert) -> None:
    """What a mail client shows as Subject is what we set (whitespace aside)."""
    message = CHANNELS["email"].render(alert, DESTINATIONS["email"])
    data = message.as_bytes(policy=email.policy.SMTP)
    shown = email.message_from_bytes(data, policy=email.policy.default)["Subject"]
    # Feed text may itself hold "=?" (a title "=?utf-8?q?x?="); any more is a broken word.
    set_count = str(message["Subject"]).count("=?")
    assert shown.count("=?") == set_count, f"a broken encoded word reaches the reader: {shown!r}"
    assert "".join(shown.split()) == "".join(message["Subject"].split())


SUBJECT_EXAMPLE = (  # a minimal failing title (shrunk by hand from a fuzz find)
    "aaaaaaaaaaaaaa a\u05df\u059da\xb7\U000485d8\xe7\u05ee\U0001f78d\u05b0 \u05cd\u05d4 \u059d"
)
no_country_alerts = alerts.map(
    lambda a: dataclasses.replace(a, facts=dataclasses.replace(a.facts, country=None))
)

CHECKS = {
    "slack": check_slack,
    "slack_bot": check_slack_bot,
    "discord": check_discord,
    "teams": check_teams,
    "email": check_email,
    "webhook": check_webhook,
}
PROPERTIES: dict[str, Property] = {
    f"render.{name}": Property(alerts, check) for name, check in CHECKS.items()
}
PROPERTIES["render.email_subject_roundtrip"] = Property(
    no_country_alerts, check_email_subject_survives
)


def test_every_registered_channel_is_fuzzed() -> None:
    assert set(CHECKS) == set(CHANNELS) == set(DESTINATIONS)


@fuzz_settings(80)
@given(alerts)
def test_slack(alert: Alert) -> None:
    check_slack(alert)


@fuzz_settings(40)
@given(alerts)
def test_slack_bot(alert: Alert) -> None:
    check_slack_bot(alert)


@fuzz_settings(80)
@given(alerts)
def test_discord(alert: Alert) -> None:
    check_discord(alert)


@fuzz_settings(60)
@given(alerts)
def test_teams(alert: Alert) -> None:
    check_teams(alert)


@fuzz_settings(60)
@given(alerts)
def test_email(alert: Alert) -> None:
    check_email(alert)


@fuzz_settings(60)
@given(alerts)
def test_webhook(alert: Alert) -> None:
    check_webhook(alert)


@fuzz_settings(50)
@given(no_country_alerts)
@example(
    Alert(
        event_id="il-20261125-1",
        kind=AlertKind.NEW,
        revision=1,
        title=SUBJECT_EXAMPLE,
        url="https://news.example/1",
        facts=Facts(),
        confidence=0.9,
        detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        first_published_at=None,
        sources=(),
    )
)
@example(  # a feed title that itself looks like an encoded word (a fuzz find, seed 189147332)
    Alert(
        event_id="yy-20261125-2",
        kind=AlertKind.CORRECTION,
        revision=3,
        title="=?utf-8?q?x?=\u05c98ZH\u05ea d76 \x1b[31m<!channel>1,1",
        url="https://news.example/2",
        facts=Facts(),
        confidence=0.9,
        detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        first_published_at=None,
        sources=(),
        test=True,
    )
)
def test_email_subject_survives_folding(alert: Alert) -> None:
    check_email_subject_survives(alert)
