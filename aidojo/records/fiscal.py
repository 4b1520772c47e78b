"""Japanese fiscal years (年度, April to March) and the JST calendar HR reports use."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

JST = timezone(timedelta(hours=9))


def today_jst() -> date:
    return datetime.now(JST).date()


def fiscal_year(day: date | datetime) -> int:
    """年度 of a date (a datetime is taken in JST): April 2026 – March 2027 is 2026."""
    if isinstance(day, datetime):
        day = day.astimezone(JST).date() if day.tzinfo else day.date()
    return day.year if day.month >= 4 else day.year - 1


def fy_start(year: int) -> date:
    return date(year, 4, 1)


def fy_end(year: int) -> date:
    return date(year + 1, 3, 31)


def fy_label(year: int) -> str:
    """2026 -> '2026年度（令和8年度）'."""
    era = year - 2018
    if era >= 1:
        return f"{year}年度（令和{'元' if era == 1 else era}年度）"
    return f"{year}年度"


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in JST (aware): what "as of this date" includes."""
    return datetime.combine(day, time.max, tzinfo=JST)


def parse_day(text: str | date | None, what: str = "日付") -> date | None:
    """YYYY-MM-DD (also YYYY/MM/DD) as a date; ValueError with a Japanese message otherwise."""
    if text is None or isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip().replace("/", "-"))
    except ValueError:
        raise ValueError(f"{what}「{text}」は YYYY-MM-DD（例: 2026-04-01）の形で指定してください。") from None


def report_date(as_of: str | date | None = None, fiscal: int | None = None, today: date | None = None) -> date:
    """The date a report stands at: ``as_of``, else the end of ``fiscal`` (or today while it runs), else today."""
    today = today or today_jst()
    day = parse_day(as_of, "基準日")
    if fiscal is not None:
        end = fy_end(fiscal)
        if day is not None and not (fy_start(fiscal) <= day <= end):
            raise ValueError(f"基準日 {day} は {fy_label(fiscal)}（{fy_start(fiscal)}〜{end}）に入っていません。")
        return day or min(end, today)
    return day or today
