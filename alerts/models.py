"""Pure values that flow through the pipeline: source → Item → Verdict → Alert → Delivery.

Frozen, slotted stdlib dataclasses: cheap to build in the detection hot path and comparable
as whole values in tests. Times are aware UTC datetimes; enums are StrEnums so they log and
serialise as words. Nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from alerts.redact import Secret


@dataclass(frozen=True, slots=True)
class JsonApiMapping:
    """Where a JSON news API keeps each Item field: dot paths into its response.

    Defaults fit the GDELT DOC 2.0 API in `mode=artlist&format=json`.
    """

    items: str = "articles"
    title: str = "title"
    url: str = "url"
    id: str | None = None  # default: the URL
    summary: str | None = None
    published: str | None = "seendate"
    lang: str | None = "language"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source to poll. `name` is its stable id (Redis keys and schedule entries use it)."""

    name: str
    url: str
    interval_s: float
    fast: bool = False
    honour_cache_hints: bool | None = None  # None: the global setting decides
    json_api: JsonApiMapping | None = None  # set: a JSON news API, not a feed


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a feed, normalised. `id` is stable across polls (GUID, URL, or content hash)."""

    id: str
    source: str
    title: str
    url: str = ""
    summary: str = ""
    published_at: datetime | None = None
    lang: str | None = None
    published_local: str | None = None  # the source's own timestamp text, zone included


# Launchers that fire often, at others: named in a report, they are its launcher far more
# often than any other state it names, and they may fire on consecutive days. Hezbollah (LB)
# for its ballistic fire at central Israel of autumn 2024: as a state only guessed (a
# bystander), a Lebanese launch of the development split waited for a report naming Hezbollah
# for sure, or was missed.
HABITUAL_LAUNCHERS = frozenset({"KP", "IR", "YE", "RU", "LB"})

# The launchers of each region whose places the detector's [theatres] cues know: a report that
# names no launcher but names such a place ("Beersheba toll rises to four") is about one of
# these states' launches, never another region's launch of the same hour.
THEATRE_LAUNCHERS: dict[str, frozenset[str]] = {
    "east_asia": frozenset({"KP", "KR", "CN", "TW"}),
    "israel": frozenset({"IR", "YE", "LB", "IQ", "SY"}),
    "arabia": frozenset({"YE", "IR", "IQ"}),
    "iraq_syria": frozenset({"IR", "IQ", "SY"}),
    "ukraine": frozenset({"RU", "UA"}),
    "south_asia": frozenset({"IN", "PK"}),
    "us_test": frozenset({"US"}),
    "caucasus": frozenset({"AM", "AZ"}),
}


class MissileClass(StrEnum):
    SRBM = "SRBM"
    MRBM = "MRBM"
    IRBM = "IRBM"
    ICBM = "ICBM"
    SLBM = "SLBM"
    HYPERSONIC = "hypersonic"
    UNIDENTIFIED = "unidentified_ballistic"


@dataclass(frozen=True, slots=True)
class Facts:
    """What a report states about a launch. Every field is optional: flashes state little."""

    country: str | None = None  # ISO 3166-1 alpha-2 of the launching state (KP, IR, RU, YE...)
    missile_class: str | None = None  # a MissileClass value
    count: int | None = None
    count_text: str | None = None  # as stated: "at least two", "a barrage of 23"
    launch_time: datetime | None = None  # UTC
    launch_time_text: str | None = None  # as stated, with its zone
    launch_site: str | None = None
    landing_area: str | None = None
    inside_japan_eez: bool | None = None
    distance_km: float | None = None
    apogee_km: float | None = None
    speed_mach: float | None = None
    authority: str | None = None  # who confirmed it: "South Korea JCS", "Japan MOD", "IDF"...

    def merged(self, newer: Facts) -> Facts:
        """These facts with every field `newer` states filled in or replaced."""
        changes = {
            f.name: getattr(newer, f.name)
            for f in dataclasses.fields(self)
            if getattr(newer, f.name) is not None
        }
        return dataclasses.replace(self, **changes)

    def added_by(self, newer: Facts) -> tuple[str, ...]:
        """Names of the fields `newer` states that these facts do not have yet."""
        return tuple(
            f.name
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is None and getattr(newer, f.name) is not None
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping of the stated facts only."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """The detector's decision about one item, with the cues that fired so an operator sees why."""

    is_launch: bool
    confidence: float
    reasons: tuple[str, ...] = ()
    facts: Facts = field(default_factory=Facts)
    category: str | None = None  # for negatives: "drill", "cruise", "space", "sanctions"...
    corrects: bool = False  # says an earlier launch report was wrong (category: what it was)
    another: bool = False  # says this is a further launch ("fires another", "second launch")
    retrospective: bool = False  # tells of a launch hours ago ("overnight", state-media claim)
    probability: float | None = None  # the model's, where it had the say (None: the rules')
    places: tuple[str, ...] = ()  # where the model had it: the strike's places it names


@dataclass(frozen=True, slots=True)
class LaunchEvent:
    """One real-world launch as we know it: merged facts from every report joined to it."""

    event_id: str
    country: str
    # The stated launch time, else the first report's publish time, or the last minute of the
    # launch site's day before when that report dates its launch yesterday: a bound, not a
    # clock reading, when no time was stated.
    launch_at: datetime
    first_published_at: datetime | None
    facts: Facts
    revision: int  # revision of the last alert sent (1 = the `new` alert)
    title: str  # the opening report's title and link
    url: str
    sources: tuple[SourceRef, ...] = ()
    last_alert_at: datetime | None = None
    pending_update: bool = False  # facts arrived inside the minimum gap; an update is owed
    pending_changes: tuple[str, ...] = ()  # ...and the names of the facts it will report
    retracted: bool = False  # a correction said it was no ballistic missile launch
    corrected: bool = False  # a correction alert was sent for it
    fingerprints: tuple[int, ...] = ()  # SimHash of each joined report's text
    last_salvo_at: datetime | None = None  # publish time of the report of the latest salvo
    # How many joined reports (near-copies aside) stated each missile class, and each launch
    # time (times minutes apart counted as one): a known class or time gives way only to one
    # stated more often (`cluster._class_vote`, `cluster._time_vote`)
    class_votes: tuple[tuple[str, int], ...] = ()
    time_votes: tuple[tuple[datetime, int], ...] = ()
    # The same for the flight distance and apogee, values within 15% counted as one reading
    # (`cluster._flight_vote`)
    distance_votes: tuple[tuple[float, int], ...] = ()
    apogee_votes: tuple[tuple[float, int], ...] = ()
    # The same for the count, a larger count winning a tie (`cluster._count_vote`)
    count_votes: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class HeldReport:
    """A launch report not sure enough to open an event on its own, kept a while so that an
    independent second report of the same launcher's launch can open it (events/cluster.py)."""

    country: str
    ref: SourceRef
    launch_at: datetime  # when the report's launch happened (`cluster._opening_launch_at`)
    published_at: datetime
    fingerprint: int  # of its text without feed furniture (`cluster._source_fingerprint`)
    guessed: bool = False  # its launcher only guessed: it corroborates a report naming one
    # its text tells of a firing (`cluster._tells_of_firing`); True for reports held before
    # the field existed, which paired as they always had
    tells_of_firing: bool = True
    confidence: float = 0.0  # the model's, so that a weaker second report may pair with a sure one


class AlertKind(StrEnum):
    NEW = "new"
    UPDATE = "update"
    CORRECTION = "correction"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One report that contributed to an event. `published_at` is the source's own time;
    `seen_at` is when our poll first fetched the report (None in events stored before it was
    recorded): the two clocks `events/leadlag.py` ranks sources by."""

    source: str
    item_id: str
    url: str
    title: str
    published_at: datetime | None = None
    seen_at: datetime | None = None
    # joined silently as a doubted follow-up (`pipeline._join_follow_up`): never an alert's
    # headline, which is a report the detector called a launch
    follow_up: bool = False


@dataclass(frozen=True, slots=True)
class Alert:
    """What subscribers receive: one revision of one launch event."""

    event_id: str
    kind: AlertKind
    revision: int
    title: str
    url: str
    facts: Facts
    confidence: float
    detected_at: datetime
    first_published_at: datetime | None
    sources: tuple[SourceRef, ...]
    reasons: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()  # for updates and corrections: the facts that changed
    test: bool = False  # a marked test alert from `alerts test-alert`

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(s.item_id for s in self.sources)

    @property
    def key(self) -> str:
        """Stable id of this revision: the idempotency key for its deliveries."""
        return f"{self.event_id}:{self.revision}"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one subscriber's alerts go. `id` is stable and safe to log; `url` is a secret."""

    id: str
    channel: str  # "slack", "slack_bot", "webhook", "discord", "teams", "email"
    url: Secret | None = None
    recipients: tuple[str, ...] = ()
    signing_secrets: tuple[Secret, ...] = ()  # webhook: Standard Webhooks keys (rotation: many)
    token: Secret | None = None  # slack_bot: the bot token for chat.postMessage
    target: str | None = None  # slack_bot: the channel id to post in
    language: str = "en"  # the language alerts are written in (a catalog in alerts/locale)
    timezone: str = "UTC"  # IANA name of the zone times are shown in


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert revision to one destination: the unit of sending, retrying and dead-lettering."""

    alert_key: str  # "<event_id>:<revision>"
    destination_id: str

    @property
    def key(self) -> str:
        return f"{self.alert_key}:{self.destination_id}"

    @property
    def event_id(self) -> str:
        return self.alert_key.rpartition(":")[0]

    @property
    def revision(self) -> int:
        return int(self.alert_key.rpartition(":")[2])
