"""Source lists in files: a JSON list (the ALERTS_SOURCES format) or OPML, both ways.

Why: ten thousand sources do not fit in an environment variable, and OPML is how every feed
reader exports its subscriptions, so ALERTS_SOURCES may name a file and `alerts sources export
--opml` writes one back. OPML outlines are read at any depth (folders are just grouping);
an outline's `xmlUrl` is the feed, its `title` (or `text`) the name, and our own attributes
`alertsInterval` (seconds) and `alertsFast` ("true") carry what OPML has no word for.
Parsing goes through defusedxml: a subscription file is input from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from alerts.models import SourceSpec

MAX_FILE_BYTES = 64 * 1024 * 1024  # 100,000 sources of OPML take about 20 MB


class SourceFileError(ValueError):
    """The file cannot be read as a source list; the message says where and why."""


def looks_like_path(value: str) -> bool:
    """A value of ALERTS_SOURCES that names a file rather than holding JSON."""
    text = value.strip()
    return bool(text) and not text.startswith(("[", "{", "http://", "https://"))


def read_source_file(path: Path) -> list[dict[str, Any]]:
    """The entries of a JSON or OPML source list, as ALERTS_SOURCES entries (dicts)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceFileError(f"{path}: {size} bytes, more than {MAX_FILE_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    head = raw.lstrip()[:1]
    if head in (b"[", b"{"):
        return _json_entries(path, raw)
    if head == b"<":
        return _opml_entries(path, raw)
    raise SourceFileError(f"{path}: neither a JSON list nor an OPML document")


def _json_entries(path: Path, raw: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceFileError(f"{path}: bad JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("sources"), list):
        data = data["sources"]
    if not isinstance(data, list):
        raise SourceFileError(f"{path}: a JSON source list must be a list")
    entries: list[dict[str, Any]] = []
    for n, entry in enumerate(data, 1):
        if isinstance(entry, str):
            entries.append({"url": entry})
        elif isinstance(entry, dict):
            entries.append(entry)
        else:
            raise SourceFileError(f"{path}: entry {n} is neither a URL nor an object")
    return entries


def _opml_entries(path: Path, raw: bytes) -> list[dict[str, Any]]:
    try:
        root = DefusedET.fromstring(raw)
    except (DefusedET.ParseError, DefusedXmlException) as exc:
        raise SourceFileError(f"{path}: bad OPML: {exc}") from None
    if root.tag != "opml":
        raise SourceFileError(f"{path}: the root element is <{root.tag}>, not <opml>")
    entries: list[dict[str, Any]] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue  # a folder, or a plain link
        entry: dict[str, Any] = {"url": url}
        name = (outline.get("title") or outline.get("text") or "").strip()
        if name:
            entry["name"] = name
        interval = outline.get("alertsInterval")
        if interval:
            try:
                entry["interval_seconds"] = float(interval)
            except ValueError:
                raise SourceFileError(
                    f"{path}: outline {url!r}: alertsInterval {interval!r} is not a number"
                ) from None
        if (outline.get("alertsFast") or "").lower() == "true":
            entry["fast"] = True
        entries.append(entry)
    return entries


def to_opml(sources: Iterable[SourceSpec], *, title: str = "missile-alerts sources") -> str:
    """An OPML 2.0 document of the sources, readable by any feed reader and by read_source_file.
    JSON news APIs are left out: a feed reader cannot poll them."""
    opml = Element("opml", version="2.0")
    head = SubElement(opml, "head")
    SubElement(head, "title").text = title
    body = SubElement(opml, "body")
    for spec in sources:
        if spec.json_api is not None:
            continue
        attrs = {"type": "rss", "text": spec.name, "title": spec.name, "xmlUrl": spec.url,
                 "alertsInterval": f"{spec.interval_s:g}"}  # fmt: skip
        if spec.fast:
            attrs["alertsFast"] = "true"
        SubElement(body, "outline", attrs)
    indent(opml)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(opml, encoding="unicode") + "\n"
