"""Hand-written fakes of our own ports, configured in one line per case."""

from __future__ import annotations

from alerts.models import Facts, Item, Verdict


def fake_classify(item: Item) -> Verdict:
    """A detector driven by tokens in the title: `KP FIRES class=ICBM count=2 eez=no`.

    The first word is the country; FIRES makes it a launch; CORRECTS a correction that it was
    no ballistic launch; FIRES FIXES a correction that keeps it ballistic; ANOTHER says it is
    a further launch (ANOTHER TODAY: after a launch earlier the same day); p=0.3 a report the
    model doubted at that probability (why=cue,cue: its reasons).
    """
    words = item.title.split()
    tags = dict(w.split("=", 1) for w in words if "=" in w)
    eez = {"yes": True, "no": False}.get(tags.get("eez", ""))
    facts = Facts(
        country=words[0],
        missile_class=tags.get("class"),
        count=int(tags["count"]) if "count" in tags else None,
        inside_japan_eez=eez,
        authority=tags.get("by"),
    )
    if "FIRES" in words:
        reasons = ("test:fires", "ctx:title_fires", "ctx:rules_launch")
        if "TODAY" in words:
            reasons = (*reasons, "ctx:another_today")
        return Verdict(True, 0.9, reasons, facts, another="ANOTHER" in words,
                       corrects="FIXES" in words)  # fmt: skip
    if "CORRECTS" in words:
        return Verdict(False, 0.2, (), facts, category="space", corrects=True)
    if "p" in tags:  # a report the model doubted, at that probability, with the cues of why=
        why = tuple(tags["why"].split(",")) if "why" in tags else ()
        return Verdict(False, 0.2, why, facts, category="analysis", probability=float(tags["p"]))
    return Verdict(False, 0.1, (), category="drill")
