"""Lemmas for the sentence classifier: pymorphy3 normal forms for Russian, a light suffix stripper for English.

Both are cached per word form, so a corpus pays the morphology once per distinct word.
"""

from __future__ import annotations

from functools import cache, lru_cache


@cache
def morph_analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def lemma_ru(word: str) -> str:
    p = morph_analyzer().parse(word)
    return p[0].normal_form.replace("ё", "е") if p else word


# English: strip the most common inflectional suffixes so that "accuses/accused/accusing" and
# "threat/threats" meet; a stemmer would do more, this is what a linear model needs.
_EN_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly")


@lru_cache(maxsize=200_000)
def lemma_en(word: str) -> str:
    if len(word) <= 4 or not word.isalpha():
        return word
    for suf in _EN_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[: -len(suf)]
            if suf in ("ied", "ies"):
                return stem + "y"
            if suf == "es" and not stem.endswith(("s", "x", "z", "ch", "sh")):
                return stem + "e"
            if suf in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                return stem[:-1]
            return stem
    return word


def lemma(word: str) -> str:
    """Lemma of a lower-case word in either language."""
    if any("\u0400" <= c <= "\u04ff" for c in word):
        return lemma_ru(word)
    return lemma_en(word)
