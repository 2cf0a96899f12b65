"""Feed furniture taken off a report before it is read: a mark of an updated story opening the
headline ("(LEAD)", "UPDATE 2-", "[종합]"), a wire dateline or byline opening the
lede ("SEOUL, Jan 5 (Reuters) -", "(서울=연합뉴스) 김기자 기자 =", "【ソウル共同】"), a
publisher's name after the headline ("... - Yonhap News Agency", as news aggregators title
their entries), a trailer closing the lede ("The post ... appeared first on ...",
"<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>"), and a lede that only repeats the headline with
an outlet's name (an aggregator's entry: a headline alone).

None of it is news of a launch, but the detector reads it as such: a dateline names a city (a
place, a speaker) and its day dates the report today, a trailer's words are other stories'.
The real-news corpus carries almost none of it: `bench/eval_real.py --furniture` and
`--aggregated` add it to the corpus's items. The event stage tells sources apart by a
fingerprint of the text without it (`events.cluster._source_fingerprint`): one outlet's
story carried by Google News ("X - Reuters", the headline again for a lede) and by GDELT ("X")
is one source, not two corroborating each other. Its other fingerprints and the text hashes of
seen items keep their own, looser normalisation (`events.identity.normalise_text`: datelines,
bylines, wire tags, width): those stored in Redis are made with it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# An English dateline: a city in capitals ("SEOUL", "NEW DELHI", "TEL AVIV"), maybe a country
# or a date after a comma, a news agency in brackets or the date, then a dash: "SEOUL, South
# Korea (AP) —", "TOKYO, Jan. 5 (Yonhap) --", "NEW DELHI, May 3 -". Capitals and a dash alone
# are no dateline ("NORTH KOREA —", "JCS —", "IDF - ..."), nor a launcher's state media
# ("PYONGYANG (KCNA) —" says whose claim it is).
_EN_DATELINE = re.compile(
    r"\s*[A-Z][A-Z.'-]{2,}(?:[ /][A-Z][A-Z.'-]+)*"
    r"(?:,\s*[A-Z][a-z]+\.?(?:\s[A-Z][a-z]+)*(?:\s\d{1,2})?)?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s\d{1,2})?"
    r"\s*(?:(?P<agency>\((?:Reuters|AP|AFP|UPI|Yonhap|Kyodo|Jiji|Bloomberg|dpa|DPA|ANI|PTI|"
    r"IANS|Anadolu|AA|Interfax|Ukrinform|CNN|NHK|BBC|JTA|JNS|Arab News|The Times of Israel)"
    r"\))\s*)?"
    r"(?P<dash>--|[—–]|-)\s*"
)
_EN_DATED = re.compile(r",\s*(?P<month>[A-Z][a-z]{2,8})\.?\s(?P<day>\d{1,2})\b")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_STALE_DAYS = 2  # a dateline dated this many days before publication tells of an old story
# A Korean agency byline: "(서울=연합뉴스) 김귀근 기자 =", "[서울=뉴시스]김지훈 기자 =",
# "【서울=뉴시스】".
_KO_BYLINE = re.compile(
    r"\s*[(\[【][^()\[\]【】=＝]{1,15}[=＝][^()\[\]【】]{1,15}[)\]】]"
    r"\s*(?:[^=\n]{0,20}?(?:기자|특파원|통신원)\s*[=＝]\s*)?"
)
# A Japanese dateline: "【ソウル共同】", "【ワシントン時事】", "【北京＝田中】"; not a topic
# ("【北朝鮮】", "【Jアラート】", "【速報】").
_JA_DATELINE = re.compile(
    r"\s*【[^】\n]{1,12}(?:共同|時事|ロイター|AFP|ＡＦＰ|聯合|[=＝][^】\n]{1,8})】\s*"
)
# Trailers, at the end of the lede only.
_TRAILER = re.compile(
    r"\s*(?:(?-i:The post ).{1,300}? appeared first on .{1,120}"
    r"|(?-i:Continue reading|Read more|Read the full (?:story|article))\b.{0,80}?"
    r"|(?:Copyright|©|\(c\)).{0,200}?(?:reserved|redistributed|without permission)\.?"
    r"|[<\[(]?(?:저작권자|ⓒ|©|copyrights?)[^<>\[\]]{0,80}?(?:금지|禁止)\.?[>\])]?"
    r"|무단\s?전재.{0,40}?금지\.?"
    r"|無断転載.{0,20}?(?:禁止|禁じます)。?)\s*$",
    re.I | re.S,
)
# Words one of which every trailer has near its end (`_HINT_SPAN`).
_TRAILER_WORDS = (
    "first on", "reading", "read more", "full story", "full article", "reserved",
    "redistributed", "permission", "금지", "禁止", "禁じます",
)  # fmt: skip
# A publisher after the headline: " - Reuters", " | The Korea Herald", " - 연합뉴스",
# " - 日本経済新聞", " - nknews.org". Only names that read as a publisher's: known agencies,
# papers and broadcasters, or a name ending as papers' and sites' names do. Who said it stays:
# "- Japan", "- MoD", a colon's attribution (": Yonhap", ": JCS"), and a launcher's state
# media ("- KCNA", "- 조선중앙통신": a claim).
_TAIL = re.compile(r"\s+[-|–—]\s+(?P<name>(?:(?!\s[-|–—]\s)[^\n]){2,40}?)\s*$")
_PUBLISHER_NAME = re.compile(
    r"(?:news|times|post|herald|tribune|journal|telegraph|guardian|independent|agency|press|"
    r"daily|gazette|chronicle|usa\stoday|al-monitor|the\swar\szone|[\w-]\.(?:com|org|net|kr|jp|il|"
    r"in|uk|ua))$"
    r"|\b(?:reuters|ap|afp|upi|yonhap|kyodo|jiji|nhk|kbs|mbc|sbs|ytn|jtbc|mbn|cnn|cna|bbc|cnbc|"
    r"abc|cbs|nbc|npr|dw|bloomberg|politico|axios|(?:al\s)?jazeera|(?:al\s)?arabiya|nikkei|"
    r"asahi|yomiuri|mainichi|sankei|hankyoreh|chosun|joongang|donga|newsis|news1|haaretz|ynet|"
    r"i24|france\s?24|euronews|sky|fox|msn|yahoo|youtube|times\sof)\b"
    r"|(?:뉴스|일보|신문|방송|통신|타임즈|투데이|데일리|한겨레|뉴시스|뉴스1|노컷뉴스|오마이뉴스|프레시안"
    r"|新聞|通信|ニュース|日報|放送|ジャーナル|共同|時事|日経|産経|朝日|読売|毎日|テレ[^\s]{0,3}"
    r"|オンライン|電子版|デジタル)$",
    re.I,
)
_STATE_MEDIA = re.compile(
    r"\b(?:kcna|central news agency|rodong|uriminzokkiri|kctv|irna|islamic republic|tasnim|fars"
    r"|mehr|isna|press\s?tv|sepah|saba|masirah|tass|ria|sputnik|xinhua|global times|cctv|zvezda"
    r"|wam|spa|state (?:media|news|tv))\b"  # whole words: not "Daily Sabah", "Express TV"
    r"|조선중앙|朝鮮中央|노동신문|労働新聞|신화|新華",
    re.I,
)
# A mark of an updated story opening the headline, on any kind of story: "(LEAD)", "(2nd LD)",
# Reuters' "UPDATE 2-", "[종합]", "【続報】". It stands where the headline's subject should
# ("[종합] 군, ..." is South Korea's firing). A first flash's mark ("(URGENT)", "(속보)",
# "【速報】") is news of its own and stays: the detector reads it.
_UPDATE_TAG = re.compile(
    r"\s*(?:[(\[<【（]\s*(?:lead|\d+(?:st|nd|rd|th)\s?ld(?:[^)\]]{0,20})?|종합\d?보?|続報|更新|詳報)"
    r"\s*[)\]>】）]|(?:update|wrapup|refile|rpt)(?:\s?\d+)?\s?[-–—:])\s*",
    re.I,
)
_DASHES = (" - ", " | ", " – ", " — ")
_TRAILER_SPAN = 450  # a trailer is within the lede's last characters
_HINT_SPAN = 120
_MIN_LEFT = 20  # characters a lede keeps after its furniture is taken off
_MIN_TITLE = 8  # ...and a headline (a Japanese one says much in 20)
_MAX_TAIL = 40  # what a lede repeating its headline may add (an outlet's name) and say nothing
# An outlet's name: a publisher's by `_PUBLISHER_NAME`, or a few capitalised words with no
# digit ("The Diplomat"), or a Korean or Japanese name ending as outlets' do; not "from
# Pyongyang at 8:20 a.m.: JCS".
_OUTLET = re.compile(
    r"(?:(?:[A-Z][\w.&'’-]*|of|the|and|&)(?:\s+(?:[A-Z][\w.&'’-]*|of|the|and|&)){0,4}"
    r"|[^\d:：,.、。]{1,20}?(?:뉴스|일보|신문|방송|통신|新聞|通信|ニュース|放送|共同|時事))"
)


def strip_furniture(
    title: str, summary: str, published_at: datetime | None = None
) -> tuple[str, str]:
    """The headline and the lede without feed furniture; either unchanged when taking it off
    would leave almost nothing. A lede that only repeats the headline, maybe with the
    publisher's name (a news aggregator's entry: a link to the story and the outlet's name), is
    none: the report is a headline alone, as the detector knows it. A dateline dated days
    before `published_at` stays: its day may be all that says the story is old (a wire story
    carried again)."""
    headline, lede = _headline(title), _lede(summary, published_at)
    if lede:
        repeated = _repeated(lede, title, headline)
        if repeated is not None:
            return repeated, ""
    return headline, lede


def _repeated(lede: str, title: str, headline: str) -> str | None:
    """The headline, when the lede only repeats it with an outlet's name: the name after the
    headline then is the outlet's too, known or not ("... - The Diplomat")."""
    opening = lede.lstrip()[:8]
    if not (title.lstrip().startswith(opening) or headline.lstrip().startswith(opening)):
        return None  # the common case, settled without normalising the lede's spaces
    flat = " ".join(lede.split())
    tail = _TAIL.search(headline)
    named = headline[: tail.start()] if tail is not None else headline
    # The lede adding, after a space, exactly the name after the headline's dash is an
    # aggregator's entry whatever the name ("... - 한국경제", "... - ロイター"), unless the name
    # holds a digit ("... - 3발", "... - 2nd launch this week": news); a launcher's state media
    # stay named, their claim.
    state = tail is not None and _STATE_MEDIA.search(tail.group("name")) is not None
    own_name = (
        " ".join(tail.group("name").split())
        if tail is not None and not any(c.isdigit() for c in tail.group("name"))
        else None
    )
    for said, kept in ((headline, headline), (named, headline if state else named),
                       (title, headline)):  # fmt: skip
        said = " ".join(said.split())
        if said and flat.startswith(said):
            rest = flat[len(said) :].strip(" -|–—:")
            spaced = flat[len(said) :] == f" {rest}"
            if (
                not rest
                or (spaced and rest == own_name)
                or (len(rest) <= _MAX_TAIL and _is_outlet(rest))
            ):
                return kept
            return None
    return None


def _is_outlet(name: str) -> bool:
    return _OUTLET.fullmatch(name) is not None or _PUBLISHER_NAME.search(name) is not None


def _headline(title: str) -> str:
    for _ in range(2):  # "REFILE-UPDATE 2-"
        tag = _UPDATE_TAG.match(title)
        if tag is None or len(title) - tag.end() < _MIN_TITLE:
            break
        title = title[tag.end() :]
    if not any(dash in title for dash in _DASHES):
        return title
    m = _TAIL.search(title)
    if m is None or m.start() < _MIN_TITLE:
        return title
    name = m.group("name")
    if _PUBLISHER_NAME.search(name) is None or _STATE_MEDIA.search(name) is not None:
        return title
    return title[: m.start()]


def _lede(summary: str, published_at: datetime | None) -> str:
    if not summary:
        return summary
    openings = (
        _dateline(summary, published_at),
        _KO_BYLINE.match(summary),
        _JA_DATELINE.match(summary),
    )
    for opening in openings:
        if opening is not None and len(summary) - opening.end() >= _MIN_LEFT:
            summary = summary[opening.end() :]
            break
    end = summary[-_HINT_SPAN:].lower()
    if any(word in end for word in _TRAILER_WORDS):
        m = _TRAILER.search(summary, max(0, len(summary) - _TRAILER_SPAN))
        if m is not None and m.start() >= _MIN_LEFT:
            summary = summary[: m.start()]
    return summary


def _dateline(summary: str, published_at: datetime | None) -> re.Match[str] | None:
    m = _EN_DATELINE.match(summary)
    if m is None:
        return None
    dated = _EN_DATED.search(m.group(0))
    if dated is not None and _stale(dated, published_at):
        return None
    return m if m.group("agency") or dated else None


def _stale(dated: re.Match[str], published_at: datetime | None) -> bool:
    """Whether a dateline's day ("Jan 5") is days before publication (in the year before, for
    a December day read in January)."""
    month = _MONTHS.get(dated.group("month")[:3].lower())
    if month is None or published_at is None:
        return False
    published = published_at.date()
    for year in (published.year, published.year - 1):
        try:
            day = date(year, month, int(dated.group("day")))
        except ValueError:
            return False
        if day <= published + timedelta(days=1):
            return (published - day).days >= _STALE_DAYS
    return False
