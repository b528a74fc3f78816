"""Zero-width and bidi characters inside names and key words (issue 11): the extractor matches as if they were
absent ("Казах\u200bстан" is Kazakhstan, "Gurul\u202eyov" is Gurulyov) and finds the same signals as in the clean
text, while each signal's sentence is the text as given and its offsets point into it.

The texts are written for this test. Deterministic (``derandomize=True``); ``GEORISK_FUZZ_SCALE=10`` runs ten
times the examples.
"""

from __future__ import annotations

import os
import re

import polars as pl
import pytest
from extract_helpers import COLS, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.extract import extract
from indicators.text import INVISIBLE_CHARS, Visible

SCALE = float(os.environ.get("GEORISK_FUZZ_SCALE", "1"))
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile("[" + INVISIBLE_CHARS + "]")

RU = ("Депутат Госдумы Андрей Гурулёв заявил, что Казахстан может стать следующим после Украины. "
      "МИД Казахстана обвинил Андрея Гурулёва в разжигании розни. "
      "Песков заявил, что у России нет территориальных претензий к Казахстану.")
EN = ("State Duma deputy Andrei Gurulyov said Kazakhstan could be next after Ukraine. "
      "The foreign ministry of Kazakhstan accused Andrei Gurulyov of inciting ethnic hatred. "
      "Kremlin spokesman Dmitry Peskov denied that Russia has any territorial claims on Kazakhstan.")
TV = "Телеведущий Владимир Соловьёв назвал Казахстан русофобским государством и пригрозил, что казахи пожалеют."
BASES = [RU, EN, TV]


def _key(s: dict) -> tuple:
    """What a signal says, whatever invisible characters its text holds."""
    return (s["kind"], s["category"], s["speaker_id"], s["speaker_name"], s["speaker_country"], s["target_id"],
            s["target_name"], s["target_type"], s["score"], s["claim"], s["cue"], s["is_reported_speech"],
            s["sentence_index"], _INVISIBLE.sub("", s["sentence"]))


def _signals(ex) -> list[dict]:
    return sorted(ex.signals.to_dicts(), key=lambda s: (s["char_start"] or -1, s["kind"], s["target_id"] or ""))


def _assert_same_signals(clean: str, dirty: str, clean_ex, dirty_ex) -> None:
    a, b = _signals(clean_ex), _signals(dirty_ex)
    assert a, "the clean text must give signals"
    assert [_key(s) for s in b] == [_key(s) for s in a]
    for sa, sb in zip(a, b, strict=True):
        x, y = sb["char_start"], sb["char_end"]
        assert dirty[x:y] == sb["sentence"]  # the text as given, invisible characters and all
        # the same sentence: what precedes it and what it spans are the clean text's once the characters are gone
        assert len(_INVISIBLE.sub("", dirty[:x])) == sa["char_start"]
        assert _INVISIBLE.sub("", dirty[x:y]) == clean[sa["char_start"]:sa["char_end"]]
    docs_a, docs_b = clean_ex.documents.drop("language"), dirty_ex.documents.drop("language")
    assert docs_b.equals(docs_a)


@pytest.mark.parametrize(("clean", "dirty"), [
    (RU, RU.replace("Казахстан", "Казах\u200bстан").replace("Гурулёв", "Гурул\u202eёв")),
    (RU, RU.replace("Казахстан", "\u2066Казахстан\u2069").replace("Гурулёва", "Гуру\u200dлёва")),
    (EN, EN.replace("Kazakhstan", "Kazakh\u200bstan").replace("Gurulyov", "Gurul\u202eyov")),
    (EN, EN.replace("Peskov", "Pes\u2060kov").replace("accused", "ac\u00adcused").replace("next", "ne\ufeffxt")),
    (TV, TV.replace("Соловьёв", "Соло\u200cвьёв").replace("русофобским", "русо\u202aфоб\u202cским")),
], ids=["ru-zwsp-rlo", "ru-isolates-zwj", "en-zwsp-rlo", "en-wj-shy-bom", "ru-zwnj-embedding"])
def test_invisible_characters_inside_names_and_cues_change_nothing(clean, dirty):
    assert dirty != clean
    _assert_same_signals(clean, dirty, run(clean), run(dirty))


def test_a_zero_width_space_inside_the_only_mention_still_names_the_target():
    # "Казах\u200bстан" would still pass as the stem "казах*": break the word where no alias survives
    dirty = "Депутат Андрей Гурулёв заявил, что Каза\u200bхстан может стать следующим после Украины."
    ex = run(dirty)
    assert ex.documents["target_mentioned"].to_list() == [True]
    (s, *_) = [s for s in ex.signals.to_dicts() if s["kind"] == "threat"]
    assert s["speaker_id"] == "ru_gurulyov_andrei" and s["target_id"] == "kz"
    assert s["sentence"] == dirty and (s["char_start"], s["char_end"]) == (0, len(dirty))


def test_the_gate_lets_through_a_text_whose_only_mention_is_broken_up():
    """The gate (a regex over the raw column) passes texts with invisible characters: a frame large enough to
    be gated finds the same signals as one document alone."""
    dirty = "Депутат Андрей Гурулёв заявил, что Каза\u200bхстан станет следующим после Украины."
    rows = [{c: None for c in COLS} | {"doc_id": f"n{i}", "text": f"Weather report number {i}: rain."}
            for i in range(300)] + [{c: None for c in COLS} | {"doc_id": "d", "text": dirty}]
    frame = pl.DataFrame(rows, schema={c: pl.Utf8 for c in COLS})
    gated = extract(frame, "KZ")  # 301 documents: gated by default
    alone = run(dirty)
    assert alone.signals.height > 0
    assert gated.signals.drop("signal_id").sort("kind").equals(alone.signals.drop("signal_id").sort("kind"))


def test_a_title_with_invisible_characters_gives_the_title_as_given():
    title = "Гурулёв: Каза\u200bхстан станет следующим после Украины"
    ex = run("Прогноз погоды на выходные: дожди.", title=title)
    sigs = ex.signals.to_dicts()
    assert sigs and all(s["char_start"] is None and s["sentence"] in title for s in sigs)
    assert any("\u200b" in s["sentence"] for s in sigs)


def test_visible_maps_every_span_back():
    original = "\u200bКазах\u200b\u200bстан\u202e, Gurul\u2066yov\u2069.\ufeff"
    v = Visible(original)
    assert v.text == "Казахстан, Gurulyov." and v.changed
    for a in range(len(v.text)):
        for b in range(a + 1, len(v.text) + 1):
            x, y = v.span(a, b)
            assert _INVISIBLE.sub("", original[x:y]) == v.text[a:b]
            assert original[x] == v.text[a] and original[y - 1] == v.text[b - 1]
    plain = Visible("no hidden characters")
    assert not plain.changed and plain.text == plain.original and plain.span(3, 9) == (3, 9)


@st.composite
def sprinkled(draw):
    """A base text with invisible characters put anywhere: inside words, around them, in runs."""
    base = draw(st.sampled_from(BASES))
    chars = list(base)
    for _ in range(draw(st.integers(1, 12))):
        pos = draw(st.integers(0, len(chars)))
        run_ = draw(st.text(st.sampled_from(ZERO_WIDTH + BIDI + "\u00ad\u200e\u200f\u061c"), min_size=1, max_size=3))
        chars.insert(pos, run_)
    return base, "".join(chars)


@settings(max_examples=max(1, int(80 * SCALE)), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(pair=sprinkled())
def test_invisible_characters_anywhere_change_no_signal(pair):
    clean, dirty = pair
    _assert_same_signals(clean, dirty, run(clean), run(dirty))
