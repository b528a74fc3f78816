"""Signals from the learned stage's decisions: one row per sentence and kind (per accused person for accusations).

A kind fires when its probability reaches the model's threshold. The row takes the rules' attribution where the
rules fired the same kind in the sentence (their speaker and denier logic), else the sentence's speaker, with
three corrections the rules got wrong:
- nested speech keeps both voices: a hostile or threatening cue in a sentence whose speaker denies ("the Kremlin
  said Russia has no claims, after a lawmaker mused about a war") is the adversary voice's, not the denier's;
- a hostile mention or threat needs an adversary voice; when the sentence's speaker is target-side, the voice is
  the adversary person or group the sentence reports (``attribution.hostile_voice``);
- an accuser is never the accused: a Kazakh ministry's rebuke of a deputy is the ministry's accusation.
``score`` is the model's probability; ``cue`` the lexicon cues in the sentence, else the words that weighed most.
"""

from __future__ import annotations

import re

import numpy as np

from .attribution import hostile_voice, surname_key
from .model import KINDS, ExtractionModel
from .reference import CUE
from .rules import Entity, _Doc, _entity_fields, _publisher_entity
from .stage import Candidate, fired_kinds

_CLAUSE_END = re.compile(r"[.;!?…]|,\s|\s[-–—]\s|[»”\"]")


def clean_claim(text: str, start: int, end: int, limit: int = 140) -> str | None:
    """The phrase after a cue up to the end of its clause, in whole words, or None when there is none."""
    s = text[start:end]
    m = _CLAUSE_END.search(s)
    s = s[:m.start()] if m else s
    s = s.strip(" \"“”«»'‘’()[]:—–-")
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0]
    return s if len(s.split()) >= 2 else None


def _speaker_fields(e: Entity | None, publisher: dict | None) -> dict:
    if e is None and publisher:
        return {"speaker_name": publisher["name"], "speaker_id": publisher.get("outlet_id"),
                "speaker_role": publisher.get("role") or "outlet", "speaker_country": publisher.get("country") or None,
                "speaker_type": "person" if publisher.get("alignment") == "person" else "outlet"}
    return _entity_fields("speaker", e)


def _cue_text(d: _Doc, i: int, kind: str, c: Candidate, model: ExtractionModel) -> str | None:
    hits = [h for h in d.by_sent.get(i, []) if h.role == CUE and d.t.entries[h.ref].kind == kind]
    if hits:
        return "; ".join(dict.fromkeys(d.text[h.start:h.end] for h in hits))
    words = model.top_words(c.features, kind, 3)
    return ("model: " + ", ".join(words)) if words else None


def _country_target(d: _Doc) -> dict:
    t = d.t
    return {"target_name": t.name, "target_id": t.code.lower(), "target_type": "country", "target_country": t.code}


def sentence_signals(d: _Doc, c: Candidate, probs: np.ndarray, model: ExtractionModel,
                     publisher: dict | None, accused: list | None = None) -> list[dict]:
    """Signal rows of one candidate sentence from its kind probabilities; ``accused``: (person, probability)
    pairs for the people it may accuse (scored by the caller, in one batch for many sentences)."""
    th = model.thresholds
    fired = fired_kinds(c, probs, th)
    if not fired:
        return []
    i = c.i
    a, b = c.start, c.end
    speaker, how = d.speaker(i)
    by_kind = {}
    for s in c.rule_signals:
        by_kind.setdefault(s["kind"], s)
    base = {"doc_id": d.doc_id, "char_start": a, "char_end": b, "sentence_index": i, "sentence": d.text[a:b],
            "publisher": publisher["name"] if publisher else None, "is_reported_speech": speaker is not None}
    p = dict(zip(KINDS, probs.tolist(), strict=True))
    out: list[dict] = []
    denier_name = None
    if "denial" in fired:
        r = by_kind.get("denial")
        row = dict(r) if r else {**base, **_speaker_fields(speaker if how != "context" else None, publisher),
                                 **_country_target(d), "category": "learned",
                                 "claim": None, "is_reported_speech": speaker is not None}
        row.update(kind="denial", score=round(p["denial"], 3), cue=_cue_text(d, i, "denial", c, model))
        row["claim"] = clean_claim(d.text, _first_cue_end(d, i, "denial", a), b)
        denier_name = row.get("speaker_name")
        out.append(row)
    for kind in ("threat", "hostile_mention"):
        if kind not in fired:
            continue
        r = by_kind.get(kind) or (by_kind.get("threat") if kind == "hostile_mention" else None)
        row = dict(r) if r else {**base, **_speaker_fields(speaker, publisher), **_country_target(d),
                                 "category": "learned", "claim": None}
        side = row.get("speaker_country")
        if (denier_name is not None and row.get("speaker_name") == denier_name) or side == d.t.code or (
                r is None and side != d.t.adversary):
            v = hostile_voice(d, i, exclude=denier_name)
            if v is not None:
                row.update(_entity_fields("speaker", v))
                row["is_reported_speech"] = True
        row.update(kind=kind, score=round(p[kind], 3), cue=_cue_text(d, i, kind, c, model))
        row["claim"] = clean_claim(d.text, _first_cue_end(d, i, kind, a), b) if kind == "threat" else None
        out.append(row)
    if "accusation" in fired:
        out.extend(_accusations(d, c, p["accusation"], speaker, how, publisher, base, model, accused or []))
    return out


def _first_cue_end(d: _Doc, i: int, kind: str, default: int) -> int:
    """Where the claim starts: after the first cue of ``kind``, at the end of its word (a stem cue such as
    "недопустим*" must not cut "недопустимыми" in two)."""
    ends = [h.end for h in d.by_sent.get(i, []) if h.role == CUE and d.t.entries[h.ref].kind == kind]
    return d._word_end(min(ends)) if ends else default


def _same_person(d: _Doc, e: Entity, p) -> bool:
    """``e`` is the accused ``p`` or only his title ("Высказывания депутата Госдумы А. Гурулёва": "депутата" is
    Gurulyov's office, not a second voice)."""
    if surname_key(e.name) == surname_key(p.name):
        return True
    if e.anaphor and p.start is not None and e.start >= 0 and 0 <= p.start - e.end <= 40 and not any(
            ch in ".;:!?,«»\"“”" for ch in d.text[e.end:p.start]):
        return True
    return e.anaphor and e.id is None and e.country is not None and e.country == p.country


def _rule_accusation(c: Candidate, p) -> dict | None:
    """The rules' accusation of the same person in the sentence, when its accuser is someone else."""
    key = surname_key(p.name)
    for r in c.rule_signals:
        if (r["kind"] == "accusation" and r.get("target_type") == "person" and r.get("target_name")
                and surname_key(r["target_name"]) == key and r.get("speaker_name")
                and surname_key(r["speaker_name"]) != key):
            return r
    return None


def _accusations(d: _Doc, c: Candidate, p_acc: float, speaker: Entity | None, how: str, publisher: dict | None,
                 base: dict, model: ExtractionModel, accused: list) -> list[dict]:
    i = c.i
    chosen = model.choose_accused([(q, pp) for pp, q in accused])
    out = []
    for pp in chosen:
        accuser = speaker
        fallback = accuser is None or how == "context" or _same_person(d, accuser, pp)
        if fallback:
            # an accuser is never the accused: the voice is the publisher's (a ministry's statement, a channel)
            accuser = _publisher_entity(publisher) if publisher else None
            if accuser is not None and surname_key(accuser.name) == surname_key(pp.name):
                accuser = None
        row = {**base, **_speaker_fields(accuser, publisher if accuser is None else None)}
        if accuser is None and publisher and surname_key(publisher["name"]) == surname_key(pp.name):
            row.update(_entity_fields("speaker", None))
        rule = _rule_accusation(c, pp) if fallback else None
        if rule is not None and rule.get("speaker_country") != pp.country:
            # the rules' accuser logic knows unnamed accusers ("a Kazakh lawyer accused ...")
            row.update({k: v for k, v in rule.items() if k.startswith("speaker_")},
                       is_reported_speech=rule.get("is_reported_speech"))
        row.update(kind="accusation", category="learned", score=round(p_acc, 3),
                   target_name=pp.name, target_id=pp.id, target_type="person", target_country=pp.country,
                   cue=_cue_text(d, i, "accusation", c, model),
                   claim=clean_claim(d.text, _first_cue_end(d, i, "accusation", c.start), c.end))
        out.append(row)
    return out
