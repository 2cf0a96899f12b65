"""The curated default sources (catalog.json), and the configured list turned into SourceSpecs.

Pure: reads a packaged data file, never the network. Data changes more often than code, so the
outlets live in JSON beside this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from alerts.models import JsonApiMapping, SourceSpec

CATALOG_PATH = Path(__file__).with_name("catalog.json")


def load_catalog(path: Path = CATALOG_PATH) -> list[dict[str, Any]]:
    """The catalog's source entries as plain mappings."""
    return list(json.loads(path.read_text(encoding="utf-8"))["sources"])


def source_specs(
    entries: Iterable[Mapping[str, Any]], *, default_interval_s: float, fast_interval_s: float
) -> list[SourceSpec]:
    """SourceSpecs with unique names; an entry without a name is named after its host."""
    specs: list[SourceSpec] = []
    taken: set[str] = set()
    for entry in entries:
        fast = bool(entry.get("fast", False))
        interval = entry.get("interval_seconds") or (
            min(fast_interval_s, default_interval_s) if fast else default_interval_s
        )
        name = _unique(entry.get("name") or _name_from_url(entry["url"]), taken)
        specs.append(
            SourceSpec(
                name=name,
                url=entry["url"],
                interval_s=float(interval),
                fast=fast,
                honour_cache_hints=entry.get("honour_cache_hints"),
                json_api=_mapping(entry),
            )
        )
    return specs


def _mapping(entry: Mapping[str, Any]) -> JsonApiMapping | None:
    if entry.get("format") != "json_api":
        return None
    return JsonApiMapping(**(entry.get("mapping") or {}))


def _name_from_url(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"[^a-z0-9]+", "-", f"{parts.hostname or 'source'}{parts.path}".lower()).strip(
        "-"
    )


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate
