"""Calendar days a report states (dates, weekdays, relative days), and how many days before its
publication each is.

Why: a launch report is news of a launch of the last 48 hours. Stories that name the day of an
older strike ("the missile that hit Kharkiv on Jan. 2 was North Korean", "지난 2일 발사된",
"1月2日に発射") are investigations, funerals and retrospectives, not launch news; their
wording is otherwise that of a launch report. Korean and Japanese wire copy states the day of
month of the events it reports, so a day alone counts there; English needs a month name or a
weekday ("Friday's strike", read on Sunday, is two days back). A month named alone ("1월",
"in January") counts from its last day. Relative days count back from publication ("last
week", "two months ago", "a year on", "지난달", "先週"); "last week's launch" compares with an
older one and is background. English copy's "today" may be taken at the launch site (`zone`):
wire copy dates news by the place it happened.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

_MONTH_NAMES = (
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"),
)  # fmt: skip
_MONTHS = {m: i for i, names in enumerate(_MONTH_NAMES, start=1) for m in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Full names, less "may" (the verb: "North Korea may test").
_FULL_MONTH = "|".join(names[-1] for names in _MONTH_NAMES if names[-1] != "may")
_EN = re.compile(
    rf"(?<!long )\b(?:(?P<m1>{_MONTH})\.? (?P<d1>\d{{1,2}})(?!\d|,? ?\d{{3}})"  # not "May 2023"
    rf"|(?P<d2>\d{{1,2}}) (?P<m2>{_MONTH})\b)"  # "2 January"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "on Thursday", "late Tuesday"; not "last Tuesday", "since Monday", "next Friday".
_EN_WEEKDAY = re.compile(
    rf"(?<!last )(?<!since )(?<!next )(?<!until )\b(?P<w>{'|'.join(WEEKDAYS)})\b"
)
# ...nor the day a count stood at ("by Wednesday morning ten were confirmed dead", "as of
# Friday"), though "killed by Tuesday's strike" or "by Monday night's attack" dates the strike.
_COUNT_AS_OF = re.compile(r"\b(?:by|as of) $")
_WEEKDAY_OF = re.compile(r"(?: (?:morning|afternoon|evening|night))?'s\b")
# A month named alone: "in January" ("since January" is a point of comparison), "the failure
# of April" or "of April 2017" (full names; not "of Mar-a-Lago"), "April's strike", "the April
# 2024 Iskander strike on Kryvyi Rih" (not "may", the verb, nor China's Long March rockets).
_EN_MONTH = re.compile(
    rf"\b(?:in|last) (?P<m>{_MONTH})\b(?:,? (?P<y1>(?:19|20)\d\d)\b)?(?!\.? \d)"
    rf"|\bof (?P<o>{_FULL_MONTH}|may)\b(?![\w-])(?:,? (?P<y>(?:19|20)\d\d)\b)?(?!\.? \d)"
    rf"|(?<!long )\b(?P<n>{_FULL_MONTH})(?:'s)?(?: (?P<y2>(?:19|20)\d\d))? (?:[\w-]+ ){{0,2}}"
    r"(?:strike|attack|test|launch|barrage|salvo|raid)(?:e?s)?\b"
)
_EN_RELATIVE = re.compile(
    r"\blast (?P<unit>week|weekend|month|year)\b(?!'s)"
    r"|\b(?P<early>earlier (?:this|in the) week)\b"  # not yesterday: it would say so
    r"|\b(?P<n>an?|one|two|three|four|five|six|several|\d{1,2}) (?P<units>day|week|month|year)s?"
    r" (?:ago\b|on(?=,|\s*$))"  # "two weeks ago", "five days on, Bat Yam still digging"
)
# The time since a missile strike a story is told after ("a week after strike", "Dnipro dead at
# 21 three days after Russian missile strike", "two weeks after Iran's barrage", "a week after
# missile landed by Ben Gurion", "a year since Kh-22 strike"): the strike is that old. A day
# after is left out ("a day after Hroza massacre" is how the next day's strike is told), and
# the caller asks it only of a headline that fires nothing ("Iran fires missiles two weeks
# after consulate strike" is a launch), nor is what "comes" a while after a strike ("Sunday
# interception comes two weeks after Houthi missile hit Ben Gurion").
_EN_AFTER_STRIKE = re.compile(
    r"(?<!comes )(?<!came )(?<!coming )"
    r"\b(?:(?P<n>an?|one|two|three|four|five|six|several|\d{1,2}) (?P<units>day|week|month|year)s?"
    r"|(?<!\w )(?P<bare>week|month|year)s)"  # "Weeks after...": two at least
    r" (?:after|since) (?:[\w'’.-]+ ){0,5}?"
    r"(?:(?:strike|attack|hit|barrage|raid|massacre|bombing|salvo)s?\b"
    r"|missiles? (?:landed|hit|struck|killed|flattened|slammed)\b)"
)
# ...and in Japanese ("ミサイル攻撃から5日", "着弾から4日", "被弾から1カ月"). Korean copy is left
# out: its flashes count the days since the last attack ("피격 12일 만에 이스라엘에 보복").
_JA_AFTER_STRIKE = re.compile(
    r"(?:攻撃|着弾|落下|被弾|空爆|爆撃|惨事)から\s?(?P<n>\d{1,3})\s?(?P<units>日|週間|[カかヵケ]月|年)"
)
_JA_UNIT_DAYS = {"日": 1, "週間": 7, "年": 365}
_KO_RELATIVE = re.compile(r"지난 ?주말|지난주|지난달|지난해|작년")
_JA_RELATIVE = re.compile(r"先週末|先週|先月|昨年|去年")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "지난주": 7, "지난달": 30,
              "지난해": 365, "작년": 365, "先週": 7, "先月": 30, "昨年": 365,
              "去年": 365}  # fmt: skip
_EARLIER_THIS_WEEK = 2  # "earlier this week": days back, or the copy would say "yesterday"
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "several": 3}  # fmt: skip
# A day of month, not a count of days ("3일간", "사흘째"; "2日連続", "3日間", "4日目").
# Nor a count of days since ("7일 만", "발사 이후 16일 만에"; "失敗から3日", "から3日後").
_KO = re.compile(
    r"(?:(?P<m>\d{1,2})월 ?)?(?<!\d)(?P<d>\d{1,2})일(?!간|째| ?연속| ?만(?:에|이|의|[\s…,.]|$))"
)
_JA = re.compile(r"(?:(?P<m>\d{1,2})月)?(?<!\d)(?<!から)(?P<d>\d{1,2})日(?!連続|間|目|後)")
_KO_MONTH = re.compile(r"(?<!\d)(?P<m>\d{1,2})월(?! ?\d)")  # "1월 하르키우": January alone
_JA_MONTH = re.compile(r"(?<!\d)(?P<m>\d{1,2})月(?!\d)")
_COMING_DAYS = 7  # a day marked as to come, at most this far ahead: the coming week
_EAST_ASIAN_OFFSET = timedelta(hours=9)  # days of month in Korean and Japanese copy: KST/JST
# A date given as the point of comparison is background, not the story's day: "five days after
# the failure of the 15th" ("15일 실패 이후 닷새 만"), "followed a failed launch on Oct. 15",
# "the first since May 4", "5月4日以来".
_BACKGROUND_BEFORE = re.compile(
    r"(?:\bsince|\bafter|\bfollow(?:s|ed|ing)|\bsimilar to|\blike the one|\bthan on|\bas on"
    rf"|\bprevious(?:ly)?|\bearlier|\bthan (?:the|its)|\bthan (?=(?:{_MONTH})'s)"
    r"|\bin (?:retaliation|response|answer|reply) (?:for|to)|\bto avenge|\brevenge for"
    r"|\bsurpass\w*|\b(?:made|manufactured|produced|built|developed|designed|unveiled|deployed)"
    r"|\b(?:last|first) (?:tested|test-fired|test-launched|fired|launched|flown|flew)(?: in)?)\b"
    r"[^.;]{0,30}$"
)  # "last tested in April", "first test-fired in March": the missile's history
# ...or after it: "3일 '화성-17형' 실패 이후 15일 만", "7月4日より長い", "4月に続く"; "18일부터",
# "1日から": since the day (not "4日午前、平壌付近から": from a place).
# Up to a marker past no other day, launch verb or clause break.
_GAP = r"(?:(?!\d{1,2}[일日월月]|발사|쏜|쐈|発射|撃)[^.;。…,、]){0,20}?"
_BACKGROUND_AFTER = re.compile(
    r"^[^.;。]{0,12}?(?:이후|이래|에 이어|만에|以来|以降|に続[きく]|ぶり)"
    rf"|^{_GAP}(?:이후|이래) ?\d{{1,3}} ?(?:일|개월) ?만"  # "...실패 이후 15일 만의 재발사"
    r"|^(?:の\S{0,6})?より(?!発表)"  # "7月4日より長い飛行"; not "…により", "防衛省より発表"
    r"|^\s?(?:부터|から)"
)  # not "1일 이란의 탄도미사일 공격 이후 2주": the old strike is the story
# A day of what is to come, not of the news: "drills starting Monday", "ahead of the election
# on Saturday", "talks due on Friday", "a missile window November 15-17"; "6일 발사 예정".
_FUTURE_BEFORE = re.compile(
    r"(?:\bahead of|\bstart(?:s|ing)?|\bbegin(?:s|ning)?|\bdue|\bscheduled|\bplanned|\bset to"
    r"|\bupcoming|\belection|\bwindow|\bnotams?)\b[^.;]{0,30}$"
)
_ABBREVIATED = re.compile(rf"\b({_MONTH})\.")  # "scheduled for jan. 6 and jan. 8": one clause
# The day of North Korean state media's report: "중앙통신은 30일", "労働新聞は30日", "30일 보도",
# "30日付" (other outlets relaying today's launch date it: "共同通信は30日、...と報じた").
_NK_OUTLET = (
    r"(?:중앙통신|노동신문|조선중앙tv|북한 매체|북 매체"
    r"|中央通信|労働新聞|朝鮮中央テレビ|北朝鮮メディア)"
)
_OUTLET_BEFORE = re.compile(rf"{_NK_OUTLET}(?:은|는|は|が)?\s?$")
_NAMES_NK_OUTLET = re.compile(_NK_OUTLET)
_EDITION_AFTER = re.compile(r"^\s?(?:자\s|付)")  # "30일자", "30日付": a dated edition
_REPORTED_AFTER = re.compile(r"^\s?(?:보도|朝?(?:、|に)?(?:報じ|伝え))")
# ...or after its speaker, in a sentence of reported speech (`_after_the_speaker`).
_SPEAKER_BEFORE = {"ko": re.compile(r"[은는] $"), "ja": re.compile(r"は$")}
_KO_SAID = r"(?:밝혔|발표했|전했|말했|보도했|공개했|주장했|설명했)"  # a Korean verb of saying
_JA_SAID = r"明らかにし|伝え|報じ|述べ"  # Japanese verbs of saying, with 発表/公表 as each needs
_REPORTED_SPEECH = {
    # not when the verb has a subject of its own ("...쐈다고 합참이 밝혔다")
    "ko": re.compile(rf"[다라]고 (?!\S+[이가] )(?:\S+ ){{0,2}}?{_KO_SAID}"),
    "ja": re.compile(rf"と(?!\S{{0,8}}?が)\S{{0,8}}?(?:発表|公表|主張|説明|{_JA_SAID})"),
}
_FUTURE_AFTER = re.compile(r"^[^.;。…]{0,12}?(?:예정|예고|계획|까지|予定|予告|計画|まで)")
# The day before, in the saying's sentence, is the news's; not "18일에도" (a launch before
# today's), nor in a sentence that names today ("이날", "同日").
_ALSO_AFTER = re.compile(r"\s?(?:(?:오전|오후|밤|새벽|저녁|午前|午後|夜|未明)\s?)?(?:에도|にも)")
_TODAY = re.compile(r"이날|오늘|금일|同日|本日|今日|きょう|けさ|今朝")
_SENTENCE_BREAK = re.compile(r"\.(?:\s|$)|。|\n")
# ...and only the day a firing verb after it in its clause is of (`_dates_the_firing`): not a
# day another predicate takes ("18일 종료된 데 반발해", "18日に終了した演習に反発し、"), nor a
# day in the site's own time, which is the launch site's and no day before ("18일(현지시간)").
_FIRING_VERB = {
    "ko": re.compile(r"발사|쏘|쐈|쏜|파괴|타격|공격|격추|요격|명중|탄착|낙하|떨어"),
    "ja": re.compile(r"発射|撃|破壊|攻撃|命中|着弾|落下"),
}
_OTHER_PREDICATE = {
    "ko": re.compile(
        r",|\(현지\s?시간\)|\(현지\)"
        r"|(?:된|한|난|던|린|온|진|하고|하며|데|대로|지|뒤|(?<!오)후|만에|이어|대한|반발해|대해)\s"
    ),
    "ja": re.compile(
        r"(?<!未明)(?<!午前)(?<!午後)(?<!深夜)(?<!早朝)(?<!夜)(?<!朝)(?<!ごろ)(?<!頃)(?<!分)[、,]"
        r"|^の|（現地時間）|\(現地時間\)|した|された|終えた|への|反発し|続いて|続き"
    ),  # not the comma after a time of day ("21日未明、江西省の基地から...発射")
}
# English: the clause around a weekday (`_fired_then`), a firing verb before it ("launched on
# Thursday") or a firing after its possessive ("Thursday's launch"); and a sentence of the
# saying's day telling of a firing of now ("overnight", "this morning"), which keeps it today's
_EN_CLAUSE = re.compile(r"[,;:—\n]|\.(?:\s|$)|\b(?:who|after|while|as|and that)\b")
_EN_FIRING_VERB = re.compile(r"\b(?:fired|launched|test-fired|test-launched|tested)\b")
_EN_FIRING_OF = re.compile(r"'s\s(?:[\w-]+\s){0,2}?(?:launch|firing|test|salvo|barrage)")
_EN_NOW = re.compile(r"\b(?:overnight|this morning|last night|today|hours (?:ago|earlier))\b")
# A day of month right before a verb of saying dates the saying: "23일 밝혔다", "22日に伝えた".
_SAYING_AFTER = {
    "ko": re.compile(rf"\s?(?:오전|오후|밤|저녁|새벽|아침)?\s?(?:{_KO_SAID}|발표하|확인했)"),
    "ja": re.compile(rf"(?:午前|午後|夜|朝|夕)?(?:に|、)?\s?(?:の発表|発表し|公表し|{_JA_SAID})"),
}


def stated_day_gaps(
    folded: str, lang: str, published_at: datetime | None, zone: tzinfo | None = None
) -> list[int]:
    """Days before publication of every day the text names (`stated_day_offsets`), days of the
    coming week left out."""
    return [gap for gap in stated_day_offsets(folded, lang, published_at, zone) if gap >= 0]


# A weekday right after a speech verb dates the saying ("the ministry said on Friday the test
# had validated..."), not the news said: a test of the day before is told so the next day.
_SAID_ON = re.compile(
    r"\b(?:said|says|announced|told(?: [\w.'’-]+){0,2}|stated|confirmed|added|reported"
    r"|revealed|disclosed)\s+(?:on\s+)?$"
)


def dates_only_the_saying(folded: str, lang: str, published_at: datetime | None) -> bool:
    """Whether every day the lower-cased English text names is a weekday dating a saying
    ("...said on Friday"), so that it dates no news of its own."""
    if lang in ("ko", "ja") or _stated_days_before(folded, lang, published_at):
        return False
    days = list(_EN_WEEKDAY.finditer(folded))
    return bool(days) and all(
        _SAID_ON.search(folded[max(0, m.start() - 40) : m.start()]) for m in days
    )


def stated_day_offsets(
    folded: str, lang: str, published_at: datetime | None, zone: tzinfo | None = None
) -> list[int]:
    """Days before publication of every day the lower-cased text names, weekdays included
    (every one 0: the report dates its news today, "on Thursday" or "4일", a habitual
    launcher's new launch the day after its last, not yesterday's), and, as a negative number,
    of a day of the coming week marked as to come ("flights scheduled for June 6", read on
    June 4: -2). English copy counts from
    the day of publication in `zone` (the launch site's, when known: wire copy dates news by
    the place it happened, so a launch "on Sunday" read at 00:30 Monday in Tehran is
    yesterday's), else in UTC; Korean and Japanese copy from its KST/JST day of month. A day
    dating only the saying of news told of the day before in its sentence ("fired on Tuesday,
    the navy said on Wednesday", "18일 ...했다고 19일 밝혔다", "防衛省は19日、18日に...発射したと
    発表した") is left out: the report is of yesterday's launch, not of one today."""
    if published_at is None:
        return []
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)  # feeds' times are UTC when unzoned
    if lang not in ("ko", "ja") and zone is not None:
        published_at = published_at.astimezone(zone)
    gaps = _stated_days_before(folded, lang, published_at)
    if lang not in ("ko", "ja"):
        weekday = published_at.weekday()
        # "on Thursday" read on Wednesday afternoon in UTC is today east of it (Seoul's
        # Thursday morning), not six days back.
        tomorrow_is_today = zone is None and published_at.hour >= 10
        saying: list[re.Match[str]] = []  # "the navy said on Wednesday", read on Wednesday
        fired: list[re.Match[str]] = []  # "four Bulavas launched on Tuesday"
        for m in _EN_WEEKDAY.finditer(folded):
            before = folded[max(0, m.start() - 40) : m.start()]
            if (
                _background(folded, m)
                or _FUTURE_BEFORE.search(before)
                or (_COUNT_AS_OF.search(before) and not _WEEKDAY_OF.match(folded, m.end()))
            ):
                continue
            gap = (weekday - WEEKDAYS.index(m["w"])) % 7
            gap = 0 if gap == 6 and tomorrow_is_today else gap
            if gap == 0 and _SAID_ON.search(before):
                saying.append(m)
                continue
            gaps.append(gap)
            if gap == 1 and _fired_then(folded, m):
                fired.append(m)
        # ...dates no news beside a firing the day before in its sentence, the news's
        gaps += [
            0 for m in saying
            if not any(_one_sentence(folded, m, f) for f in fired)
            or _EN_NOW.search(folded, *_sentence(folded, m.start()))
        ]  # fmt: skip
    return gaps


def _stated_days_before(folded: str, lang: str, published_at: datetime | None) -> list[int]:
    """Days before publication of each date the lower-cased text states (0 = the same day, or
    the next: today east of UTC), or, negative, of a day of the coming week the text marks as
    to come ("scheduled for 4 and 6 June", "8일 발사 예고"). Other dates later than
    publication count as last year's or last month's."""
    if published_at is None:
        return []
    found: list[tuple[str | None, str, bool]] = []  # (month, day, marked as to come)
    if lang in ("ko", "ja"):
        today = (published_at + _EAST_ASIAN_OFFSET).date()
        pattern, months = (_KO, _KO_MONTH) if lang == "ko" else (_JA, _JA_MONTH)
        days = [
            m for m in pattern.finditer(folded)
            if not _background(folded, m)
            and not (_date_of_the_report(folded, m) and _gap(today, m["m"], m["d"], False) == 0)
        ]  # fmt: skip
        # Today's saying ("...쐈다고 23일 밝혔다", "各紙が22日に伝えた") beside the day before in
        # its sentence ("22일 밤 ... 쐈다고 23일 밝혔다"): the day before is the news's.
        said = [m for m in days if _SAYING_AFTER[lang].match(folded, m.end())] or [
            m for m in days if _after_the_speaker(folded, m, lang)
        ]
        yesterday = [
            m for m in days
            if m not in said and _gap(today, m["m"], m["d"], False) == 1
            and not _ALSO_AFTER.match(folded, m.end())
            and _dates_the_firing(folded, m, lang)
        ]  # fmt: skip
        days = [
            m for m in days
            if m not in said or _gap(today, m["m"], m["d"], False)
            or not any(_one_sentence(folded, m, y) for y in yesterday)
            or _TODAY.search(folded, *_sentence(folded, m.start()))
        ]  # fmt: skip
        found += [(m["m"], m["d"], _to_come(folded, m, lang)) for m in days]
        ends = [_month_end(today, int(m["m"])) for m in months.finditer(folded)
                if not _background(folded, m)]  # fmt: skip
    else:
        today = published_at.date()
        found += [
            (str(_MONTHS[m["m1"] or m["m2"]]), m["d1"] or m["d2"], _to_come(folded, m, lang))
            for m in _EN.finditer(folded)
            if not _background(folded, m)
        ]
        ends = [_named_month_end(today, m, folded) for m in _EN_MONTH.finditer(folded)
                if not _background(folded, m)]  # fmt: skip
    gaps = [gap for args in found if (gap := _gap(today, *args)) is not None]
    gaps += [(today - d).days for d in ends if d is not None]
    return gaps + _relative_days_before(folded, lang, today)


def _to_come(folded: str, m: re.Match[str], lang: str) -> bool:
    """Whether the text marks the date matched as still to come ("scheduled for", "ahead of";
    "예정", "予定")."""
    if lang in ("ko", "ja"):
        return bool(_FUTURE_AFTER.match(folded[m.end() : m.end() + 16]))
    before = _ABBREVIATED.sub(r"\1", folded[max(0, m.start() - 40) : m.start()])
    return bool(_FUTURE_BEFORE.search(before))


def _gap(today: date, month: str | None, day: str, to_come: bool) -> int | None:
    """Days before `today` of the stated day: negative for a day of the coming week marked as
    to come, else the day on or before `today` (a day's slack: the next day is today east of
    UTC, 0)."""
    if to_come:
        coming = _coming(today, month, day)
        if coming is not None:
            return (today - coming).days
    past = _resolve(today, month, day)
    return None if past is None else max(0, (today - past).days)


def _coming(today: date, month: str | None, day: str) -> date | None:
    """The day of the coming week (`_COMING_DAYS`) with this day (and month), across a month's
    or a year's end, if there is one."""
    d, m = int(day), int(month) if month else None
    for ahead in range(1, _COMING_DAYS + 1):
        candidate = today + timedelta(days=ahead)
        if candidate.day == d and (m is None or candidate.month == m):
            return candidate
    return None


def days_since_strike(folded: str, lang: str) -> list[tuple[int, int, int]]:
    """Each missile strike lower-cased English or Japanese text is told two days or more after
    (`_EN_AFTER_STRIKE`, `_JA_AFTER_STRIKE`): the days since, and where the telling stands (the
    phrase; in Japanese, from the separator before it: "ガソリンスタンド被弾から4日")."""
    if lang == "ko":
        return []
    found = []
    if lang == "ja":
        for m in _JA_AFTER_STRIKE.finditer(folded):
            gap = int(m["n"]) * _JA_UNIT_DAYS.get(m["units"], 30)
            start = max(folded.rfind(sep, 0, m.start()) for sep in _JA_SEPARATORS) + 1
            found.append((gap, start, m.end()))
    else:
        for m in _EN_AFTER_STRIKE.finditer(folded):
            if m["bare"]:
                gap = 2 * _UNIT_DAYS[m["bare"]]
            else:
                gap = (_COUNTS.get(m["n"]) or int(m["n"])) * _UNIT_DAYS[m["units"]]
            found.append((gap, m.start(), m.end()))
    return [f for f in found if f[0] >= 2]


_JA_SEPARATORS = (" ", "\u3000", "、", "，", ",")


def _relative_days_before(folded: str, lang: str, today: date) -> list[int]:
    """Days before publication of each relative day the text names ("last week": 7; "last
    weekend": back to Sunday), unless it is a point of comparison."""
    pattern = {"ko": _KO_RELATIVE, "ja": _JA_RELATIVE}.get(lang, _EN_RELATIVE)
    since_sunday = today.weekday() + 1
    gaps = []
    for m in pattern.finditer(folded):
        if _background(folded, m):
            continue
        word = m["unit"] if lang not in ("ko", "ja") else m[0]
        if lang not in ("ko", "ja") and m["early"]:
            gaps.append(_EARLIER_THIS_WEEK)
        elif word is None:  # "two weeks ago"
            count = _COUNTS.get(m["n"]) or int(m["n"])
            gaps.append(count * _UNIT_DAYS[m["units"]])
        elif word in ("weekend", "先週末") or word.endswith("주말"):
            gaps.append(since_sunday)
        else:
            gaps.append(_UNIT_DAYS[word])
    return gaps


def _background(folded: str, m: re.Match[str]) -> bool:
    """Whether the date matched is a point of comparison ("since", "이후", "以来")."""
    return bool(
        _BACKGROUND_BEFORE.search(folded[max(0, m.start() - 40) : m.start()])
        or _BACKGROUND_AFTER.match(folded[m.end() : m.end() + 24])
    )


def _sentence(folded: str, pos: int) -> tuple[int, int]:
    """The bounds of the sentence (or headline) around `pos`."""
    start = max((m.end() for m in _SENTENCE_BREAK.finditer(folded, 0, pos)), default=0)
    end = _SENTENCE_BREAK.search(folded, pos)
    return start, len(folded) if end is None else end.start()


def _dates_the_firing(folded: str, m: re.Match[str], lang: str) -> bool:
    """Whether a Korean or Japanese day of month dates the firing its sentence tells of: a
    firing verb follows it in its clause ("18일 밤 11시 5분께 ... 쐈다고"), no other predicate
    between ("18일 종료된 데 반발해 ... 발사했다고")."""
    verb = _FIRING_VERB[lang].search(folded, m.end(), _sentence(folded, m.end())[1])
    return verb is not None and not _OTHER_PREDICATE[lang].search(folded[m.end() : verb.start()])


def _one_sentence(folded: str, a: re.Match[str], b: re.Match[str]) -> bool:
    return _sentence(folded, a.start()) == _sentence(folded, b.start())


def _fired_then(folded: str, m: re.Match[str]) -> bool:
    """Whether an English weekday is of a firing told in its clause ("four Bulavas launched on
    Tuesday", "Sunday's firing"), not of something a firing came after ("a day after Israeli
    jets pounded Hodeidah on Tuesday"), a speaker's ("Kim's sister, who warned on Tuesday") or
    another clause's ("...fired cruise missiles on Tuesday and a ballistic one this morning" is
    kept today by `_EN_NOW`)."""
    opened = list(_EN_CLAUSE.finditer(folded, 0, m.start()))
    if opened and opened[-1][0] in ("after", "who", "while", "as", "and that"):
        return False
    start = opened[-1].end() if opened else 0
    return bool(
        _EN_FIRING_VERB.search(folded, start, m.start()) or _EN_FIRING_OF.match(folded, m.end())
    )


def _after_the_speaker(folded: str, m: re.Match[str], lang: str) -> bool:
    """Whether a Korean or Japanese day of month comes right after the speaker of a sentence
    of reported speech ("국방부는 19일 ...했다고 발표했다", "防衛省は19日、...と発表した"): the
    saying's day, unless another day comes right before the verb ("...18일 ...했다고 19일
    밝혔다")."""
    return bool(
        _SPEAKER_BEFORE[lang].search(folded, 0, m.start())
        and _REPORTED_SPEECH[lang].search(folded, m.end(), _sentence(folded, m.end())[1])
    )


def _date_of_the_report(folded: str, m: re.Match[str]) -> bool:
    """Whether a Korean or Japanese day of month may date the news outlet's report, not the
    launch: "조선중앙통신은 30일 ... 보도했다", "朝鮮中央通信は30日朝、...と報じた",
    "労働新聞は30日付で": North Korean state media's morning account of the launch of the day
    before (other outlets relaying a launch of the day date it: "共同通信は30日、...と報じた").
    Read so only when it is the day of publication: "조선중앙통신은 31일 ... 3발을 쐈으며",
    read on the 1st, dates the firing."""
    return bool(
        _OUTLET_BEFORE.search(folded[max(0, m.start() - 16) : m.start()])
        or _EDITION_AFTER.match(folded[m.end() : m.end() + 8])
        or (
            _REPORTED_AFTER.match(folded[m.end() : m.end() + 8]) is not None
            and _NAMES_NK_OUTLET.search(folded) is not None
        )
    )


def _resolve(today: date, month: str | None, day: str) -> date | None:
    """The date on or before `today` with this day (and month, when stated)."""
    d = int(day)
    if not 1 <= d <= 31:
        return None
    m = int(month) if month else today.month
    if not 1 <= m <= 12:
        return None
    tomorrow = today + timedelta(days=1)  # today east of UTC ("Jan. 1" read on Dec. 31 UTC)
    if d == tomorrow.day and (month is None or m == tomorrow.month):
        return tomorrow
    for year, mon in ((today.year, m), *_earlier(today.year, m, month is None)):
        try:
            candidate = date(year, mon, d)
        except ValueError:
            continue
        if candidate <= today + timedelta(days=1):  # a day's slack for time zones
            return candidate
    return None


_PART_OF = re.compile(r"\b(?:end|beginning|start|middle|mid|close) $")


def _named_month_end(today: date, m: re.Match[str], folded: str) -> date | None:
    """The last day of an English month named alone (`_EN_MONTH`), or None when it dates
    nothing: this month before a strike ("January's strike" read in January tells no day), a
    later month's end or start of no year ("by the end of March", read in February, is to
    come; "the failed test of November", read in January, is last year's)."""
    year = m["y"] or m["y1"] or m["y2"]
    month = _MONTHS[m["m"] or m["o"] or m["n"]]
    if year is None and m["n"] and month == today.month:
        return None
    if year is None and m["o"] and month > today.month and _PART_OF.search(folded, 0, m.start()):
        return None
    return _month_end(today, month, int(year) if year else None)


def _month_end(today: date, month: int, year: int | None = None) -> date | None:
    """A month named alone (of `year`, when stated): counted from its last day (at most
    `today`), so that a story of "January" read in April is months old, and one of this month
    is today's."""
    if not 1 <= month <= 12 or (year is not None and year > today.year):
        return None
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return min(today, first_of_next - timedelta(days=1))


def _earlier(year: int, month: int, day_only: bool) -> list[tuple[int, int]]:
    if day_only:  # the same day of the previous month
        return [(year - 1, 12)] if month == 1 else [(year, month - 1)]
    return [(year - 1, month)]
