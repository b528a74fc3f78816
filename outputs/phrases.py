"""A claim as a reader sees it: a clean phrase in whole words, or nothing.

The extractor's claim is the text after a cue up to a clause end, so it can start or stop inside a word (a stem
cue ends mid-word: "ыми."), open a quotation it never closes ("сделать Казахстан «следующим") or end on a word
that needs the next one ("Gurulev of"). A brief that prints such a fragment looks broken and can misquote; so the
phrase is repaired against its evidence sentence where that is possible and dropped where it is not.
"""

from __future__ import annotations

import re

_PAIRS = {"«": "»", "“": "”", "(": ")", "[": "]", "‘": "’"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_EDGE = " ,;:.!?—–-…"
# Words that cannot end a phrase (or start one, for the conjunctions): the claim was cut before what they govern.
_DANGLING_END = frozenset("""
a an the of to in on at by for from with into onto about against as than that which who whom whose was were is are be
been being has have had will would shall should can could may might must and or but nor not no its his her their our
и в во с со к ко о об обо от по на за из у для до при про без над под что чтобы как который которая которые
которого а но или ни не же ли бы это этот эта эти его её ее их
""".split())
_DANGLING_START = frozenset("and or but nor и а но или ни".split())
_WORD = re.compile(r"\w")
_CLAUSE = re.compile(r"[,;:]\s|\s[-–—]\s")
# a quotation that the sentence closes soon after the claim stops is taken whole; a far one is not
_NEAR = 40


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _to_word_edges(phrase: str, sentence: str) -> str:
    """`phrase` grown to whole words where it sits inside a word of `sentence` (first occurrence)."""
    at = sentence.find(phrase)
    if at < 0:
        return phrase
    start, end = at, at + len(phrase)
    while start > 0 and _WORD.match(sentence[start - 1]) and _WORD.match(sentence[start]):
        start -= 1
    while end < len(sentence) and _WORD.match(sentence[end]) and _WORD.match(sentence[end - 1]):
        end += 1
    return sentence[start:end]


def _balanced(phrase: str, sentence: str = "") -> str:
    """`phrase` with every quotation and bracket closed: one left open is closed as `sentence` closes it when
    that is near, else the phrase stops before it; a closer without its opener ends the phrase there. Straight
    double quotes pair up the same way."""
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(phrase):
        if ch == '"':
            if stack and stack[-1][0] == '"':
                stack.pop()
            else:
                stack.append((ch, i))
        elif ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if not stack or stack[-1][0] != _CLOSERS[ch]:
                return _balanced(phrase[:i], sentence)
            stack.pop()
    if not stack:
        return phrase
    opener, at = stack[0]
    pos = sentence.find(phrase) if sentence else -1
    if len(stack) == 1 and pos >= 0:
        close = sentence.find(_PAIRS.get(opener, '"'), pos + len(phrase))
        if 0 <= close - (pos + len(phrase)) <= _NEAR:
            return _balanced(sentence[pos:close + 1])
    return _balanced(phrase[:at])


def _trimmed(phrase: str) -> str:
    words = phrase.strip(_EDGE).split()
    while words and words[0].lower().strip(_EDGE) in _DANGLING_START:
        words.pop(0)
    while words and words[-1].lower().strip(_EDGE) in _DANGLING_END:
        words.pop()
    return " ".join(words).strip(_EDGE)


def _shorten(phrase: str, limit: int) -> str:
    if len(phrase) <= limit:
        return phrase
    head = phrase[:limit]
    clauses = [m.start() for m in _CLAUSE.finditer(head)]
    if clauses and clauses[-1] >= limit // 2:
        cut = _trimmed(_balanced(head[:clauses[-1]]))
    else:
        cut = _trimmed(_balanced(head.rsplit(" ", 1)[0])) + " …"
    return cut


def clean_phrase(claim: str | None, sentence: str | None = None, limit: int = 120) -> str | None:
    """`claim` as a phrase of whole words (at least two) with its quotations closed, not ending on a word that
    needs the next, at most about `limit` characters (a longer one ends at a clause boundary, else after a whole
    word and " …"); None when no such phrase is left.

    With the evidence `sentence`, a claim cut inside a word is grown to the whole word and an unclosed quotation
    is closed where the sentence closes it."""
    phrase, sentence = _squash(claim), _squash(sentence)
    if sentence:
        phrase = _to_word_edges(phrase, sentence)
    phrase = _balanced(phrase, sentence)
    for _ in range(3):  # trimming a word can leave a quotation open: repeat until nothing changes
        again = _balanced(_trimmed(phrase))
        if again == phrase:
            break
        phrase = again
    if len(phrase.split()) < 2 or not _WORD.search(phrase):
        return None
    phrase = _shorten(phrase, limit)
    return phrase if len(phrase.split()) >= 2 else None
