"""Signal extraction: hostile mentions, accusations, denials and threats towards a target country.

``extract(docs, target="KZ")`` takes a polars frame of documents and returns an ``Extraction``
with two frames, ``signals`` and ``documents`` (schemas ``SIGNAL_SCHEMA`` / ``DOCUMENT_SCHEMA``).

Method, per document:
1. one Aho–Corasick pass (``reference.scan``) over the folded text finds every lexicon cue,
   target/adversary alias, register person/institution, outlet, speaker group and other-country
   name, with word-boundary checks (a trailing "*" in the lexicon lets a Russian stem inflect);
2. documents without a reference to the target stop here;
3. otherwise sentence spans are computed once and hits are assigned to sentences by bisection;
4. a sentence with a cue is a candidate when it refers to the target (alias, a person of the
   target country, a target-side institution) or, through a pronoun / list item, its context does;
5. the speaker is found in the sentence (reporting verb + entity, "according to X", "— said X",
   "заявил X"), else through a pronoun or quote continuation, else the outlet speaks itself;
6. each kind has its own firing rule (see ``_kind_signals``): hostility and threats need the
   adversary's voice (speaker, entity in the sentence or an adversary-aligned publisher);
   accusations name the accused official; denials need a dispute party and no negation/hedge.
No rule refers to any particular article: all wording lives in ``reference/lexicon``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import polars as pl

from . import doc_meta
from .reference import (
    ADV,
    CUE,
    EXCL,
    GROUP,
    OTHER,
    OUTLET,
    PERSON,
    SPEECH,
    SPEECH_AFTER,
    TARGET,
    WITH,
    Hit,
    Target,
    find_outlet,
    load_target,
    mentions_target,
    scan,
)
from .text import Sentences, fold, is_bullet

SIGNAL_SCHEMA: dict[str, pl.DataType] = {
    "signal_id": pl.Utf8, "doc_id": pl.Utf8, "kind": pl.Utf8, "category": pl.Utf8,
    "char_start": pl.Int64, "char_end": pl.Int64, "sentence_index": pl.Int64, "sentence": pl.Utf8,
    "speaker_name": pl.Utf8, "speaker_id": pl.Utf8, "speaker_role": pl.Utf8, "speaker_country": pl.Utf8,
    "speaker_type": pl.Utf8, "target_name": pl.Utf8, "target_id": pl.Utf8, "target_type": pl.Utf8,
    "target_country": pl.Utf8, "claim": pl.Utf8, "cue": pl.Utf8, "score": pl.Float64,
    "publisher": pl.Utf8, "is_reported_speech": pl.Boolean,
}
DOCUMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.Utf8, "language": pl.Utf8, "published_date": pl.Date, "date_source": pl.Utf8,
    "target_mentioned": pl.Boolean, "tension_rating": pl.Int64, "signal_count": pl.Int64,
}
MIN_SCORE = 0.45


@dataclass
class Extraction:
    signals: pl.DataFrame
    documents: pl.DataFrame


@dataclass
class Entity:
    start: int
    end: int
    etype: str  # person | organization | outlet | group
    name: str
    id: str | None
    role: str | None
    country: str | None
    alias: bool = False  # a surname-only mention


# ---------------------------------------------------------------------------------------------
# Small lexical helpers (local regexes over single sentences only)
# ---------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[\w'-]+")
_PRON_START_RE = re.compile(r"^[\s\"'(\[-]*(he|she|it|they|his|her|its|their|он|она|оно|они|его|ее|их)\b")
_SUBJ_PRON_RE = re.compile(r"\b(he|she|it|they|он|она|оно|они)\s+(?:\w+\s+){0,2}$")
_NAME_RUN_RE = re.compile(r"(?:[A-ZА-ЯЁ][a-zа-яё'’]+(?:-[A-ZА-ЯЁ]?[a-zа-яё'’]+)?\s+){1,5}[A-ZА-ЯЁ][a-zа-яё'’]+(?:-[A-ZА-ЯЁ]?[a-zа-яё]+)?")
_ROLE_WORDS = frozenset(
    "minister speaker adviser advisor counsellor counselor ambassador deputy spokesman spokeswoman "
    "spokesperson senator governor general analyst blogger commentator journalist akim chairman "
    "chairwoman head president premier mp lawmaker politician expert envoy secretary director "
    "official officer colonel lieutenant presenter host propagandist "
    "министр спикер советник посол депутат пресс-секретарь сенатор губернатор генерал аналитик "
    "блогер блогера комментатор журналист аким председатель глава президент политолог эксперт "
    "директор чиновник полковник ведущий пропагандист".split()
)
_OUTLET_DESC_RE = re.compile(
    r"\b(the (?:same )?(?:website|site|outlet|newspaper|channel|tv channel|publication|portal|broadcaster|paper)"
    r"|(?:это|этот|то же) (?:издание|сайт|канал|газета)|издание|телеканал)\b")
_CAP_STOP = frozenset(
    "the a an state senate information foreign affairs ministry minister speaker adviser advisor "
    "deputy ambassador president general russian kazakh ukrainian american armenian duma prime "
    "chairman head national security committee former first vice lieutenant telegram "
    "on in at by of and but as after before when if while also however moreover thus news "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "госдумы государственной думы министр посол депутат генерал президент глава".split()
)


def _sig_id(doc_id: str, kind: str, start, end, tgt: str) -> str:
    raw = f"{doc_id}|{kind}|{start}|{end}|{tgt}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


class _Doc:
    """Working state for one document."""

    def __init__(self, target: Target, doc_id: str, text: str, hits: list[Hit], publisher: dict | None,
                 folded: str):
        self.t = target
        self.doc_id = doc_id
        self.text = text
        self.f = folded
        self.hits = hits
        self.publisher = publisher
        self.S = Sentences(text)
        self.by_sent: dict[int, list[Hit]] = {}
        for h in hits:
            self.by_sent.setdefault(self.S.index_of(h.start), []).append(h)
        self._ents: dict[int, list[Entity]] = {}
        self._spk: dict[int, tuple | None] = {}
        codes = list(target.other_countries)
        self._bloc = codes.index("XW") if "XW" in codes else -2
        self._full_names: dict[str, int] = {}  # surname key -> person index (from full-name hits)
        self._person_resolution()

    # ---------------- entities ----------------

    def _person_resolution(self):
        people = self.t.people
        for h in self.hits:
            if h.role == PERSON and " " in h.key:
                last = fold(people[h.ref]["canonical_name"].split()[-1])
                self._full_names.setdefault(last[:5], h.ref)

    def _pick_person(self, cands: list[Hit]) -> int:
        refs = sorted({h.ref for h in cands})
        if len(refs) == 1:
            return refs[0]
        people = self.t.people
        for r in refs:
            last = fold(people[r]["canonical_name"].split()[-1])[:5]
            if self._full_names.get(last) == r:
                return r
        return max(refs, key=lambda r: people[r]["prominence"])

    def entities(self, i: int) -> list[Entity]:
        if i in self._ents:
            return self._ents[i]
        t = self.t
        hs = [h for h in self.by_sent.get(i, []) if h.role in (PERSON, OUTLET, GROUP)]
        hs.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[Entity] = []
        k = 0
        while k < len(hs):
            h = hs[k]
            if out and h.start < out[-1].end:
                k += 1
                continue
            same = [x for x in hs[k:] if x.start == h.start and x.end == h.end]
            if h.role == PERSON:
                same_p = [x for x in same if x.role == PERSON]
                p = t.people[self._pick_person(same_p)]
                out.append(Entity(h.start, h.end, p["entity_type"] or "person", p["canonical_name"],
                                  p["person_id"], p["role"] or None, p["country"] or None,
                                  alias=" " not in h.key))
            elif h.role == OUTLET:
                o = t.outlets[h.ref]
                out.append(Entity(h.start, h.end, "outlet", o["name"], o["outlet_id"], "outlet",
                                  o["country"] or None))
            else:
                g = t.groups[h.ref]
                out.append(Entity(h.start, h.end, g.get("type", "group"), g["name"], None, None,
                                  g.get("country")))
            k += len(same)
        out.extend(self._unknown_persons(i, out))
        out.sort(key=lambda e: e.start)
        self._ents[i] = out
        return out

    def _unknown_persons(self, i: int, known: list[Entity]) -> list[Entity]:
        """Officials introduced by a role phrase but absent from the register."""
        a, b = self.S.span(i)
        sent = self.text[a:b]
        out = []
        for m in _NAME_RUN_RE.finditer(sent):
            words = m.group(0).split()
            offs = [m.start() + o.start() for o in re.finditer(r"\S+", m.group(0))]
            j = len(words)
            while j > 0 and j > len(words) - 3 and fold(words[j - 1]).strip("'’") not in _CAP_STOP | _ROLE_WORDS \
                    and not fold(words[j - 1]).endswith(("'s", "’s")):
                j -= 1
            name_words = words[j:]
            if len(name_words) < 2:
                continue
            s0 = a + offs[j]
            e0 = a + m.end()
            if any(not (e0 <= k.start or s0 >= k.end) for k in known):
                continue
            before = self.f[max(a, s0 - 60):s0]
            btoks = _WORD_RE.findall(before)
            if not any(w.strip("'") in _ROLE_WORDS for w in btoks[-4:]):
                continue
            seg = re.split(r"[,;:()]|\s-\s", before)[-1].strip() if before.strip() else ""
            role = (self.text[s0 - len(before):s0].strip(" ,-–—")[-len(seg):] if seg else "").strip() or None
            country = None
            fb = fold(before)
            if any(h.role == TARGET and s0 - 60 <= h.start < s0 for h in self.by_sent.get(i, [])):
                country = self.t.code
            elif any(h.role == ADV and s0 - 60 <= h.start < s0 for h in self.by_sent.get(i, [])):
                country = self.t.adversary
            del fb
            name = " ".join(w.strip("'’") for w in name_words)
            if name.endswith(("'s", "’s")):
                name = name[:-2]
            out.append(Entity(s0, e0, "person", name, None, role, country))
        return out

    def side(self, e: Entity | None) -> str | None:
        if e is None:
            return None
        if e.country == self.t.code:
            return "target"
        if e.country == self.t.adversary:
            return "adversary"
        return "other" if e.country else None

    # ---------------- speakers ----------------

    def _resolve_pronoun(self, i: int, pron: str, depth: int) -> Entity | None:
        want_person = pron in ("he", "she", "his", "her", "он", "она", "его", "ее")
        for j in range(i - 1, max(-1, i - 5), -1):
            sp = self.explicit_speaker(j, depth + 1)
            if sp is not None and (not want_person or sp.etype == "person"):
                return sp
            ents = [e for e in self.entities(j) if (e.etype == "person") == want_person]
            if ents:
                # prefer adversary/target-side actors over third parties
                ents.sort(key=lambda e: (self.side(e) is None, -e.start))
                return ents[0]
        return None

    def explicit_speaker(self, i: int, depth: int = 0) -> Entity | None:
        """Speaker named in sentence ``i`` through a reporting construction, or None."""
        if i < 0 or depth > 4:
            return None
        if i in self._spk and depth == 0:
            return self._spk[i]
        ents = self.entities(i)
        hs = self.by_sent.get(i, [])
        a, _ = self.S.span(i)
        found = None
        for h in hs:
            if h.role == SPEECH_AFTER:
                nxt = [e for e in ents if 0 <= e.start - h.end <= 30 and self._adjacent(h.end, e.start)]
                if nxt:
                    found = nxt[0]
                    break
        if found is None:
            for h in hs:
                if h.role != SPEECH:
                    continue
                prev = [e for e in ents if e.end <= h.start and h.start - e.end <= 90]
                if prev:
                    found = prev[-1]
                    persons = [e for e in prev if e.etype == "person"]
                    if found.etype != "person" and persons and h.start - found.end > 6:
                        found = persons[-1]
                    break
                lead = self.text[max(a, h.start - 4):h.start]
                if any(ord(c) > 0x3FF for c in h.key) and any(c in lead for c in ",—–-\"»”"):
                    # inverted Russian attribution after a quote or clause: "..., — заявил Лавров"
                    nxt = [e for e in ents if 0 <= e.start - h.end <= 30 and self._adjacent(h.end, e.start)]
                    if nxt:
                        found = nxt[0]
                        break
                m = _SUBJ_PRON_RE.search(self.f[max(a, h.start - 40):h.start])
                if m:
                    found = self._resolve_pronoun(i, m.group(1), depth)
                    if found is not None:
                        break
        if depth == 0:
            self._spk[i] = found
        return found

    def _adjacent(self, a: int, b: int) -> bool:
        """No clause punctuation between offsets ``a`` and ``b``."""
        return not any(c in ",.;:!?" for c in self.text[a:b])

    def last_outlet(self, i: int, back: int = 12) -> Entity | None:
        for j in range(i - 1, max(-1, i - back), -1):
            outs = [e for e in self.entities(j) if e.etype == "outlet"]
            if outs:
                return outs[-1]
        return None

    def speaker(self, i: int) -> tuple[Entity | None, str]:
        """(speaker, how) for sentence ``i``; how ∈ explicit|pronoun|subject|quote|context|publisher."""
        sp = self.explicit_speaker(i)
        if sp is not None:
            return sp, "explicit"
        a, b = self.S.span(i)
        m = _PRON_START_RE.match(self.f[a:b])
        if m:
            r = self._resolve_pronoun(i, m.group(1), 0)
            if r is not None:
                return r, "pronoun"
        ents = self.entities(i)
        for e in [x for x in ents if x.etype == "person" and self.side(x) == "adversary"] + ents:
            if self.side(e) == "adversary" or e.etype in ("group", "outlet"):
                return e, "subject"
        if _OUTLET_DESC_RE.search(self.f[a:b]):
            o = self.last_outlet(i)
            if o is not None:
                return o, "pronoun"
        # quote continuation: '"...", - said X' in the next sentences of the paragraph
        for j in range(i + 1, min(len(self.S), i + 3)):
            if not self.S.same_paragraph(i, j):
                break
            for h in self.by_sent.get(j, []):
                if h.role == SPEECH_AFTER:
                    nxt = [e for e in self.entities(j) if 0 <= e.start - h.end <= 30]
                    if nxt:
                        return nxt[0], "quote"
        for j in range(i - 1, max(-1, i - 4), -1):
            sp = self.explicit_speaker(j)
            if sp is not None:
                return sp, "context"
        return None, "publisher"

    # ---------------- references to the target ----------------

    def target_refs(self, i: int, speaker: Entity | None) -> list[tuple[int, int, str, Entity | None]]:
        """References to the target in sentence ``i``: (start, end, kind, entity)."""
        refs = []
        for h in self.by_sent.get(i, []):
            if h.role == TARGET:
                refs.append((h.start, h.end, "alias", None))
        for e in self.entities(i):
            if self.side(e) == "target":
                refs.append((e.start, e.end, "entity", e))
        if speaker is not None and self.side(speaker) == "target":
            # the speaker's own designation ("Kazakh commentator X") is not a reference
            refs = [r for r in refs if not (r[3] is not None and r[3].name == speaker.name)
                    and not (r[3] is None and 0 <= speaker.start - r[1] <= 40)]
        return refs

    def context_target(self, i: int) -> bool:
        """Sentence ``i`` continues a reference to the target (pronoun or list item)."""
        a, b = self.S.span(i)
        fs = self.f[a:b]
        toks = set(_WORD_RE.findall(fs))
        if any(h.role == OTHER and h.ref != self._bloc for h in self.by_sent.get(i, [])):
            return False  # the sentence is about another country
        pron = any((p in toks) if " " not in p else (p in fs) for p in self.t.pronouns)
        if pron and i > 0 and self._has_target(i - 1):
            return True
        if is_bullet(self.text, a):
            ls = self.text.rfind("\n", 0, a)
            j = i - 1
            while j >= 0 and j >= i - 12:
                ja = self.S.span(j)[0]
                if not is_bullet(self.text, ja):
                    return self._has_target(j)
                j -= 1
            del ls
        return False

    def _has_target(self, j: int) -> bool:
        return any(h.role == TARGET for h in self.by_sent.get(j, [])) or any(
            self.side(e) == "target" for e in self.entities(j))

    def target_near(self, i: int, back: int) -> bool:
        return any(self._has_target(j) for j in range(max(0, i - back), i + 1))

    # ---------------- cue validity ----------------

    def negated(self, a: int, s: int, e: int, hedge: bool) -> bool:
        w = self.f[max(a, s - 28):s]
        around = self.f[max(a, s - 28):min(len(self.f), e + 12)]
        if any(x in around for x in self.t.negation_exclude):
            pass
        else:
            toks = _WORD_RE.findall(w)[-4:]
            tail = " ".join(toks)
            for n in self.t.negation:
                if (" " in n and n in tail) or n in toks or (n == "n't" and any(t.endswith("n't") for t in toks)):
                    return True
        if hedge:
            tail = " ".join(_WORD_RE.findall(w)[-4:])
            if any(h in tail for h in self.t.hedge):
                return True
        return False


# ---------------------------------------------------------------------------------------------
# Per-kind rules
# ---------------------------------------------------------------------------------------------


def _entity_fields(prefix: str, e: Entity | None) -> dict:
    if e is None:
        return {f"{prefix}_name": None, f"{prefix}_id": None, f"{prefix}_role": None,
                f"{prefix}_country": None, f"{prefix}_type": None}
    return {f"{prefix}_name": e.name, f"{prefix}_id": e.id, f"{prefix}_role": e.role,
            f"{prefix}_country": e.country, f"{prefix}_type": e.etype}


def _claim_after(text: str, start: int, end: int) -> str:
    s = text[start:end].strip().strip("\"“”«»'‘’").strip()
    return s[:200] if s else None


def _sentence_signals(d: _Doc, i: int, publisher: dict | None) -> list[dict]:
    t = d.t
    a, b = d.S.span(i)
    hs = d.by_sent.get(i, [])
    cues = [h for h in hs if h.role == CUE]
    if not cues:
        return []
    excl = [h for h in hs if h.role == EXCL]
    with_refs = {h.ref for h in hs if h.role == WITH}
    valid: dict[str, list[tuple[Hit, object]]] = {}
    for h in cues:
        en = t.entries[h.ref]
        if en.with_ and h.ref not in with_refs:
            continue
        if any(x.ref == h.ref and x.start <= h.start < x.end or (x.ref == h.ref and h.start <= x.start < h.end)
               for x in excl):
            continue
        if d.negated(a, h.start, h.end, hedge=en.kind == "denial"):
            continue
        if en.kind == "accusation":
            # skip when the verb's object is another country ("blamed Ukraine")
            nxt = [x for x in hs if x.role in (OTHER, TARGET) and 0 <= x.start - h.end <= 12]
            if nxt and nxt[0].role == OTHER:
                continue
        valid.setdefault(en.kind, []).append((h, en))
    if not valid:
        return []

    speaker, how = d.speaker(i)
    refs = d.target_refs(i, speaker)
    via_context = False
    if not refs and d.context_target(i):
        via_context = True
    has_target = bool(refs) or via_context
    sp_side = d.side(speaker)
    ents = d.entities(i)
    adv_in_sentence = any(d.side(e) == "adversary" for e in ents)
    adv_in_context = any(d.side(e) == "adversary" for j in range(max(0, i - 2), i) for e in d.entities(j))
    pub_adv = bool(publisher) and publisher.get("country") == t.adversary and publisher.get("alignment") in (
        "state", "state_aligned", "official_body")
    own_voice = speaker is None
    if own_voice and publisher:
        speaker_fields = {"speaker_name": publisher["name"], "speaker_id": publisher["outlet_id"],
                          "speaker_role": "outlet", "speaker_country": publisher.get("country") or None,
                          "speaker_type": "outlet"}
    else:
        speaker_fields = _entity_fields("speaker", speaker)
    if sp_side == "adversary" and how in ("explicit", "pronoun", "subject", "quote"):
        evidence = 1.0
    elif adv_in_sentence:
        evidence = 0.95
    elif sp_side == "adversary":
        evidence = 0.85
    elif pub_adv and (own_voice or sp_side == "adversary"):
        evidence = 0.9
    elif adv_in_context and sp_side != "other":
        evidence = 0.7
    else:
        evidence = 0.0
    if sp_side == "other" and not adv_in_sentence:
        evidence = min(evidence, 0.5)
    tscore = 1.0 if refs else 0.85
    weak_only = refs and all(r[2] == "alias" and d.f[r[0]:r[1]] in t.weak_aliases for r in refs)
    if weak_only:
        tscore = 0.7

    sent = d.text[a:b]
    base = {"doc_id": d.doc_id, "char_start": a, "char_end": b, "sentence_index": i, "sentence": sent,
            "publisher": publisher["name"] if publisher else None,
            "is_reported_speech": speaker is not None, **speaker_fields}
    country_target = {"target_name": t.name, "target_id": t.code.lower(), "target_type": "country",
                      "target_country": t.code}
    out: list[dict] = []

    def emit(kind, category, cues_, score, tgt, claim=None):
        if score < MIN_SCORE:
            return
        out.append({**base, "kind": kind, "category": category, **tgt, "claim": claim,
                    "cue": "; ".join(dict.fromkeys(d.text[h.start:h.end] for h, _ in cues_)),
                    "score": round(min(1.0, score), 3)})

    def best(items):
        return max(items, key=lambda x: x[1].weight)

    # threats (also hostile mentions)
    threat_ok = False
    if "threat" in valid and has_target and sp_side != "target":
        h, en = best(valid["threat"])
        ev = evidence if ((sp_side == "adversary" and how != "context") or adv_in_sentence
                          or (pub_adv and own_voice)) else 0.0
        sc = en.weight * ev * tscore
        if sc >= MIN_SCORE:
            threat_ok = True
            claim = _claim_after(d.text, h.start, b)
            emit("threat", en.category, valid["threat"], sc, country_target, claim)
            d.force = d.force or any(e.force for _, e in valid["threat"])

    # hostile mentions
    hostile_cues = list(valid.get("hostile_mention", []))
    if threat_ok:
        hostile_cues += valid["threat"]
    acc_country = []
    if "accusation" in valid and refs:
        # an accusation verb whose object is the target makes the sentence hostile too
        for h, en in valid["accusation"]:
            if any(0 <= r[0] - h.end <= 40 for r in refs if r[3] is None):
                acc_country.append((h, en))
        hostile_cues += acc_country
    if hostile_cues and has_target and sp_side != "target":
        h, en = best(hostile_cues)
        sc = en.weight * evidence * tscore
        emit("hostile_mention", en.category, hostile_cues, sc, country_target)

    # accusations
    acc_cues = list(valid.get("accusation", [])) + [(h, en) for h, en in valid.get("hostile_mention", []) if en.accuses]
    if acc_cues and (has_target or any(d.side(e) == "target" for e in ents)):
        accused = [e for e in ents if e.etype == "person" and d.side(e) == "target"]
        if sp_side == "target":
            accused += [e for e in ents if e.etype == "person" and d.side(e) == "adversary"]
        if speaker is not None:
            accused = [e for e in accused if e.name != speaker.name]
        if not accused and _PRON_START_RE.match(d.f[a:b]) is None and re.search(r"\b(he|him|his|she|her|он|его|ему)\b", d.f[a:b]):
            for j in range(i - 1, max(-1, i - 3), -1):
                prev = [e for e in d.entities(j) if e.etype == "person" and d.side(e) == "target"]
                if prev:
                    accused = [prev[-1]]
                    break
        h, en = best(acc_cues)
        ev_acc = evidence if sp_side != "target" else 0.9
        for e in accused:
            sc = en.weight * max(ev_acc, 0.0)
            tgt = {"target_name": e.name, "target_id": e.id, "target_type": "person", "target_country": e.country}
            emit("accusation", en.category, acc_cues, sc, tgt, _claim_after(d.text, h.end, b))
        if acc_country and not accused:
            h2, en2 = best(acc_country)
            emit("accusation", en2.category, acc_country, en2.weight * evidence, country_target,
                 _claim_after(d.text, h2.end, b))

    # denials
    if "denial" in valid:
        h, en = best(valid["denial"])
        denier, dside = speaker, sp_side
        subj = [e for e in ents if e.end <= h.start]
        subj_alias = [x for x in hs if x.role == TARGET and x.end <= h.start and h.start - x.end <= 40]
        if denier is None or how in ("context", "subject", "publisher"):
            if subj and not (subj_alias and subj_alias[-1].start > subj[-1].start):
                denier, dside = subj[-1], d.side(subj[-1])
            elif subj_alias:
                denier = Entity(subj_alias[-1].start, subj_alias[-1].end, "organization",
                                f"Government of {t.name}", None, "state", t.code)
                dside = "target"
        if dside in ("target", "adversary") and d.target_near(i, 3):
            sc = en.weight * (1.0 if how in ("explicit", "pronoun", "subject", "quote") or subj or subj_alias else 0.8)
            row_base = dict(base)
            row_base.update(_entity_fields("speaker", denier))
            row_base["is_reported_speech"] = True
            if sc >= MIN_SCORE:
                out.append({**row_base, "kind": "denial", "category": en.category, **country_target,
                            "claim": _claim_after(d.text, a, h.start) or None,
                            "cue": "; ".join(dict.fromkeys(d.text[x.start:x.end] for x, _ in valid["denial"])),
                            "score": round(min(1.0, sc), 3)})
    return out


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def _col(df: pl.DataFrame, name: str) -> list:
    return df[name].to_list() if name in df.columns else [None] * df.height


def _tension(sigs: list[dict], force: bool) -> int:
    kinds = [s["kind"] for s in sigs]
    if not kinds:
        return 0
    if force and "threat" in kinds:
        return 3
    n_h = kinds.count("hostile_mention") + kinds.count("threat")
    if "threat" in kinds or n_h >= 2 or ("accusation" in kinds and n_h >= 1):
        return 2
    return 1


def extract_one(target: Target, doc_id: str, text: str, title: str | None = None,
                publisher: dict | None = None) -> tuple[list[dict], bool, bool]:
    """Signals of one document, whether the target is mentioned, and whether a threat of force is."""
    text = text or ""
    folded = fold(text)
    # relevance gate: most news never names the target, and then one C-level pass is all it costs
    hits = scan(target, text, folded) if mentions_target(target, text, folded) else []
    mentioned = any(h.role == TARGET for h in hits) or any(
        h.role == PERSON and target.people[h.ref]["country"] == target.code for h in hits)
    sigs: list[dict] = []
    force = False
    if mentioned:
        d = _Doc(target, doc_id, text, hits, publisher, folded)
        d.force = False
        seen: set[str] = set()
        cand = sorted(i for i, hs in d.by_sent.items() if any(h.role == CUE for h in hs))
        for i in cand:
            key = d.f[slice(*d.S.span(i))].strip()
            if key in seen:
                continue  # repeated headline / page furniture
            seen.add(key)
            sigs.extend(_sentence_signals(d, i, publisher))
        force = d.force
    # a title that is not repeated at the top of the text is scanned on its own
    if title and title.strip() and fold(title.strip())[:60] not in folded[:len(title) + 400]:
        t_sigs, t_mentioned, t_force = extract_one(target, doc_id, title, None, publisher)
        for s in t_sigs:
            s["char_start"] = None
            s["char_end"] = None
            s["sentence_index"] = None
        sigs.extend(t_sigs)
        mentioned = mentioned or t_mentioned
        force = force or t_force
    for s in sigs:
        s["signal_id"] = _sig_id(doc_id, s["kind"], s["char_start"], s["char_end"],
                                 s.get("target_id") or s.get("target_name") or "")
    return sigs, mentioned, force


def extract(docs: pl.DataFrame, target: str = "KZ") -> Extraction:
    """Extract signals from ``docs`` (columns doc_id, text, title, url, outlet, published_at, language)."""
    tgt = load_target(target)
    all_sigs: list[dict] = []
    doc_rows: list[dict] = []
    ids, texts = _col(docs, "doc_id"), _col(docs, "text")
    titles, urls, outlets = _col(docs, "title"), _col(docs, "url"), _col(docs, "outlet")
    pubs, langs = _col(docs, "published_at"), _col(docs, "language")
    for doc_id, text, title, url, outlet, pub, lang in zip(ids, texts, titles, urls, outlets, pubs, langs, strict=False):
        text = text or ""
        publisher = find_outlet(outlet, url)
        if publisher is None and outlet:
            publisher = {"name": outlet, "outlet_id": None, "country": None, "alignment": None}
        sigs, mentioned, force = extract_one(tgt, doc_id, text, title, publisher)
        # de-duplicate by signal id (the same sentence can yield the same signal twice)
        uniq = {s["signal_id"]: s for s in sigs}
        sigs = list(uniq.values())
        all_sigs.extend(sigs)
        date = doc_meta.parse_published_at(pub)
        source = "metadata" if date else None
        if date is None:
            date = doc_meta.find_date(text, title)
            source = "text" if date else None
        doc_rows.append({
            "doc_id": doc_id, "language": lang or doc_meta.detect_language(text or (title or "")),
            "published_date": date, "date_source": source, "target_mentioned": mentioned,
            "tension_rating": _tension(sigs, force) if mentioned else 0, "signal_count": len(sigs),
        })
    signals = pl.DataFrame([{k: s.get(k) for k in SIGNAL_SCHEMA} for s in all_sigs], schema=SIGNAL_SCHEMA,
                           orient="row") if all_sigs else pl.DataFrame(schema=SIGNAL_SCHEMA)
    documents = pl.DataFrame(doc_rows, schema=DOCUMENT_SCHEMA, orient="row") if doc_rows else pl.DataFrame(
        schema=DOCUMENT_SCHEMA)
    return Extraction(signals=signals, documents=documents)
