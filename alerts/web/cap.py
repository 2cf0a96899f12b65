"""One alert revision as an OASIS CAP 1.2 message (Common Alerting Protocol, XML).

Pure: `render_cap(alert, sender=..., earlier=...)` returns the message's bytes. Every text comes
from feeds (hostile): ElementTree escapes the XML specials and `xml_text` drops what XML 1.0
cannot carry (NUL and other control characters, lone surrogates), so the output is always
well-formed. Each message validates against the official CAP 1.2 schema
(tests/contract/schemas/CAP-v1.2.xsd).

    alert revision                          msgType  references
    new                                     Alert    -
    update                                  Update   every earlier revision still stored
    correction that retracts the launch     Cancel   every earlier revision still stored
    correction of facts (still a launch)    Update   every earlier revision still stored

A correction that only corrects facts is an Update, not a Cancel: CAP's Cancel tells the
receiving tool to withdraw the earlier messages, which is right only when the launch did not
happen as reported (`changes == ("retracted",)`); a corrected missile class or landing area
still describes a real launch, so it supersedes the earlier messages as an Update does.

Identifiers: `<event_id>-r<revision>` (percent-encoded outside `A-Z a-z 0-9 - _ . ~`, so never
a space, comma, `<` or `&`); `references` name earlier ones as `sender,identifier,sent`;
`incidents` holds the event's id, which threads every revision of one launch. `sent` is the
revision's detection time in UTC, to the second, written `+00:00` as the schema's pattern wants.

Urgency, severity and certainty are derived from the facts and the detector's confidence:

    urgency    Past        the correction retracts the launch
               Immediate   sent within 1 h of the stated launch time (else of the first report)
               Past        later than that: the flight is over
               Unknown     neither time is known
    severity   Minor       the correction retracts the launch
               Extreme     landed inside Japan's EEZ and a long-range class (ICBM, IRBM, SLBM,
                           hypersonic)
               Severe      one of the two
               Moderate    any other launch (SRBM, MRBM, unidentified or unstated class)
    certainty  Unlikely    the correction retracts the launch
               Observed    an authority confirmed it (`facts.authority`: JCS, Japan MOD...)
               Likely      detector confidence >= 0.8
               Possible    below that

Status is `Test` for marked test alerts, else `Actual`; scope `Public`; one `info` in en-US
with category `Security`; `parameter`s carry every stated fact by its field name; an `area`
with `areaDesc` only (no polygon or circle) when the landing area or Japan's EEZ is stated.
`expires` is 24 h after `sent`, so a tool that missed the follow-ups does not show a launch
alert for ever. `sender` is `missile-alerts@<host>` (the first ALERTS_WEB_ALLOWED_HOSTS name).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

from alerts.models import Alert, AlertKind, MissileClass
from alerts.notify.base import (
    as_utc,
    change_words,
    country_name,
    fact_lines,
    headline,
    one_line,
    revision_label,
    safe_http_url,
)

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_MEDIA_TYPE = "application/cap+xml"
SENDER_NAME = "missile-alerts"
EVENT_TEXT = "Ballistic missile launch"
IMMEDIATE_WITHIN = timedelta(hours=1)
EXPIRES_AFTER = timedelta(hours=24)
LONG_RANGE = frozenset({MissileClass.ICBM, MissileClass.IRBM, MissileClass.SLBM,
                        MissileClass.HYPERSONIC})  # fmt: skip
LIKELY_CONFIDENCE = 0.8

# Everything XML 1.0 cannot carry (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/FFFF)
# plus DEL and the C1 controls, which it can carry but no reader should be shown.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_IDENTIFIER = re.compile(r"(?P<event>.+)-r(?P<revision>[1-9][0-9]{0,5})")
_SAFE_ID_CHARS = "-_.~"


def xml_text(text: str, *, multiline: bool = False) -> str:
    """Feed text fit for an XML element or attribute: no control characters; one line unless
    `multiline` (then line breaks stay, other whitespace controls become spaces)."""
    if not multiline:
        return one_line(_NOT_XML.sub(" ", text))
    lines = _NOT_XML.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    return "\n".join(one_line(line) for line in lines).strip("\n")


def cap_identifier(event_id: str, revision: int) -> str:
    """`kp-20261202-0810-ab12-r2`: unique per revision, free of CAP's forbidden characters."""
    return f"{quote(event_id, safe=_SAFE_ID_CHARS)}-r{revision}"


def parse_cap_identifier(identifier: str) -> tuple[str, int] | None:
    """(event id, revision) of a `cap_identifier`, or None if it is not one."""
    match = _IDENTIFIER.fullmatch(identifier)
    if match is None:
        return None
    event_id = unquote(match["event"])
    if cap_identifier(event_id, int(match["revision"])) != identifier:
        return None  # only the one canonical spelling names a message
    return event_id, int(match["revision"])


def cap_time(when: datetime) -> str:
    """`2026-12-02T08:10:05+00:00`: UTC, whole seconds, the offset CAP's pattern requires."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def retracts(alert: Alert) -> bool:
    """A correction saying the launch was not a ballistic missile launch."""
    return alert.kind is AlertKind.CORRECTION and "retracted" in alert.changes


def msg_type(alert: Alert) -> str:
    if alert.kind is AlertKind.NEW:
        return "Alert"
    return "Cancel" if retracts(alert) else "Update"


def urgency(alert: Alert) -> str:
    if retracts(alert):
        return "Past"
    reference = alert.facts.launch_time or alert.first_published_at
    if reference is None:
        return "Unknown"
    age = as_utc(alert.detected_at) - as_utc(reference)
    return "Immediate" if age <= IMMEDIATE_WITHIN else "Past"


def severity(alert: Alert) -> str:
    if retracts(alert):
        return "Minor"
    long_range = alert.facts.missile_class in LONG_RANGE
    in_eez = alert.facts.inside_japan_eez is True
    if long_range and in_eez:
        return "Extreme"
    return "Severe" if long_range or in_eez else "Moderate"


def certainty(alert: Alert) -> str:
    if retracts(alert):
        return "Unlikely"
    if alert.facts.authority:
        return "Observed"
    return "Likely" if alert.confidence >= LIKELY_CONFIDENCE else "Possible"


def area_description(alert: Alert) -> str | None:
    """The landing area as stated, with Japan's EEZ when stated; None if neither is known."""
    area = alert.facts.landing_area
    eez = alert.facts.inside_japan_eez
    if eez is True:
        return f"{area} (inside Japan's EEZ)" if area else "Japan's exclusive economic zone (EEZ)"
    if eez is False and area:
        return f"{area} (outside Japan's EEZ)"
    return area or None


def reference(alert: Alert, *, sender: str) -> str:
    """`sender,identifier,sent`: how a later message names this one."""
    return (
        f"{sender},{cap_identifier(alert.event_id, alert.revision)},{cap_time(alert.detected_at)}"
    )


def description(alert: Alert) -> str:
    """The report's title, what this revision changes, then every stated fact, one a line."""
    lines = [alert.title]
    label = revision_label(alert)
    if retracts(alert):
        lines.append("Correction: the launch was retracted; it was not a ballistic missile launch.")
    elif label:
        changed = ", ".join(change_words(alert))
        lines.append(f"{label}: {changed}" if changed else label)
    lines += [f"{name}: {value}" for name, value in fact_lines(alert)]
    sources = sorted({s.source for s in alert.sources})
    if sources:
        lines.append(f"Sources: {', '.join(sources)}")
    return "\n".join(xml_text(line) for line in lines if line.strip())


def parameters(alert: Alert) -> list[tuple[str, str]]:
    """(valueName, value) for every stated fact, then the event's id, kind and confidence."""
    pairs = [(name, _parameter_value(value)) for name, value in alert.facts.as_dict().items()]
    if alert.facts.launch_time is not None:  # as CAP writes times, not as stored
        pairs = [(n, cap_time(alert.facts.launch_time) if n == "launch_time" else v)
                 for n, v in pairs]  # fmt: skip
    pairs += [
        ("event_id", alert.event_id),
        ("revision", str(alert.revision)),
        ("kind", str(alert.kind)),
        ("confidence", f"{alert.confidence:.2f}"),
    ]
    if alert.changes:
        pairs.append(("changes", " ".join(alert.changes)))
    return pairs


def render_cap(alert: Alert, *, sender: str, earlier: Sequence[Alert] = ()) -> bytes:
    """The CAP 1.2 message of one alert revision; `earlier`: the event's earlier revisions
    still stored (any order; others are ignored), named in `references`."""
    root = ET.Element(_cap("alert"))
    _add(root, "identifier", cap_identifier(alert.event_id, alert.revision))
    _add(root, "sender", sender)
    _add(root, "sent", cap_time(alert.detected_at))
    _add(root, "status", "Test" if alert.test else "Actual")
    _add(root, "msgType", msg_type(alert))
    _add(root, "scope", "Public")
    note = _note(alert)
    if note:
        _add(root, "note", note)
    previous = sorted(
        (a for a in earlier if a.event_id == alert.event_id and a.revision < alert.revision),
        key=lambda a: a.revision,
    )
    if previous and alert.kind is not AlertKind.NEW:
        _add(root, "references", " ".join(reference(a, sender=sender) for a in previous))
    _add(root, "incidents", quote(alert.event_id, safe=_SAFE_ID_CHARS))
    _info(root, alert)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS)
    return xml


def _info(root: ET.Element, alert: Alert) -> None:
    info = _add(root, "info")
    _add(info, "language", "en-US")
    _add(info, "category", "Security")
    _add(info, "event", EVENT_TEXT + (" (test)" if alert.test else ""))
    if retracts(alert):
        _add(info, "responseType", "AllClear")
    _add(info, "urgency", urgency(alert))
    _add(info, "severity", severity(alert))
    _add(info, "certainty", certainty(alert))
    if alert.facts.launch_time is not None:
        _add(info, "onset", cap_time(alert.facts.launch_time))
    _add(info, "expires", cap_time(alert.detected_at + EXPIRES_AFTER))
    _add(info, "senderName", SENDER_NAME)
    _add(info, "headline", headline(alert))
    _add(info, "description", description(alert), multiline=True)
    web = safe_http_url(alert.url)
    if web:
        _add(info, "web", web)
    for name, value in parameters(alert):
        parameter = _add(info, "parameter")
        _add(parameter, "valueName", name)
        _add(parameter, "value", value)
    where = area_description(alert)
    if where:
        _add(_add(info, "area"), "areaDesc", where)


def _note(alert: Alert) -> str | None:
    parts = []
    if alert.test:
        parts.append("Test message from missile-alerts: not a real launch.")
    if retracts(alert):
        country = country_name(alert.facts.country)
        parts.append(f"Retracted: the reported launch{f' by {country}' if country else ''} "
                     "was not a ballistic missile launch.")  # fmt: skip
    return " ".join(parts) or None


def _parameter_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cap(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _add(parent: ET.Element, tag: str, text: str | None = None, *, multiline: bool = False
         ) -> ET.Element:  # fmt: skip
    element = ET.SubElement(parent, _cap(tag))
    if text is not None:
        element.text = xml_text(text, multiline=multiline)
    return element
