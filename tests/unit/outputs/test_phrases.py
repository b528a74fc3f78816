"""A claim in a brief is a clean phrase or nothing: never cut inside a word, never an unclosed quotation, never
ending on a word that needs the next one. The cases are the fragments analysts saw ("(ыми.)", "(and provocative"
and said Astana...)") and the extractor's claims from the sample corpus."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outputs.phrases import clean_phrase

PAIRS = {"«": "»", "“": "”", "(": ")", "[": "]", "‘": "’"}


def _balanced(s: str) -> bool:
    stack = []
    for ch in s:
        if ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
            else:
                stack.append(ch)
        elif ch in PAIRS:
            stack.append(ch)
        elif ch in PAIRS.values():
            if not stack or PAIRS.get(stack[-1]) != ch:
                return False
            stack.pop()
    return not stack


@pytest.mark.parametrize("claim, sentence, expected", [
    # cut inside a word: grown to the whole word from the sentence
    ("ыми и опасными.", "Они назвали слова провокационными и опасными.", "провокационными и опасными"),
    # one word left: nothing
    ("ыми.", "МИД назвал высказывания провокационными.", None),
    # a quotation left open: closed as the sentence closes it
    ("сделать Казахстан «следующим", "никаких планов сделать Казахстан «следующим» у России нет",
     "сделать Казахстан «следующим»"),
    # open quote and a dangling conjunction, no sentence to repair it from: the phrase stops before the quote
    ('and provocative" and said Astana', None, None),
    ('unacceptable and provocative" and said Astana had', None, "unacceptable and provocative"),
    ("and provocative", "Kazakhstan's MFA calls Gurulyov's words unacceptable and provocative.", None),
    ("Gurulev of", "A lawyer accused Gurulev of inciting hatred.", None),
    ("Another claimed that President Kassym-Jomart Tokayev was", None,
     "Another claimed that President Kassym-Jomart Tokayev"),
    ("и очередной вброс", None, "очередной вброс"),
    ("with Kazakhstan was possible", "He said war with Kazakhstan was possible.", "with Kazakhstan was possible"),
    ("Касым-Жомарт\u00a0Токаев заигрывает с Западом", None, "Касым-Жомарт Токаев заигрывает с Западом"),
    ("", "A sentence.", None),
    (None, None, None),
    ("…", None, None),
])
def test_claims_become_whole_phrases_or_nothing(claim, sentence, expected):
    assert clean_phrase(claim, sentence) == expected


def test_a_long_claim_ends_at_a_clause_or_after_a_whole_word():
    long = ("the government has failed to protect Russian speakers in the north, closed Russian schools in three "
            "regions and renamed streets that carried Soviet names across the country")
    out = clean_phrase(long, None, limit=120)
    assert out == "the government has failed to protect Russian speakers in the north"
    words = " ".join(["word"] * 40)
    cut = clean_phrase(words, None, limit=50)
    assert cut.endswith(" …") and all(w == "word" for w in cut[:-2].split())
    assert len(cut) <= 52


WORDS = st.sampled_from(["war", "with", "Kazakhstan", "is", "possible", "and", "of", "«next»", "«next", "next»",
                         "провокационными", "ыми", "(he", "said)", '"quote', 'end"', "Токаев", "в", "—", ",", "."])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=14), st.integers(0, 60), st.integers(0, 60))
def test_any_claim_comes_out_whole_balanced_and_inside_its_sentence(words, a, b):
    sentence = " ".join(words)
    lo, hi = sorted((min(a, len(sentence)), min(b, len(sentence))))
    claim = sentence[lo:hi]  # any cut of the sentence, inside words or not
    out = clean_phrase(claim, sentence)
    if out is None:
        return
    assert len(out.split()) >= 2
    assert _balanced(out), out
    body = out.removesuffix(" …")
    # a phrase from the sentence, starting and ending at word edges
    at = sentence.find(body)
    assert at >= 0, (out, sentence)
    end = at + len(body)
    assert at == 0 or not (re.match(r"\w", sentence[at - 1]) and re.match(r"\w", sentence[at])), (out, sentence)
    assert end == len(sentence) or not (re.match(r"\w", sentence[end - 1]) and re.match(r"\w", sentence[end])), \
        (out, sentence)
