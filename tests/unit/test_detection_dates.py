"""Dates stated in a report, counted back from its publication (alerts/detection/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.detection.classify import _stated_days, classify_item
from alerts.detection.dates import days_since_strike, stated_day_gaps, stated_day_offsets
from alerts.models import Item

PUBLISHED = datetime(2024, 1, 4, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "lang", "days"),
    [
        ("russia fired north korean missiles at ukraine on dec. 30 and jan. 2", "en", 2),
        ("the missile that hit kharkiv on 2 january was north korean", "en", 2),
        ("north korea fires a missile on thursday", "en", 0),  # a weekday counts too
        # the next day in UTC is today east of it (Friday morning in Seoul), not days back
        ("north korea fires a missile on friday", "en", 0),
        ("north korea fired a missile on jan. 5", "en", 0),
        # a weekday of what is to come is not the news's day
        ("north korea fires missile ahead of drills starting monday", "en", None),
        ("days before the parliamentary election on saturday", "en", None),
        # "から" after a place is "from", not "since"
        ("北朝鮮は1日午前、平壌付近から弾道ミサイルを発射", "ja", 4),
        ("the 2,000 km missile first flew in may 2023", "en", None),
        ("합참은 북한이 5일 오전 동해상으로 탄도미사일을 발사했다고", "ko", 0),
        ("지난 1일 발사된 미사일은", "ko", 4),
        ("12월 30일 발사", "ko", 6),  # 04:00 KST on January 5
        ("防衛省は1月5日、北朝鮮が", "ja", 0),
        ("北朝鮮が30日に発射した", "ja", 6),
        ('유엔 전문가패널 "1월 하르키우 떨어진 미사일 잔해는 北 화성-11형"', "ko", 0),
        ("中 8월 시험발사 '항모킬러'", "ko", 127),
        ("the missile fired in november hit", "en", 35),
        ("north korea fires 3 missiles; 10월 5일", "en", None),
        # a date given as the point of comparison is background, not the story's day
        ("北이 미사일을 쐈다. 1일 실패 이후 나흘 만이다.", "ko", None),
        ("it followed a failed launch on jan. 1.", "en", None),
        ("the first launch since jan. 1", "en", None),
        ("1月1日以来の発射", "ja", None),
        # ...also a count of days since, or a date compared with
        ("北, 동해상으로 단거리 탄도미사일 2발 발사…7일 만", "ko", None),
        ("3일 '화성-17형' 실패 이후 15일 만의 재발사", "ko", None),
        # ...but not the story's own date next to a comparison or a later "since"
        ("지난 1일 이란의 탄도미사일 공격 이후 2주…피해보상 청구 2천500건", "ko", 4),
        ("北, 3일 쏜 미사일 kn-23과 유사", "ko", 2),
        ("北朝鮮が3日に発射した弾道ミサイル、前回より高く飛行", "ja", 2),
        ("3日、北朝鮮により弾道ミサイルが発射された", "ja", 2),
        ("北, 3일 탄도미사일 발사…1년 만에 icbm", "ko", 2),
        ("北, 3일 만경대에서 미사일 발사", "ko", 2),
        ("north korea says it conducted first test launch of hwasong-19 on jan. 3", "en", 1),
        ("衛星打ち上げ失敗から3日", "ja", None),
        ("7月4日より長い飛行", "ja", None),
        ("4月に続く直接攻撃", "ja", None),
        ("the prithvi was last tested in april", "en", None),
        # a day of the coming week is what is to come, not last year's news (Jan. 4)
        ("two flights scheduled for jan. 6 and jan. 8", "en", None),
        ("북한은 8일 발사를 예고했다", "ko", None),
        ("shaheen-iii, first test-fired in march, has a range of 2,750 km", "en", None),
        ("北, 1일부터 사흘째 단거리 발사체", "ko", None),  # since the 1st
        ("1日から3日連続の発射", "ja", None),
        ("北朝鮮 弾道ミサイル発射 2日連続", "ja", None),  # two days running, not the 2nd
        ("3일간 6발 발사", "ko", None),
        ("지난 1일 발사된 미사일은 1일 이후 처음", "ko", 4),  # one date is the story's
        # days named relative to publication (a Thursday): "last weekend" goes back to Sunday
        ("iran says its missile hit a target 250 km away last week", "en", 7),
        ("us officials: iran did not launch a missile last weekend", "en", 4),
        ("japan discloses a test carried out two weeks ago", "en", 14),
        ("five days on, bat yam still digging after iran's missile strike", "en", 5),
        ("a year on, kramatorsk mourns the victims of the tochka-u strike", "en", 365),
        ("third missile attack in a week on a us-owned ship", "en", None),
        ("대만, 지난달 신형 미사일 시험발사 뒤늦게 공개", "ko", 30),
        ("지난 주말 발사된 미사일", "ko", 5),  # Friday 04:00 in Seoul
        ("中国が先週末に少なくとも1発を発射", "ja", 5),
        ("昨年の発射実験を公表", "ja", 365),
        # a month named before the strike or test, or "of" a month (and year)
        ("sbu names commanders behind the november iskander strike on kryvyi rih", "en", 35),
        ("december's barrage was the largest of the war", "en", 4),
        ("report: failed hwasong-12 of april 2017 came down on a city", "en", 2440),
        ("north korea may test a missile soon", "en", None),  # "may", the verb
        ("russia says its january strike on kyiv hit arms depots", "en", None),  # this month
        # ...but not since a month (a point of comparison), a month with its year after "in",
        # a month as the motive or the record surpassed, a later month "of" no year, nor
        # "of Mar-a-Lago" or China's Long March
        ("north korea fires icbm, its first since july 2023", "en", None),
        ("debris showed the missile was made in may 2023", "en", None),
        # ...while a month and year after "in", or "of" a past month, dates the story
        ("the strike on kharkiv in may 2023 killed seven, court hears", "en", 218),
        ("the failed test of november", "en", 35),
        # ...and a strike's own label is no motive
        ("iran's retaliatory missile attack on israel on jan. 1", "en", 3),
        (
            "houthis fire missile at tel aviv in retaliation for december's raid on sanaa",
            "en",
            None,
        ),
        ("iran fires missiles to avenge july's tehran attack", "en", None),
        ("the barrage surpassed july's record raid", "en", None),
        ("the missile flew further than the february launch", "en", None),
        ("due by the end of march", "en", None),
        ("blast heard at the gates of mar-a-lago", "en", None),
        ("china's long march 2f launch", "en", None),
        ("the april 2023 iskander strike on uman", "en", 249),
        # the day a count stood at is not the news's day; the day of a strike is
        ("by wednesday morning ten were confirmed dead after the strike", "en", None),
        ("as of monday the toll stood at five", "en", None),
        ("two killed by tuesday's strike on kramatorsk", "en", 2),
        ("two killed by monday night's strike", "en", 3),
        # ...unless it is the point of comparison: news of today's launch
        ("the missile flew farther than last week's", "en", None),
        ("fires a missile a month after its last test last month", "en", None),
        ("昨年の発射以来", "ja", None),
    ],
)
def test_days_back_to_the_latest_stated_date(text: str, lang: str, days: int | None) -> None:
    assert min(stated_day_gaps(text, lang, PUBLISHED), default=None) == days


def test_no_publication_time_no_answer() -> None:
    assert stated_day_gaps("on jan. 2", "en", None) == []


def _reasons(title: str, summary: str, lang: str, published_at: datetime) -> tuple[str, ...]:
    item = Item(id="x", source="s", lang=lang, title=title, summary=summary,
                published_at=published_at)  # fmt: skip
    return classify_item(item).reasons


def test_a_launch_dated_the_day_before_is_marked() -> None:
    """A report read the morning after, stating the launch's day of month, carries
    `ctx:dated_yesterday` (the event stage then takes it for the earlier launch)."""
    reasons = _reasons(
        "해리스 美 부통령 DMZ 간 날…北, 순천서 탄도미사일 또 쐈다",
        "북한은 25일 태천, 28일 순안에 이어 29일 순천에서 단거리 탄도미사일 2발을 쐈다.",
        "ko", datetime(2022, 9, 30, 0, 30, tzinfo=UTC),
    )  # fmt: skip
    assert "ctx:dated_yesterday" in reasons


@pytest.mark.parametrize(
    ("title", "summary", "lang", "published", "yesterday"),
    [
        # the headline's day is the story's; the lede names today's third launch besides
        ("IDF: one Houthi missile on Wednesday carried cluster warhead; another downed that "
         "evening", "The military said one of the missiles fired on Wednesday morning had a "
         "cluster-munition warhead; a third launch on Thursday fell short outside Israel.", "en",
         datetime(2025, 9, 4, 8, 30, tzinfo=UTC), True),
        ("カタール国防省「7日にイランから弾道ミサイル10発」　大統領謝罪後も湾岸で攻撃",
         "カタール国防省は、7日にイランが発射した弾道ミサイル10発を大半撃ち落としたと明らかに"
         "した。湾岸ではクウェートも8日にミサイルへの対応を発表。", "ja",
         datetime(2026, 3, 8, 8, 30, tzinfo=UTC), True),
        # a headline naming today (or no day) leaves the lede's older day as it was
        ("Houthi missile fired at Israel on Thursday is intercepted",
         "A further missile fired on Wednesday fell short outside Israel.", "en",
         datetime(2025, 9, 4, 8, 30, tzinfo=UTC), False),
        ("Houthi missile intercepted over central Israel",
         "The army said the missile, fired on Thursday, was downed; another on Wednesday fell "
         "short.", "en", datetime(2025, 9, 4, 8, 30, tzinfo=UTC), False),
        # ...nor a headline's day of something else, or of the launch before a further one (a
        # review's probes)
        ("North Korea fires ballistic missile, defying UN vote on Wednesday",
         "North Korea fired a ballistic missile into the East Sea on Thursday morning, the JCS "
         "said.", "en", datetime(2025, 9, 4, 1, 30, tzinfo=UTC), False),
        ("北, 탄도미사일 발사…한미 3일 연합훈련 돌입에 반발",
         "합참은 북한이 4일 오전 동해상으로 탄도미사일을 발사했다고 밝혔다.", "ko",
         datetime(2025, 9, 4, 1, 30, tzinfo=UTC), False),
        ("北, 3일 ICBM 발사 뒤 또 탄도미사일",
         "합참은 북한이 4일 오전 동해상으로 탄도미사일을 발사했다고 밝혔다.", "ko",
         datetime(2025, 9, 4, 1, 30, tzinfo=UTC), False),
    ],
)  # fmt: skip
def test_the_headlines_day_dates_the_story_over_the_ledes(
    title: str, summary: str, lang: str, published: datetime, yesterday: bool
) -> None:
    """A headline dating its launch the day before tells of that day's launch even where the
    lede names today too (a further launch, a reaction): the lede's today no longer cancels it.
    A headline's day of a meeting, a drill or a vote, or of a launch before a further one, is
    no date of the report's launch: the lede's today still counts."""
    reasons = _reasons(title, summary, lang, published)
    assert ("ctx:dated_yesterday" in reasons) is yesterday, reasons


@pytest.mark.parametrize(
    ("text", "lang", "today"),
    [
        ("a missile fired from yemen on thursday landed outside israel", "en", True),  # Jan 4 2024
        ("the missile fired wednesday flew 700 km, the ministry said on thursday", "en", False),
        ("missile fired last thursday", "en", False),
        ("north korea fires a missile toward the east sea", "en", False),
        ("합참은 북한이 5일 오전 동해상으로 탄도미사일을 발사했다고", "ko", True),
        ("합참은 5일 북한이 4일 발사한 미사일이", "ko", False),
        ("防衛省は1月5日、北朝鮮が", "ja", True),
    ],
)
def test_states_only_today(text: str, lang: str, today: bool) -> None:
    """Every day the text names is the day of publication (English: its weekday, UTC)."""
    gaps = stated_day_gaps(text, lang, PUBLISHED)
    assert (bool(gaps) and all(gap == 0 for gap in gaps)) is today


def test_english_today_is_the_launch_sites_day_when_a_zone_is_given() -> None:
    """Thursday 4 January 2024, 21:00 UTC is already Friday 00:30 in Tehran: Iran's launch
    "on Thursday" is yesterday's there, and a Friday launch is today's."""
    late = datetime(2024, 1, 4, 21, 0, tzinfo=UTC)
    tehran = ZoneInfo("Asia/Tehran")
    assert stated_day_gaps("iran fired missiles on thursday", "en", late) == [0]
    assert stated_day_gaps("iran fired missiles on thursday", "en", late, tehran) == [1]
    assert stated_day_gaps("iran fired missiles on friday", "en", late, tehran) == [0]
    # Korean and Japanese copy keeps its KST/JST day of month (4 January 16:00 UTC is the 5th
    # in Seoul, still the 4th in Los Angeles)
    afternoon = datetime(2024, 1, 4, 16, 0, tzinfo=UTC)
    la = ZoneInfo("America/Los_Angeles")
    assert stated_day_gaps("합참은 5일 북한이", "ko", afternoon, la) == [0]


def test_a_launch_dated_today_in_utc_but_yesterday_at_the_launch_site_is_marked() -> None:
    """A claim read at 00:30 in Tehran of missiles fired "on Sunday" (still Sunday in UTC)
    tells of yesterday's launch: no `ctx:dated_today` for the event stage's fresh-launch rule,
    `ctx:dated_yesterday` instead."""
    reasons = _reasons(
        "Iran's Revolutionary Guards say they fired Emad ballistic missiles at Israel",
        "The Guards said on Sunday they had launched Emad and Kheibar Shekan missiles.",
        "en", datetime(2025, 6, 15, 21, 0, tzinfo=UTC),
    )  # fmt: skip
    assert "ctx:dated_yesterday" in reasons
    assert "ctx:dated_today" not in reasons


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        ("India test-fired Agni-V ballistic missile yesterday, defence ministry said on Friday",
         "", "en"),
        ("인도, 전날 아그니-5 탄도미사일 시험발사…국방부 27일 발표", "", "ko"),
        ("インド、前日にアグニ5を発射　国防省が27日発表", "", "ja"),
    ],
)  # fmt: skip
def test_news_naming_the_day_before_may_date_a_saying(title: str, summary: str, lang: str) -> None:
    """ "Said on Friday" that it fired "yesterday" may tell of Thursday's launch: still dated
    today (a habitual launcher's flash "전날에 이어" is today's launch), but marked
    `ctx:dated_saying`, which keeps a launcher that seldom fires on consecutive days from a new
    event on it."""
    reasons = _reasons(title, summary, lang, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    assert "ctx:dated_saying" in reasons


@pytest.mark.parametrize(
    ("text", "lang", "nearest"),
    [
        # the saying's day, right before its verb or after its speaker, beside the day before
        # in its sentence: the day before is the news's
        ("러시아 국방부는 18일 킨잘로 델랴틴의 지하 저장고를 파괴했다고 19일 밝혔다.", "ko", 1),
        ("합참은 북한이 18일 밤 11시 5분께 순안에서 탄도미사일을 쐈다고 19일 밝혔다.", "ko", 1),
        ("ロシア国防省は19日、18日にウクライナ西部の地下弾薬庫を破壊したと発表した。", "ja", 1),
        ("台湾軍筋の情報として各紙が19日に伝えたところでは、中国軍は18日未明に2発を発射した。",
         "ja", 1),
        ("north korea fired missiles on thursday, south korea's military said on friday.", "en",
         1),
        # ...not the day before of another sentence, of a launch before today's ("에도",
        # "にも"), or beside today's own word ("이날")
        ("합참은 19일 북한이 오전 동해상으로 탄도미사일을 쐈다고 밝혔다. 북한은 18일 순항미사일을"
         " 발사했다.", "ko", 0),
        ("합참은 북한이 18일에도 쏜 데 이어 탄도미사일을 쐈다고 19일 밝혔다.", "ko", 0),
        ("합참은 19일 한미 국방장관이 18일 회담한 직후 북한이 이날 오전 미사일을 쐈다고 밝혔다.",
         "ko", 0),
        # ...nor a day after a speaker who is not the sayer's ("...했다고 합참이 밝혔다")
        ("북한은 19일 오전 탄도미사일을 발사했다고 합동참모본부가 밝혔다. 18일에도 쐈다.", "ko", 0),
        ("北朝鮮は19日午前、弾道ミサイルを発射したと防衛省が発表した。18日にも巡航ミサイルを撃った。",
         "ja", 0),
        # ...nor a day before that another predicate takes, a day of the site's own time
        ("합동참모본부는 19일 북한이 한미 연합연습이 18일 종료된 데 반발해 오전 7시 40분께 동해상"
         "으로 탄도미사일을 발사했다고 밝혔다.", "ko", 0),
        ("합참은 19일 북한이 18일 밤 김여정 담화가 나온 지 12시간 만에 미사일을 쐈다고 밝혔다.",
         "ko", 0),
        ("防衛省は19日、北朝鮮が18日の日米韓首脳会談に反発し、午前中に弾道ミサイルを発射したと"
         "発表した。", "ja", 0),
        ("フーシ派は19日、米軍が18日にサヌアを空爆したことへの報復として、弾道ミサイルを発射した"
         "と主張した。", "ja", 0),
        # ...nor, in English, a day before of something a firing came after, or a speaker's
        ("the idf said on friday a missile was fired from yemen, a day after israeli jets pounded"
         " hodeidah on thursday.", "en", 0),
        ("kim yo jong, who warned on thursday of a response, said on friday the north had fired.",
         "en", 0),
        ("the jcs said on friday the north fired a missile. it also fired on thursday.", "en", 0),
        ("the jcs said on friday that the north fired cruise missiles on thursday and a ballistic"
         " missile this morning.", "en", 0),
        ("russia launched two ballistic missiles overnight, ukraine's air force said on friday; a"
         " russian strike on thursday killed three in kharkiv.", "en", 0),
    ],
)  # fmt: skip
def test_a_day_of_saying_beside_the_day_before_dates_no_news(
    text: str, lang: str, nearest: int
) -> None:
    """Wire copy read the morning after dates its saying today ("...쐈다고 19일 밝혔다", "the
    military said on Friday") and the launch the day before, in one sentence: the launch's day
    is the news's, so the report is of yesterday's launch (`ctx:dated_yesterday`), not a new
    one of today. A first flash naming the day before for something else keeps today."""
    friday = datetime(2022, 3, 18, 23, 30, tzinfo=UTC)  # 08:30 on Saturday the 19th in Seoul
    if lang == "en":
        friday = datetime(2022, 3, 18, 12, 0, tzinfo=UTC)
    assert min(stated_day_gaps(text, lang, friday)) == nearest


def test_a_launch_told_the_day_before_and_said_today_is_marked_yesterday() -> None:
    reasons = _reasons(
        "Russia says Bulava salvo hit Kura targets",
        "Four Bulavas launched on Thursday from the submerged Yury Dolgoruky hit practice"
        " targets, the Navy said on Friday.", "en", datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    assert "ctx:dated_yesterday" in reasons
    assert "ctx:dated_today" not in reasons


@pytest.mark.parametrize(
    ("summary", "saying"),
    [
        ("India's defence ministry said on Friday the test had met all mission objectives.", True),
        ("DRDO told reporters on Friday the Agni-V flew its full range.", True),
        ("India test-fired the Agni-V on Friday, the defence ministry said.", False),
        ("The ministry said on Friday that India had fired the missile on Thursday.", False),
        ("The ministry said the test met all objectives.", False),
    ],
)
def test_a_weekday_after_a_speech_verb_dates_the_saying(summary: str, saying: bool) -> None:
    """ "Said on Friday" dates the saying: a test of the day before is told so the next day; a
    weekday of the firing, or another day named, dates the news."""
    reasons = _reasons(
        "India says Agni-V test validated new re-entry vehicle", summary, "en",
        datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
    )  # fmt: skip
    assert ("ctx:dated_saying" in reasons) is saying


def test_a_launch_site_west_of_utc_a_day_behind_is_not_yesterday() -> None:
    """Monday 06:00 UTC is still Sunday night at Vandenberg: a Minuteman launch "early
    Monday" is tomorrow there by the calendar, never yesterday's launch."""
    reasons = _reasons(
        "US Air Force test-fires unarmed Minuteman III ballistic missile from Vandenberg",
        "The missile was launched early Monday from Vandenberg Space Force Base, California.",
        "en", datetime(2025, 5, 19, 6, 0, tzinfo=UTC),
    )  # fmt: skip
    assert "ctx:dated_yesterday" not in reasons


@pytest.mark.parametrize(
    ("title", "told"),
    [
        ("CENTCOM: Houthis fired ballistic missiles toward Gulf of Aden and Red Sea", True),
        ("(URGENT) N. Korea fires ballistic missile into East Sea: JCS", False),
    ],
)
def test_a_headline_telling_a_firing_in_the_past_tense_is_marked(title: str, told: bool) -> None:
    """`ctx:title_told`: an account of a launch ("fired"), not its flash ("fires")."""
    reasons = _reasons(title, "", "en", datetime(2024, 3, 15, 6, 0, tzinfo=UTC))
    assert ("ctx:title_told" in reasons) is told


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        # a funeral two days after Friday's strike: the title dates it, the lede names no day
        ("Uman buries children killed in Friday's missile strike", "", ["tmin2", "tmax2", "snone"]),
        # a flash of today, its lede looking back to an older launch as well
        (
            "North Korea fires ballistic missile on Sunday",
            "It was the first launch since a test on Dec. 18.",
            ["tmin0", "tmax0", "snone"],  # "since Dec. 18" is background
        ),
        (
            "Prosecutors charge officers over Iskander strike of Nov. 21",
            "The strike on Nov. 21 and a second in October killed 12.",
            ["tminm", "tmaxm", "sminm", "smaxy"],
        ),
        # a notice of tests to come: no news day, a day of the coming week
        (
            "Two Minuteman III test launches scheduled for Jan. 6 and Jan. 8",
            "",
            ["tnone", "tcoming", "snone"],
        ),
    ],
)
def test_the_model_sees_how_far_back_title_and_lede_date_their_news(
    title: str, summary: str, expected: list[str]
) -> None:
    """Weekdays count as well as dates: most English copy dates its news by weekday."""
    sunday = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    days = [stated_day_offsets(text.lower(), "en", sunday) for text in (title, summary)]
    assert _stated_days(*days) == expected


@pytest.mark.parametrize(
    ("text", "lang", "published", "offsets"),
    [
        ("two flights scheduled for jan. 6 and jan. 8", "en", datetime(2024, 1, 4, 19), [-2, -4]),
        # across a month's and a year's end
        ("북한은 2일 발사를 예고했다", "ko", datetime(2024, 1, 30, 3, 0), [-3]),
        ("a test scheduled for jan. 2", "en", datetime(2023, 12, 29, 12, 0), [-4]),
        # the next day, marked as to come, in KST: tomorrow, not today east of UTC
        ("북한, 5일 위성 발사 예고", "ko", datetime(2024, 1, 4, 3, 0), [-1]),
        # a later day of month not marked as to come is last month's or last year's news
        ("지난 28일 발사된 미사일", "ko", datetime(2024, 2, 25, 3, 0), [28]),
        ("the missile that hit kharkiv on jan. 30", "en", datetime(2024, 1, 25, 12, 0), [360]),
    ],
)  # fmt: skip
def test_days_of_the_coming_week_are_negative(
    text: str, lang: str, published: datetime, offsets: list[int]
) -> None:
    assert stated_day_offsets(text, lang, published.replace(tzinfo=UTC)) == offsets
    assert stated_day_gaps(text, lang, published.replace(tzinfo=UTC)) == [
        gap for gap in offsets if gap >= 0
    ]


def test_a_weekday_days_back_dates_the_story_days_ago() -> None:
    """ "Friday's strike", read on Sunday, is an older strike's story (a funeral), as "the
    strike of Jan. 2" is: such a report opens no event."""
    sunday = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    item = Item(
        id="t", source="t", title="Uman buries children killed in Friday's Russian missile strike",
        summary="Relatives wept as funerals began for victims of the attack.", lang="en",
        published_at=sunday,
    )  # fmt: skip
    assert "ctx:title_dated_days_ago" in classify_item(item).reasons


def test_the_next_day_is_today_only_late_in_the_utc_day() -> None:
    """ "On Friday" read on Thursday evening UTC is Friday morning in Seoul; read at 03:00 UTC on
    Thursday it is last Friday's."""
    thursday_night = datetime(2024, 1, 4, 19, 0, tzinfo=UTC)
    thursday_early = datetime(2024, 1, 4, 3, 0, tzinfo=UTC)
    assert stated_day_gaps("it fired on friday", "en", thursday_night) == [0]
    assert stated_day_gaps("it fired on friday", "en", thursday_early) == [6]


def test_new_years_day_read_on_new_years_eve_in_utc_is_today() -> None:
    eve = datetime(2024, 12, 31, 22, 0, tzinfo=UTC)  # 07:00 on January 1 in Seoul
    assert stated_day_gaps("north korea fires missile on jan. 1, jcs says", "en", eve) == [0]


@pytest.mark.parametrize(
    ("text", "lang", "gaps"),
    [
        # state media's morning account: the day is the report's, not the launch's
        ("조선중앙통신은 김정은이 화성-12형 발사훈련을 지도했다고 30일 보도했다", "ko", []),
        ("朝鮮中央通信は30日朝、今回のミサイルを「火星12」として写真を公開", "ja", []),
        ("労働新聞は30日付で超大型ロケット砲の発射実験だったと伝えた", "ja", []),
        # the day before, after the outlet, dates the firing; a military's day is the launch's
        ("조선중앙통신은 29일 제2경제위원회가 초대형 방사포 3발을 쐈다고 보도했다", "ko", [1]),
        ("합참은 30일 북한이 오전 5시57분 순안에서 발사했다고 밝혔다", "ko", [0]),
        # other outlets relaying a launch of the day date it
        ("교도통신은 30일 북한이 탄도미사일로 보이는 물체를 발사했다고 보도했다", "ko", [0]),
        ("共同通信は30日、北朝鮮が弾道ミサイルを発射したと報じた", "ja", [0]),
    ],
)
def test_the_day_of_an_outlets_report_dates_no_launch(text: str, lang: str, gaps: list) -> None:
    """A KCNA report read the morning after a launch, dated by its own day ("30일 보도"), is
    no report of a launch of that day: the event stage would open a new one for it."""
    morning = datetime(2017, 8, 29, 23, 0, tzinfo=UTC)  # 08:00 on the 30th in Seoul
    assert stated_day_gaps(text, lang, morning) == gaps


@pytest.mark.parametrize(
    ("title", "lang", "overnight"),
    [
        ("Russia fires two ballistic missiles at Kharkiv overnight, air force says", "en", True),
        ("Houthi ballistic missile intercepted before dawn over central Israel", "en", True),
        ("러, 밤사이 하르키우에 탄도미사일 2발 발사", "ko", True),
        ("ロシア、未明にハルキウへ弾道ミサイル2発", "ja", True),
        ("Russia fires two ballistic missiles at Kharkiv, air force says", "en", False),
        # a night named by its day: yesterday's (the event stage counts it back), or older
        ("Russia fired two ballistic missiles at Kharkiv overnight on Monday", "en", False),
        ("러시아, 전날 새벽 하르키우에 탄도미사일 2발 발사", "ko", False),  # the night before
        ("Russia fired two ballistic missiles at Kharkiv before dawn yesterday", "en", False),
        # no word of the night just past: a launch announced for tomorrow's dawn, a verb form
        # holding けさ, a night drill
        ("北, 탄도미사일 발사…내일 새벽 추가 발사 예고", "ko", False),
        ("北朝鮮が弾道ミサイル発射、自治体は住民に避難を続けさせた", "ja", False),
        ("ロシア軍、夜間訓練中に弾道ミサイル発射", "ja", False),
        # a word for the day before elsewhere in the text leaves last night last night
        (
            "Russia fires ballistic missiles at Kyiv overnight after yesterday's Odesa strike",
            "en",
            True,
        ),
        ("러시아, 밤사이 키이우에 탄도미사일…전날 오데사 공격 이어", "ko", True),
        ("北朝鮮 けさ弾道ミサイル発射", "ja", True),
        ("ロシア軍、深夜にキーウへ弾道ミサイル", "ja", True),
        ("Russia fired two ballistic missiles at Kharkiv overnight on Sunday", "en", False),
        # a second night running is the night just past, told beside the one before it
        ("Kyiv pounded by drones and ballistic missiles for a second night running", "en", True),
        ("Three Kinzhals among ten missiles in Russia's second straight night of raids", "en",
         True),
        ('젤렌스키 "탄도미사일 100여기·드론 100여대로 밤새 공격"', "ko", True),
        ("러, 드론 805대·미사일 13기로 밤샘 공습…키이우 정부청사 첫 피격", "ko", True),
        ("ロシア、2夜連続で無人機と弾道ミサイル　首都キーウ中心に攻撃", "ja", True),
        # a night of work or of threats is no night of fire
        ("北 ICBM 발사에 軍 밤샘 비상근무…추가 도발 대비", "ko", False),
        ("北 탄도미사일 발사…밤새 추가 발사 가능성 주시", "ko", False),
    ],
)  # fmt: skip
def test_a_launch_report_of_the_night_just_past_is_marked(
    title: str, lang: str, overnight: bool
) -> None:
    """A habitual launcher's barrage "overnight", told a day after its latest launch, is the
    next night's (`cluster._a_night_later`)."""
    reasons = _reasons(title, "", lang, datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # a Tuesday
    assert ("ctx:overnight" in reasons) is overnight


@pytest.mark.parametrize(
    "title",
    [
        "Russia fires ballistic missiles at Kharkiv on Sunday, air force says",
        "Russia fires ballistic missiles at Kharkiv overnight on Sunday, air force says",
    ],
)
def test_a_night_named_by_the_launch_sites_yesterday_stays_yesterday(title: str) -> None:
    """Sunday 22:30 UTC is Monday 01:30 in Moscow: "overnight on Sunday" is the site's
    yesterday, as "on Sunday" is (a first version of the overnight cue had taken its place)."""
    reasons = _reasons(title, "", "en", datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    assert {"ctx:dated_yesterday", "ctx:yesterday_at_site"} <= set(reasons)
    assert "ctx:overnight" not in reasons


@pytest.mark.parametrize(
    ("title", "days"),
    [
        ("Carriers' return to Israel stalls a week after missile landed by Ben Gurion", [7]),
        ("Governor Lysak puts Dnipro dead at 21 three days after Russian missile strike", [3]),
        ("Two weeks after Iran's barrage, Israelis file about 2,500 damage claims", [14]),
        ("Dnipro marks a year since Kh-22 strike on apartment building", [365]),
        # weeks, months or years, uncounted: two at least
        (
            "Weeks after Houthi missile landed near Ben Gurion, airlines' Tel Aviv suspensions "
            "stretch into summer",
            [14],
        ),
        ("Months after Iran's barrage, Bat Yam families still wait in hotels", [60]),
        # the next day's strike is told "a day after" the last
        ("Kharkiv hit at dawn a day after Hroza massacre", []),
        # a comparison: what comes a while after, and a time since something not a strike
        ("Sunday interception comes two weeks after Houthi missile hit Ben Gurion", []),
        ("Pakistan test-fires Ghauri a week after Ababeel flight", []),
    ],
)
def test_the_time_since_a_strike_dates_it(title: str, days: list[int]) -> None:
    assert [gap for gap, _, _ in days_since_strike(title.lower(), "en")] == days


@pytest.mark.parametrize(
    ("title", "lang", "days"),
    [
        ("ウマニで一家5人の葬儀　ミサイル攻撃から5日", "ja", [5]),
        ("テルアビブ便の運航停止続く　フーシ派ミサイルの空港近く着弾から4日", "ja", [4]),
        ("イランのミサイル被弾から1カ月 イスラエル南部の病院", "ja", [30]),
        ("クラマトルスク駅ミサイル攻撃から1年 住民が献花", "ja", [365]),
        # Korean flashes count the days since the last attack
        ("이란, 영사관 피격 12일 만에 이스라엘에 드론·탄도미사일 보복 공격", "ko", []),
    ],
)
def test_the_time_since_a_strike_dates_it_in_japanese(
    title: str, lang: str, days: list[int]
) -> None:
    assert [gap for gap, _, _ in days_since_strike(title.lower(), lang)] == days


def test_a_story_told_a_week_after_a_strike_dates_it_days_ago() -> None:
    """An aftermath story told "a week after missile landed" is of an older strike: it opens no
    event, while a headline that fires one is news of a launch now, however long after
    another strike it comes."""
    aftermath = Item(
        id="t", source="t", lang="en", published_at=PUBLISHED,
        title="Carriers' return to Israel stalls a week after missile landed by Ben Gurion",
        summary="Several foreign airlines extended suspensions of flights to Tel Aviv.",
    )  # fmt: skip
    launch = Item(
        id="u", source="t", lang="en", published_at=PUBLISHED,
        title="Iran fires ballistic missiles at Israel two weeks after consulate strike",
        summary="Sirens sounded across Israel as missiles were launched from Iran.",
    )  # fmt: skip
    assert "ctx:title_dated_days_ago" in classify_item(aftermath).reasons
    assert "ctx:title_dated_days_ago" not in classify_item(launch).reasons


@pytest.mark.parametrize(
    ("title", "lang", "dated"),
    [
        ("Ballistic missile strikes Kharkiv a week after deadly attack on hotel", "en", False),
        ("Iskander kills 5 in Odesa three days after port attack", "en", False),
        ("キーウに弾道ミサイル、病院攻撃から2週間", "ja", False),
        # a strike, blasts or a strike again of now, with no missile named (a review's finds)
        ("Russia strikes Kharkiv three days after deadly attack on hypermarket", "en", False),
        ("Explosions rock Kyiv 10 days after Okhmatdyt strike", "en", False),
        ("Three days after Kryvyi Rih strike, Russia hits city again", "en", False),
        ("Two weeks after Israel's strike on Iran, Tehran retaliates", "en", False),
        ("A week after ceasefire deal, Iranian missiles hit Beersheba", "en", False),
        ("オデーサ攻撃から5日、ロシアが再び港を攻撃", "ja", False),
        ("ロシア軍、小児病院攻撃から2週間でキーウを再びミサイル攻撃", "ja", False),
        ("イスラエルで警報　フーシ派の空港攻撃から5日", "ja", False),
        ("Bat Yam mayor: rescue work still going five days after Iranian missile hit", "en", True),
        ("テルアビブ便の運航停止続く　フーシ派ミサイルの空港近く着弾から4日", "ja", True),
    ],
)
def test_a_headline_naming_a_missile_besides_an_older_strike_is_of_a_strike_now(
    title: str, lang: str, dated: bool
) -> None:
    """The time since a strike dates a headline only when the rest of it names no missile: a
    missile named beside it is a strike of now, told against the older one."""
    item = Item(id="t", source="t", title=title, summary="", lang=lang, published_at=PUBLISHED)
    assert ("ctx:title_dated_days_ago" in classify_item(item).reasons) is dated
