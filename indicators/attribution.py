"""Who speaks and whom a sentence accuses, once the sentence stage has said what kind of signal it carries.

- ``person_candidates``: the people an accusation sentence may be aimed at: those named in it (register,
  detected names, natasha's NER for Russian), those named in the three sentences before (the accused is often
  named once and then referred to as "he", "the deputy", "такие заявления"), and the most mentioned person of
  each side in the document.
- ``pair_features``: what tells the accused among them (side against the voice, case and position against the
  verb of charging, being the speaker, a list of names, a pronoun pointing back); the accused model
  (``indicators.model``) scores each pair.
- ``voice_for``: the speaker of each kind; nested speech keeps both voices: in "the Kremlin said Russia has no
  claims, after a lawmaker mused about a war", the denial is the Kremlin's and the threat the lawmaker's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .lemmas import lemma
from .names import is_cyrillic, ner_names
from .reference import ADV, CUE, GROUP, TARGET
from .rules import Entity, _Doc
from .scoring import skeleton
from .text import fold

_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
_PRONOUN_RE = re.compile(r"\b(he|him|his|she|her|они|он|она|его|ему|ей|ее|им|такие заявления|подобные заявления|"
                         r"these remarks|such remarks|the deputy|the lawmaker|the minister|the official|депутат\w*|"
                         r"министр\w*|парламентари\w*|дипломат\w*|politician|политик\w*)\b")


@dataclass
class PersonRef:
    name: str
    id: str | None
    role: str | None
    country: str | None
    loc: str  # sent | prev1 | prev2 | prev3 | doc
    start: int | None = None  # offsets of the mention when it is in the sentence
    end: int | None = None
    mention: str = ""
    anaphor: bool = False
    source: str = "register"


def surname_key(name: str) -> str:
    """Script-insensitive key of a person's surname ("Блинкена" and "Antony Blinken" agree)."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isupper()]
    return skeleton(words[-1] if words else (name or ""))[:4]


def _ner_persons(d: _Doc, i: int) -> list[Entity]:
    a, b = d.S.span(i)
    if not is_cyrillic(d.text[a:b]):
        return []
    cache = d.__dict__.setdefault("_ner_cache", {})
    if i not in cache:
        names = ner_names(d.text, [(a, b)])[0]
        cache[i] = [Entity(n.start, n.end, "person", n.name, None, None, d._name_side(i, n), alias=" " not in n.name,
                           gender=n.gender) for n in names]
    return cache[i]


def _persons_in(d: _Doc, i: int, use_ner: bool) -> list[Entity]:
    ents = [e for e in d.entities(i) if e.etype == "person" and not (e.anaphor and e.id is None)]
    if use_ner:
        for e in _ner_persons(d, i):
            if not any(not (e.end <= k.start or e.start >= k.end) for k in ents) and not any(
                    h.role in (TARGET, ADV) and not (e.end <= h.start or e.start >= h.end) for h in d.by_sent.get(i, [])):
                ents.append(e)
    return ents


def person_candidates(d: _Doc, i: int, use_ner: bool = True) -> list[PersonRef]:
    out: list[PersonRef] = []
    seen: set[str] = set()

    def add(e: Entity, loc: str, in_sentence: bool) -> None:
        key = surname_key(e.name)
        if not key or key in seen:
            return
        seen.add(key)
        out.append(PersonRef(e.name, e.id, e.role, e.country, loc, e.start if in_sentence else None,
                             e.end if in_sentence else None, d.text[e.start:e.end] if in_sentence else "",
                             e.anaphor, "register" if e.id else "name"))

    for e in _persons_in(d, i, use_ner):
        add(e, "sent", True)
    for back in (1, 2, 3):
        j = i - back
        if j < 0:
            break
        for e in _persons_in(d, j, False):  # the neural NER only where the accusation is
            add(e, f"prev{back}", False)
    counts: Counter = Counter()
    first: dict[str, Entity] = {}
    for j in range(len(d.S)):
        for e in d.entities(j):
            if e.etype == "person" and not e.anaphor and d.side(e) in ("target", "adversary"):
                k = surname_key(e.name)
                counts[k] += 1
                first.setdefault(k, e)
    for side in ("target", "adversary"):
        top = [k for k, _ in counts.most_common() if d.side(first[k]) == side][:1]
        for k in top:
            add(first[k], "doc", False)
    return out


def _voice_side(d: _Doc, i: int, publisher: dict | None) -> str | None:
    sp, how = d.speaker(i)
    if sp is not None and d.side(sp) and how != "context":
        return d.side(sp)
    return d.side(d.pub_entity) if d.pub_entity is not None else None


def pair_features(d: _Doc, i: int, p: PersonRef, cands: list[PersonRef], facts: dict,
                  rule_sigs: list[dict], publisher: dict | None) -> dict[str, float]:
    a, b = d.S.span(i)
    side = {d.t.code: "target", d.t.adversary: "adversary"}.get(p.country, "other" if p.country else "none")
    voice = _voice_side(d, i, publisher) or "none"
    f: dict[str, float] = {"bias": 1.0, f"loc:{p.loc}": 1.0, f"side:{side}": 1.0, f"voice:{voice}|side:{side}": 1.0,
                           f"loc:{p.loc}|side:{side}": 1.0, f"src:{p.source}": 1.0}
    sp, how = d.speaker(i)
    if sp is not None and surname_key(sp.name) == surname_key(p.name):
        f["is_speaker"] = 1.0
        f[f"is_speaker|{how}"] = 1.0
    in_sent = [c for c in cands if c.loc == "sent"]
    f[f"n_in_sentence:{min(len(in_sent), 4)}"] = 1.0
    if p.anaphor:
        f["anaphor"] = 1.0
    for s in rule_sigs:
        if s["kind"] == "accusation" and s.get("target_type") == "person":
            f["rule_accuses_someone"] = 1.0
            if surname_key(s.get("target_name") or "") == surname_key(p.name):
                f["rule_accuses_this"] = 1.0
    cue_pos = [h.start for h in d.by_sent.get(i, []) if h.role == CUE
               and d.t.entries[h.ref].kind in ("accusation", "hostile_mention")]
    if p.start is not None:
        mention = fold(p.mention)
        if is_cyrillic(mention):
            f["case:" + ("nom" if fold(p.name).endswith(mention.split()[-1]) else "obl")] = 1.0
        if cue_pos:
            before = min(cue_pos) > p.end
            dist = min(abs(c - p.start) for c in cue_pos)
            f["cue:" + ("after_person" if before else "before_person")] = 1.0
            f[f"cue_dist:{min(dist // 20, 5)}"] = 1.0
        lw = [lemma(w) for w in _WORD_RE.findall(d.f[max(a, p.start - 40):p.start])][-2:]
        rw = [lemma(w) for w in _WORD_RE.findall(d.f[p.end:min(b, p.end + 40)])][:2]
        for k, w in enumerate(reversed(lw)):
            f[f"lw{k}:{w}"] = 1.0
        for k, w in enumerate(rw):
            f[f"rw{k}:{w}"] = 1.0
        around = d.text[max(a, p.start - 3):p.start] + "|" + d.text[p.end:p.end + 3]
        if "," in around or " и " in around or " and " in around:
            f["list_neighbour"] = 1.0
        if p.start - a < 3:
            f["sentence_initial"] = 1.0
    else:
        if _PRONOUN_RE.search(d.f[a:b]):
            f[f"pointer|{p.loc}"] = 1.0
        if not in_sent:
            f[f"nobody_in_sentence|{p.loc}"] = 1.0
        if not any(c.loc == "sent" and c.country == p.country for c in cands):
            f[f"side_absent_in_sentence|{p.loc}"] = 1.0
    return f


# ---------------------------------------------------------------------------------------------
# speakers per kind
# ---------------------------------------------------------------------------------------------


def hostile_voice(d: _Doc, i: int, exclude: str | None = None) -> Entity | None:
    """The adversary voice behind a hostile or threatening cue of sentence ``i``: the adversary person or group
    closest before the first such cue ("after a video of a Russian lawmaker musing about a war"), other than
    ``exclude`` (the denier of the same sentence); else an adversary person of the sentences just before."""
    hs = d.by_sent.get(i, [])
    cues = [h.start for h in hs if h.role == CUE and d.t.entries[h.ref].kind in ("threat", "hostile_mention")]
    first = min(cues) if cues else d.S.span(i)[1]
    cands = [e for e in d.entities(i) if d.side(e) == "adversary" and e.start < first
             and (exclude is None or e.name != exclude)]
    # a person rather than the institution in front of the name ("депутата Госдумы Аркадия Сомова")
    cands.sort(key=lambda e: (e.etype == "person" and not e.anaphor, e.start))
    groups = [h for h in hs if h.role == GROUP and h.start < first]
    if cands:
        return cands[-1]
    if groups:
        g = d.t.groups[groups[-1].ref]
        if g.get("country") == d.t.adversary:
            h = groups[-1]
            return Entity(h.start, h.end, g.get("type", "group"), g["name"], None, None, g.get("country"))
    for j in range(i - 1, max(-1, i - 3), -1):
        prev = [e for e in d.entities(j) if e.etype == "person" and d.side(e) == "adversary" and not e.anaphor
                and (exclude is None or e.name != exclude)]
        if prev:
            return prev[-1]
    return None
