"""Candidate sentences and their features: what the learned sentence stage sees.

A candidate is a sentence of a target-mentioning document that refers to the target (its names in every case,
demonyms, capital, officials, "the republic" after the target was named, a pronoun continuing it), carries a
lexicon cue, or names a person of either side. Its features are
- words: lemmas (pymorphy3 for Russian) and lemma bigrams, with people, the target, the adversary, outlets and
  other countries replaced by placeholders that keep their side ("⟨per:KZ⟩ обвинить ⟨per:RU⟩"), so the model
  learns constructions rather than names;
- characters: 3- to 5-grams of each word (inflection, transliteration variants, machine-translation typos);
- the rules' findings: which kinds fired and how strongly, cue kinds and categories, cues dropped and why
  (negated, feared, a topic, aimed at another country), the speaker's side and how it was found, the voice,
  the publisher's alignment, how the target is referred to, quotes, questions, headline shape;
- context: what fired in the sentence before, whether the document names the adversary.
Each group is scaled to unit length before the groups are joined, so no group drowns the others.
The same function serves training (``indicators.train``) and extraction (``indicators.extract``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .lemmas import lemma
from .model import KINDS, RULE_PREFIXES
from .reference import ADV, CUE, DESC, GROUP, OTHER, OUTLET, PERSON, SPEECH, SPEECH_AFTER, TARGET
from .rules import _Doc, _sentence_signals

BIGRAM_WEIGHT = 0.8
CHAR_WEIGHT = 0.8
CONTEXT_WORDS = 0.5  # weight of the previous sentence's words (pronouns and "the deputy" point back to them)
_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*|[?!«»\"“”]")
_QUOTES = "\"«»“”„"
_NEG_WORDS = frozenset("not no never nothing none neither nor n't не ни нет никогда ничего никаких никакого".split())


@dataclass
class Candidate:
    i: int  # sentence index in the document
    start: int
    end: int
    text: dict[str, float]  # words, bigrams, character n-grams, the previous sentence's words, language
    rules: dict[str, float]  # what the rules found (``model.RULE_PREFIXES``)
    rule_signals: list[dict]
    facts: dict = field(default_factory=dict)

    @property
    def features(self) -> dict[str, float]:
        return {**self.text, **self.rules}


def about_another_country(c: Candidate) -> bool:
    """The sentence names another country and refers to the target neither by name nor by continuation: its
    hostility is aimed elsewhere ("Moldova must be brought back by force")."""
    f = c.rules
    return bool(f.get("other_country")) and not any(k.startswith("ref:") for k in f)


def fired_kinds(c: Candidate, probs, thresholds: dict[str, float]) -> set[str]:
    """The kinds whose probability reaches its threshold; a threat is also a hostile mention, and neither fires
    for a sentence about another country. One rule for the extractor and for threshold tuning."""
    fired = {k for n, k in enumerate(KINDS) if probs[n] >= thresholds[k]}
    if "threat" in fired:
        fired.add("hostile_mention")
    if about_another_country(c):
        fired -= {"hostile_mention", "threat"}
    return fired


def _placeholders(d: _Doc, i: int, a: int, b: int) -> list[tuple[int, int, str]]:
    """Spans of sentence ``i`` to replace by a placeholder word, longest first, without overlaps."""
    spans: list[tuple[int, int, str]] = []
    code = d.t.code
    for h in d.by_sent.get(i, []):
        if h.role == TARGET:
            spans.append((h.start, h.end, "⟨tgt⟩"))
        elif h.role == ADV:
            spans.append((h.start, h.end, "⟨adv⟩"))
        elif h.role == OTHER and h.ref != d._bloc:
            spans.append((h.start, h.end, "⟨oth⟩"))
        elif h.role == OUTLET:
            spans.append((h.start, h.end, "⟨outlet⟩"))
        elif h.role == GROUP:
            g = d.t.groups[h.ref]
            side = "tgt" if g.get("country") == code else ("adv" if g.get("country") == d.t.adversary else "x")
            spans.append((h.start, h.end, f"⟨grp:{side}⟩"))
    for e in d.entities(i):
        if e.etype == "person" and not e.anaphor:
            side = d.side(e) or "x"
            spans.append((e.start, e.end, f"⟨per:{side}⟩"))
        elif e.etype == "organization":
            side = d.side(e) or "x"
            spans.append((e.start, e.end, f"⟨org:{side}⟩"))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    for s in spans:
        if out and s[0] < out[-1][1]:
            continue
        if a <= s[0] and s[1] <= b:
            out.append(s)
    return out


def _norm_words(d: _Doc, i: int, a: int, b: int) -> list[str]:
    """Lemmas of sentence ``i`` with placeholders for entities."""
    words: list[str] = []
    pos = a
    for s0, e0, ph in _placeholders(d, i, a, b):
        words.extend(lemma(w) for w in _WORD_RE.findall(d.f[pos:s0]))
        words.append(ph)
        pos = e0
    words.extend(lemma(w) for w in _WORD_RE.findall(d.f[pos:b]))
    return words


def _unit(feats: dict[str, float], scale: float = 1.0) -> dict[str, float]:
    n = math.sqrt(sum(v * v for v in feats.values()))
    return {k: scale * v / n for k, v in feats.items()} if n else {}


def _text_features(words: list[str]) -> dict[str, float]:
    # every value is 1 before scaling, so each group's unit length is 1/sqrt(size)
    uni = ["w:" + w for w in words]
    bi = ["b:" + p + " " + w for p, w in zip(["⟨s⟩", *words], [*words, "⟨/s⟩"], strict=True)]
    grams: list[str] = []
    for w in words:
        if w[0] != "⟨" and len(w) > 2:
            p = f" {w} "
            n = len(p)
            grams.extend("c:" + p[k:k + 3] for k in range(n - 2))
            grams.extend("c:" + p[k:k + 4] for k in range(n - 3))
            grams.extend("c:" + p[k:k + 5] for k in range(n - 4))
    out: dict[str, float] = {}
    for keys, scale in ((uni, 1.0), (bi, BIGRAM_WEIGHT), (grams, CHAR_WEIGHT)):
        uniq = dict.fromkeys(keys)
        if uniq:
            out.update(dict.fromkeys(uniq, scale / math.sqrt(len(uniq))))
    return out


def _rule_keys(rule_sigs: list[dict]) -> list[str]:
    keys = []
    for s in rule_sigs:
        keys.append("rule:" + s["kind"])
        if s["kind"] == "accusation":
            keys.append("rule:acc_" + (s.get("target_type") or "x"))
    return keys


def rule_features(d: _Doc, i: int, facts: dict, rule_sigs: list[dict], publisher: dict | None) -> dict[str, float]:
    a, b = d.S.span(i)
    hs = d.by_sent.get(i, [])
    f: dict[str, float] = {}
    for k in _rule_keys(rule_sigs):
        f[k] = 1.0
    for s in rule_sigs:
        k = s["kind"]
        f["rulescore:" + k] = max(f.get("rulescore:" + k, 0.0), float(s["score"] or 0.0))
    for h in hs:
        if h.role == CUE:
            en = d.t.entries[h.ref]
            f[f"cue:{en.kind}"] = max(f.get(f"cue:{en.kind}", 0.0), en.weight)
            f[f"cat:{en.kind}:{en.category}"] = 1.0
            if _inside_quotes(d.text, a, h.start):
                f[f"cue_quoted:{en.kind}"] = 1.0
        elif h.role in (SPEECH, SPEECH_AFTER):
            f["speech_verb"] = 1.0
    for why, kind in facts.get("dropped", []):
        f[f"dropped:{why}:{kind}"] = 1.0
    for k, v in (facts.get("valid") or {}).items():
        f["valid:" + k] = max(w for _, _, w in v)
    if "evidence" in facts:
        f["evidence"] = float(facts["evidence"])
        f["voice:" + str(facts.get("voice_side"))] = 1.0
        for key in ("adv_in_sentence", "adv_in_context", "unknown_voice", "has_target"):
            if facts.get(key):
                f[key] = 1.0
    speaker, how = d.speaker(i)
    side = d.side(speaker) if speaker is not None else None
    f[f"spk:{side}:{how}"] = 1.0
    f[f"spk_side:{side}"] = 1.0
    if speaker is not None:
        f["spk_type:" + speaker.etype] = 1.0
    pub = publisher or {}
    pside = {d.t.code: "tgt", d.t.adversary: "adv"}.get(pub.get("country"), "x" if pub.get("country") else "none")
    f[f"pub:{pside}:{pub.get('alignment')}"] = 1.0
    refs = d.target_refs(i, speaker if how in ("explicit", "pronoun", "quote") else None)
    for r in refs:
        f["ref:" + r[2]] = 1.0
    if not refs and d.context_target(i):
        f["ref:context"] = 1.0
    ents = d.entities(i)
    for e in ents:
        if e.etype == "person":
            f[f"person:{d.side(e)}"] = 1.0
            if e.anaphor:
                f["role_noun"] = 1.0
    if any(h.role == DESC for h in hs):
        f["descriptor"] = 1.0
    if any(h.role == OTHER and h.ref != d._bloc for h in hs):
        f["other_country"] = 1.0
    sent = d.text[a:b]
    if any(c in sent for c in _QUOTES):
        f["quote"] = 1.0
    if sent[:1] in _QUOTES:
        f["quote_start"] = 1.0
    if sent.rstrip().endswith("?"):
        f["question"] = 1.0
    if sent[-1:] not in ".!?…\"»”" and len(sent) < 160:
        f["headline_shape"] = 1.0
    if any(w in _NEG_WORDS for w in _WORD_RE.findall(d.f[a:b])):
        f["negation_word"] = 1.0
    if i == 0:
        f["first_sentence"] = 1.0
    if d.adv_doc:
        f["doc:adversary_named"] = 1.0
    if d.observer:
        f["doc:observer_words"] = 1.0
    return f


def _inside_quotes(text: str, a: int, pos: int) -> bool:
    depth = 0
    straight = False
    for c in text[a:pos]:
        if c in "«“„":
            depth += 1
        elif c in "»”":
            depth = max(0, depth - 1)
        elif c == '"':
            straight = not straight
    return depth > 0 or straight


def is_candidate(d: _Doc, i: int) -> bool:
    hs = d.by_sent.get(i, [])
    if any(h.role in (CUE, TARGET, ADV, PERSON) for h in hs):
        return True
    if d.context_target(i) or any(h.role == DESC and d._descriptor_is_target(h) for h in hs):
        return True
    # last, as it is the dearest: a person outside the register whose side is known
    return any(e.etype == "person" and d.side(e) in ("target", "adversary") for e in d.entities(i))


def analyse(d: _Doc, publisher: dict | None) -> list[Candidate]:
    """Candidate sentences of one document with their features and the rules' signals; a sentence whose text
    repeats an earlier one (a headline printed twice, page furniture) is left out."""
    out: list[Candidate] = []
    seen: set[str] = set()
    prev_rule: dict[str, float] = {}
    prev_i = -2
    prev_words: list[str] = []
    for i in range(len(d.S)):
        a, b = d.S.span(i)
        key = d.f[a:b].strip()
        if key in seen or not key:
            continue
        seen.add(key)
        if not is_candidate(d, i):
            prev_words = []
            continue
        facts: dict = {}
        sigs = _sentence_signals(d, i, publisher, facts)
        words = _norm_words(d, i, a, b)
        tf = _text_features(words)
        if CONTEXT_WORDS and prev_i == i - 1 and prev_words:
            tf.update(_unit({"p:" + w: 1.0 for w in prev_words}, CONTEXT_WORDS))
        tf["lang:" + ("ru" if _cyrillic_share(d.text, a, b) > 0.3 else "en")] = 1.0
        prev_words = words
        rf = rule_features(d, i, facts, sigs, publisher)
        for k in [k for k in rf if not k.startswith(RULE_PREFIXES)]:
            tf[k] = rf.pop(k)  # the sentence's shape (quotes, a question, a headline) is the text model's
        if prev_i == i - 1:
            for k, v in prev_rule.items():
                rf["prev_" + k] = v
        prev_rule = {k: 1.0 for k in _rule_keys(sigs)}
        prev_i = i
        out.append(Candidate(i, a, b, tf, rf, sigs, facts))
    return out


def _cyrillic_share(text: str, a: int, b: int) -> float:
    letters = [c for c in text[a:b] if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u0400" <= c <= "\u04ff") / len(letters)
