"""Fuzzing the date parsers (issue 11): ``find_date`` and ``parse_published_at`` never crash, only return dates
in the range the warehouse accepts, and read a dateline whatever follows it or hides inside it.

Deterministic (``derandomize=True``); ``GEORISK_FUZZ_SCALE=10`` runs ten times the examples.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.doc_meta import _MAX_YEAR, _MIN_YEAR, find_date, parse_published_at
from indicators.text import INVISIBLE_CHARS

SCALE = float(os.environ.get("GEORISK_FUZZ_SCALE", "1"))


def _settings(n: int):
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


_alphabet = st.characters(exclude_categories=("Cs",))
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]
_date_bits = st.sampled_from(
    EN_MONTHS + RU_MONTHS + ["Jan.", "Sept", "сент.", "года", "г.", "of", "2024", "1989", "2101", "2024-04-06",
                             "2024/13/45", "31.02.2024", "29.02.2023", "29.02.2024", "0", "00", "99", "12", "6th",
                             "двадцать", "восьмого", "две тысячи двадцать четвертого", "тысяч", "ого", "١٢", "𝟐𝟎𝟐𝟒",
                             "٢٠٢٤", "2024٠٤", ".", "-", "/", ",", " ", "\n", "\u00a0"])
date_soup = st.lists(st.one_of(_date_bits, st.text(_alphabet, max_size=8), st.sampled_from(list(INVISIBLE_CHARS))),
                     max_size=40).map("".join)


def _in_range(d) -> bool:
    return d is None or (isinstance(d, dt.date) and _MIN_YEAR <= d.year <= _MAX_YEAR)


@_settings(400)
@given(text=st.one_of(date_soup, st.text(_alphabet, max_size=300)), title=st.one_of(st.none(), date_soup))
def test_find_date_never_crashes_and_stays_in_range(text, title):
    assert _in_range(find_date(text, title))


def _datelines(d: dt.date) -> list[str]:
    en, ru = EN_MONTHS[d.month - 1], RU_MONTHS[d.month - 1]
    return [f"{d.day} {en} {d.year}", f"{en} {d.day}, {d.year}", f"{d.day:02d}.{d.month:02d}.{d.year}",
            d.isoformat(), f"{d.day} {ru} {d.year} года"]


@_settings(300)
@given(d=st.dates(dt.date(_MIN_YEAR, 1, 1), dt.date(_MAX_YEAR, 12, 31)), k=st.integers(0, 4),
       rest=st.one_of(date_soup, st.text(_alphabet, max_size=300)),
       hidden=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(list(INVISIBLE_CHARS))), max_size=3))
def test_a_dateline_is_found_whatever_follows_it_or_hides_inside_it(d, k, rest, hidden):
    line = _datelines(d)[k]
    for pos, ch in hidden:  # zero-width and bidi characters inside the dateline ("6\u200b апреля")
        pos = min(pos, len(line))
        line = line[:pos] + ch + line[pos:]
    assert find_date(line + "\n" + rest) == d


_offsets = st.builds(lambda m: dt.timezone(dt.timedelta(minutes=m)), st.integers(-(24 * 60 - 1), 24 * 60 - 1))


@_settings(400)
@given(ts=st.datetimes(timezones=st.one_of(st.none(), _offsets)),
       sep=st.sampled_from(["T", " "]), zulu=st.booleans())
def test_parse_published_at_reads_any_iso_datetime_in_utc(ts, sep, zulu):
    s = ts.isoformat(sep=sep)
    if zulu and ts.utcoffset() == dt.timedelta(0):
        s = s.replace("+00:00", "Z")
    try:
        expected = ts.astimezone(dt.UTC).date() if ts.tzinfo is not None else ts.date()
    except OverflowError:  # the instant lies before year 1 or after 9999 in UTC: no date at all
        expected = None
    if expected is not None and not _MIN_YEAR <= expected.year <= _MAX_YEAR:
        expected = None
    assert parse_published_at(s) == expected


@_settings(300)
@given(value=st.one_of(st.text(_alphabet, max_size=40), date_soup, st.none(), st.integers(), st.floats(),
                       st.dates(), st.datetimes(timezones=st.one_of(st.none(), _offsets))))
def test_parse_published_at_never_crashes_and_stays_in_range(value):
    d = parse_published_at(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) or (
            isinstance(value, str) and len(value.strip()) == 10):
        assert d is None or isinstance(d, dt.date)  # a plain date is taken as given (the store judges its range)
    else:
        assert _in_range(d)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
                                   dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))])
def test_an_instant_outside_the_calendar_in_utc_is_no_date(value):
    # once an OverflowError out of astimezone: one such <published> in a feed item stopped the item's document
    assert parse_published_at(value) is None
