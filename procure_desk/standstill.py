"""The standstill period after a contract award notice (Procurement Act 2023 s.51).

The period is a number of working days (normally 8) beginning with the day the notice
is published. A working day is any day but a Saturday, a Sunday, Christmas Day, Good
Friday, or a bank holiday in any part of the United Kingdom (s.123): so the holidays
of England and Wales, Scotland and Northern Ireland all count, substitute days
included. A holiday proclaimed for one year only (a coronation, a jubilee) cannot be
known in advance: the summary says so, and the officer checks the date.
"""

from __future__ import annotations

import datetime as dt
import functools

ONE_DAY = dt.timedelta(days=1)


def easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _monday(year: int, month: int, nth: int) -> dt.date:
    """The nth Monday of the month (nth = -1: the last)."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7 * (nth - 1))
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - ONE_DAY)
    return last - dt.timedelta(days=last.weekday())


def _substituted(days: list[dt.date]) -> set[dt.date]:
    """Fixed-date holidays with a weekday in lieu for each that falls at a weekend."""
    out: set[dt.date] = set()
    for d in sorted(days):
        if d.weekday() < 5:
            out.add(d)
            continue
        sub = d
        while sub.weekday() >= 5 or sub in out:
            sub += ONE_DAY
        out.add(sub)
    return out


@functools.cache
def uk_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in any part of the UK, with Christmas Day and Good Friday."""
    e = easter(year)
    days = {e - 2 * ONE_DAY, e + ONE_DAY,  # Good Friday, Easter Monday
            _monday(year, 5, 1), _monday(year, 5, -1), _monday(year, 8, -1),
            _monday(year, 8, 1)}  # early May, spring, summer; first Monday of August
    days |= _substituted([dt.date(year, 1, 1), dt.date(year, 1, 2)])  # New Year, 2 Jan
    days |= _substituted([dt.date(year, 12, 25), dt.date(year, 12, 26)])
    days |= _substituted([dt.date(year, 3, 17)])  # St Patrick's Day
    days |= _substituted([dt.date(year, 7, 12)])  # Battle of the Boyne
    days |= _substituted([dt.date(year, 11, 30)])  # St Andrew's Day
    days.add(dt.date(year, 12, 25))  # Christmas Day itself, whatever the day
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in uk_holidays(day.year)


def standstill_end(notice: dt.date, working_days: int) -> dt.date | None:
    """The last day of a standstill of `working_days` beginning with the notice date
    (None when there is no standstill)."""
    if working_days <= 0:
        return None
    day, counted = notice, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += ONE_DAY
