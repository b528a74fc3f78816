import datetime as dt

import pytest

from indicators.doc_meta import detect_language, find_date, parse_published_at


@pytest.mark.parametrize("text,expected", [
    ("date 2024-04-06 In recent days the talks went on.", dt.date(2024, 4, 6)),
    ("Published 2024-04-06, updated later", dt.date(2024, 4, 6)),
    ("Sunday, April 7, 2024\nThe minister said", dt.date(2024, 4, 7)),
    ("10:17 AM EDT, April 8, 2024", dt.date(2024, 4, 8)),
    ("8 April 2024 — Astana", dt.date(2024, 4, 8)),
    ("08.04.2024 12:30 Астана", dt.date(2024, 4, 8)),
    ("Опубликовано 8 апреля 2024 года", dt.date(2024, 4, 8)),
    ("8 апреля 2024 г. Москва", dt.date(2024, 4, 8)),
    ("Восьмого апреля 2024 года депутат заявил", dt.date(2024, 4, 8)),
    ("двадцать первого марта две тысячи двадцать четвёртого года", dt.date(2024, 3, 21)),
    ("8\u00a0апреля\u00a02024 года", dt.date(2024, 4, 8)),
])
def test_find_date_formats(text, expected):
    assert find_date(text) == expected


def test_find_date_prefers_dateline_over_past_events():
    text = "9 January 2024\n" + "Filler sentence. " * 20 + "The unrest of 5 January 2022 was recalled."
    assert find_date(text) == dt.date(2024, 1, 9)


def test_find_date_none_and_implausible():
    assert find_date("") is None
    assert find_date("No date here at all.") is None
    assert find_date("In 1850-01-01 nothing happened") is None
    assert find_date("31.02.2024") is None


def test_find_date_title_fallback():
    assert find_date("no date in body", title="Report of 5 May 2023") == dt.date(2023, 5, 5)


@pytest.mark.parametrize("value,expected", [
    ("2024-04-06", dt.date(2024, 4, 6)),
    ("2024-04-06T10:00:00Z", dt.date(2024, 4, 6)),
    ("2024-04-06T01:00:00+03:00", dt.date(2024, 4, 5)),
    ("2024-04-06T23:30:00-03:00", dt.date(2024, 4, 7)),
    ("2024-04-06 12:00:00", dt.date(2024, 4, 6)),
    ("garbage", None),
    ("", None),
    (None, None),
])
def test_parse_published_at(value, expected):
    assert parse_published_at(value) == expected


@pytest.mark.parametrize("text,expected", [
    ("The president of Kazakhstan said that the talks with Moscow went well.", "en"),
    ("Президент Казахстана заявил, что переговоры с Москвой прошли хорошо.", "ru"),
    ("Президент України заявив, що переговори пройшли добре і він задоволений їхнім результатом.", "uk"),
    ("Қазақстан Республикасының Президенті бүгін маңызды мәлімдеме жасады.", "kk"),
    ("Der Präsident sagte, dass die Gespräche mit Moskau gut verlaufen sind.", "de"),
    ("Le président a dit que les négociations avec Moscou se sont bien passées.", "fr"),
])
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_detect_language_empty():
    assert detect_language("") is None
    assert detect_language("   ") is None
    assert detect_language("12345 !!!") is None
