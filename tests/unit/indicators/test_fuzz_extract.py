"""Fuzzing the extractor (issue 11): random English/Russian texts never crash ``extract``, every signal's offsets
point into its document (``text[char_start:char_end] == sentence``), and the gate never changes the output.

Texts are built from words that make the rules and the learned stage fire (names, Kazakhstan's forms, cues) mixed
with punctuation, zero-width and bidi characters, arbitrary surrogate-free Unicode and very long tokens; all of it
written here. Deterministic (``derandomize=True``); ``GEORISK_FUZZ_SCALE=10`` runs ten times the examples.
"""

from __future__ import annotations

import os

import polars as pl
from extract_helpers import COLS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.extract import extract
from indicators.text import INVISIBLE_CHARS

SCALE = float(os.environ.get("GEORISK_FUZZ_SCALE", "1"))


def _settings(n: int):
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


NAMES = ["Andrei Gurulyov", "Gurulyov", "Гурулёв", "Гурулева", "Андрей Гурулёв", "Tokayev", "Токаев", "Токаева",
         "Kassym-Jomart Tokayev", "Касым-Жомарт Токаев", "Zakharova", "Захарова", "Vladimir Solovyov", "Соловьёв",
         "Peskov", "Песков", "Ivan Petrov", "Иван Петров", "депутат Петров", "А. Гурулёв", "Nazarbayev", "Назарбаев"]
PLACES = ["Kazakhstan", "Kazakhstan's", "Kazakh", "Astana", "Almaty", "Казахстан", "Казахстана", "Казахстану",
          "казахи", "Астана", "Алматы", "РК", "Russia", "Россия", "России", "Moscow", "Москва", "Kremlin", "Кремль",
          "Ukraine", "Украина", "Petropavl", "Уральск", "Республика Казахстан"]
CUES = ["will be next", "could be next", "next target", "на очереди", "следующей будет", "war with", "invasion",
        "войну с", "вторжение", "nuclear strike", "russian lands", "исконно русские", "вернуть земли",
        "will pay for this", "ответят за это", "dangerous consequences", "тяжелые последствия", "accused", "обвинил",
        "обвинила", "denied", "опроверг", "отрицает", "has no claims", "не имеет претензий", "said", "заявил",
        "заявила", "according to", "по словам", "russophobia", "русофобия", "nazis", "нацисты", "threatened",
        "пригрозил", "warned", "предупредил", "protect russians", "защищать русских", "part of russia",
        "часть России", "federal district", "федеральный округ", "fake", "фейк", "provocation", "провокация"]
WORDS = ["the", "and", "of", "a", "deputy", "minister", "state", "TV", "host", "channel", "said", "on", "Monday",
         "и", "в", "на", "что", "не", "депутат", "Госдумы", "министр", "МИД", "ведущий", "телеканала", "сказал",
         "Mr.", "Dr.", "г.", "т.е.", "U.S.", "e.g.", "2024", "6", "апреля", "April", "12.04.2024", "2024-04-06"]
PUNCT = [".", ",", "!", "?", "…", ":", ";", "«", "»", "\"", "“", "”", "„", "'", "’", "(", ")", "—", "–", "-", "•",
         "...", "?!", "\u00a0"]
SPACES = [" ", " ", " ", "\n", "\n\n", "\t", "\r\n", "\u2028", "\u00a0"]

_alphabet = st.characters(exclude_categories=("Cs",))  # any scalar value but lone surrogates
_token = st.one_of(
    st.sampled_from(NAMES), st.sampled_from(PLACES), st.sampled_from(CUES), st.sampled_from(WORDS),
    st.sampled_from(PUNCT), st.sampled_from(list(INVISIBLE_CHARS)),
    st.text(_alphabet, min_size=1, max_size=12),
    st.builds(lambda c, n: c * n, st.sampled_from(["а", "a", "Казахстан", "x.", "«", "—", "\u200b", "Я"]),
              st.integers(200, 3000)),  # very long tokens and runs
)
_sep = st.sampled_from(SPACES + [""])
texts = st.lists(st.tuples(_token, _sep), min_size=0, max_size=60).map(lambda ts: "".join(a + b for a, b in ts))
titles = st.one_of(st.none(), texts.map(lambda t: t[:200]))


def _frame(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    data = [{c: None for c in COLS} | {"doc_id": f"d{i}", "text": text, "title": title}
            for i, (text, title) in enumerate(rows)]
    return pl.DataFrame(data, schema={c: pl.Utf8 for c in COLS})


def _check(frame: pl.DataFrame, ex) -> None:
    """Offsets point into the text and give the sentence; title signals have none; one document row per input."""
    texts_by_id = dict(zip(frame["doc_id"], frame["text"], strict=True))
    titles_by_id = dict(zip(frame["doc_id"], frame["title"], strict=True))
    assert ex.documents["doc_id"].to_list() == frame["doc_id"].to_list()
    for s in ex.signals.to_dicts():
        text = texts_by_id[s["doc_id"]] or ""
        a, b = s["char_start"], s["char_end"]
        if a is None:  # a signal of the separate title: no offsets, its sentence comes from the title
            assert b is None and s["sentence"] and s["sentence"] in (titles_by_id[s["doc_id"]] or "")
            continue
        assert 0 <= a < b <= len(text), (a, b, len(text))
        assert text[a:b] == s["sentence"], (a, b)
        assert s["sentence"].strip() == s["sentence"]
    counts = ex.signals.group_by("doc_id").len() if ex.signals.height else None
    expected = dict(zip(counts["doc_id"], counts["len"], strict=True)) if counts is not None else {}
    for doc_id, n in zip(ex.documents["doc_id"], ex.documents["signal_count"], strict=True):
        assert n == expected.get(doc_id, 0)


@_settings(300)
@given(text=texts, title=titles)
def test_extract_never_crashes_and_offsets_point_into_the_text(text, title):
    frame = _frame([(text, title)])
    _check(frame, extract(frame, "KZ"))


@_settings(60)
@given(rows=st.lists(st.tuples(texts, titles), min_size=1, max_size=4))
def test_the_gate_never_changes_the_output(rows):
    """``extract`` promises the same signals and documents with and without its gate, on any text."""
    frame = _frame(rows)
    gated, exact = extract(frame, "KZ", gate=True), extract(frame, "KZ", gate=False)
    _check(frame, gated)
    assert gated.documents.equals(exact.documents)
    assert gated.signals.sort("signal_id").equals(exact.signals.sort("signal_id"))


@_settings(40)
@given(text=texts)
def test_rules_only_offsets_point_into_the_text(text):
    frame = _frame([(text, None)])
    _check(frame, extract(frame, "KZ", rules_only=True))
