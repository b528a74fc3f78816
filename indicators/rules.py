"""The rule engine: cue lexicons, entities, speakers and per-kind firing rules over one document.

``_Doc`` holds one document's hits, sentences and entities; ``_sentence_signals`` gives the signals the rules
fire for one sentence. Since the learned sentence stage (``indicators.model``) these rules are features of that
stage, and their attribution (speaker, targets) serves it; ``indicators.extract`` is the driver.

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

import bisect
import hashlib
import re
from dataclasses import dataclass

from .reference import (
    ADV,
    CUE,
    DESC,
    EXCL,
    FIRST,
    GROUP,
    INDEF,
    OBSERVER,
    OTHER,
    OUTLET,
    PERSON,
    ROLE,
    SIDE,
    SPEECH,
    SPEECH_AFTER,
    TARGET,
    WITH,
    Entry,
    Hit,
    Target,
)
from .text import Sentences, fold, is_bullet

MIN_SCORE = 0.45
# categories of hostile/threat cues whose negation is a disclaimer by the speaker ("нет территориальных претензий",
# "Kazakhstan is not an enemy", "no plans for an invasion"): a denial in the dispute
_DISCLAIMED = frozenset({"territorial_claim", "war_threat", "next_target", "enemy_image", "artificial_state"})
_NEGATED_CLAIM = Entry(id="negated_claim", lang="", kind="denial", category="no_claims", weight=0.8, patterns=[])
# evidence of a voice nobody can identify (no speaker, publisher not in outlets.csv): enough for strong cues
# (weight >= 0.75), not for weak ones such as a bare "consequences"
UNKNOWN_VOICE = 0.7
# a known publisher's own sentence with no speaker and no adversary in sight: only cues of weight >= 0.85 pass
REPORTED_VOICE = 0.55
# a document that names the adversary (its country word or one of its people) reports about it: a sentence there
# whose speaker is unresolved but not target-side counts for strong cues (weight >= 0.8) at this confidence
REPORT_FRAME = 0.6


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
    anaphor: bool = False  # a role noun ("the deputy", "генерал") resolved or left unnamed
    gender: str | None = None  # "m" | "f" where the name tells


# ---------------------------------------------------------------------------------------------
# Small lexical helpers (local regexes over single sentences only)
# ---------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[\w'-]+")
_CLAUSE_RE = re.compile(r"[,;:!?().]|\s-\s")
_PRON_START_RE = re.compile(r"^[\s\"'(\[-]*(he|she|it|they|his|her|its|their|он|она|оно|они|его|ее|их)\b")
_QUOTE_GAP_RE = re.compile(r"[\s,.!?-]*(?:the |a |an )?")
_SPEAKER_GAP_RE = re.compile(r"\s*(?:has |had |also |then |later )?")
_PRON_PHRASE_RE = re.compile(
    r"^[\s\"'(\[-]*(?:по\s+(его|ее|их)\s+(?:словам|мнению|данным)|according\s+to\s+(him|her|them)"
    r"|in\s+(his|her|their)\s+(?:words|view|opinion))\b")
_INV_PRON_RE = re.compile(r"\s+(он|она|они)\b")
_SUBJ_PRON_RE = re.compile(r"\b(he|she|it|they|он|она|оно|они)\s+(?:\w+\s+){0,2}$")
_ROLE_WORDS = frozenset(
    "minister speaker adviser advisor counsellor counselor ambassador deputy spokesman spokeswoman "
    "spokesperson senator governor general analyst blogger commentator journalist akim chairman "
    "chairwoman head president premier mp lawmaker politician expert envoy secretary director "
    "official officer colonel lieutenant presenter host propagandist "
    "министр спикер советник посол депутат пресс-секретарь сенатор губернатор генерал аналитик "
    "блогер блогера комментатор журналист аким председатель глава президент политолог эксперт "
    "директор чиновник полковник ведущий пропагандист".split()
)
_ROLE_OF_RE = re.compile(r"\s+(?:on|of|from|at|with|for|в|из|на|с)\s+(?:a |an |the )?")
_POSTED_TO_RE = re.compile(r"\b(?:to|in|в|к)\s+$")
_FURNITURE_RE = re.compile(r"^\W*(читайте также|читайте еще|смотрите также|см\. также|read also|see also|related|"
                           r"also read|по теме)\b")
_OBJECT_VERBS = ("назва", "назыв", "обвин", "критик", "раскритик", "осуд", "упрек", "call", "accus", "describ",
                 "label", "brand", "criticis", "criticiz", "condemn", "blam")
_OUTLET_DESC_RE = re.compile(
    r"\b(the (?:same )?(?:website|site|outlet|newspaper|channel|tv channel|publication|portal|broadcaster|paper)"
    r"|(?:это|этот|то же) (?:издание|сайт|канал|газета)|издание|телеканал)\b")


def _skey(name: str) -> str:
    """Script-insensitive key of a name's last word ("Markov" and "Марковым" agree)."""
    from .scoring import skeleton

    words = (name or "").split()
    return skeleton(words[-1] if words else "")[:4]


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
        self._names: dict[int, list] = {}
        self._name_side_cache: dict | None = None
        self._markers: list | None = None
        self._speaker_memo: dict[int, tuple] = {}
        self._marker_starts: list[int] = []
        self._person_resolution()
        # register people by position (for role-noun anaphora) and country mentions by position
        # (for descriptors such as "the Central Asian country"): both are plain sorted lists
        self._person_pos = [(h.start, h.ref) for h in hits if h.role == PERSON]
        self._country_pos: list[tuple[int, str]] = []
        for h in hits:
            if h.role == TARGET:
                self._country_pos.append((h.start, "target"))
            elif h.role == ADV:
                self._country_pos.append((h.start, "adversary"))
            elif h.role == OTHER and h.ref != self._bloc:
                self._country_pos.append((h.start, "other"))
        self._country_starts = [x[0] for x in self._country_pos]
        self.pub_entity = _publisher_entity(publisher)
        # an article that talks about the adversary's propaganda is an observer's, not a hostile source
        self.observer = any(h.role == OBSERVER for h in hits)
        self.adv_doc = any(h.role == ADV or (h.role == PERSON and target.people[h.ref]["country"] == target.adversary)
                           for h in hits)
        if self.pub_entity is not None and (publisher or {}).get("guessed") and publisher["country"] != target.code:
            self.pub_entity = None  # a country word in an unknown name ("... Moscow Times") is no voice

    # ---------------- entities ----------------

    def _person_resolution(self):
        people = self.t.people
        for h in self.hits:
            if h.role == PERSON and " " in h.key:
                self._full_names.setdefault(_skey(people[h.ref]["canonical_name"]), h.ref)

    def _pick_person(self, cands: list[Hit]) -> int:
        refs = sorted({h.ref for h in cands})
        if len(refs) == 1:
            return refs[0]
        people = self.t.people
        for r in refs:
            if self._full_names.get(_skey(people[r]["canonical_name"])) == r:
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
        out.extend(self._role_entities(i, out))
        out.sort(key=lambda e: e.start)
        self._ents[i] = out
        return out

    def _role_entities(self, i: int, known: list[Entity]) -> list[Entity]:
        """Role nouns ("the deputy", "генерал", "an Almaty lawyer"): the last register person of the
        document with that role, or an unnamed person whose side comes from a nationality word."""
        hs = self.by_sent.get(i, [])
        roles = [h for h in hs if h.role == ROLE]
        if not roles:
            return []
        t = self.t
        a, b = self.S.span(i)
        out: list[Entity] = []
        for h in roles:
            if any(not (h.end <= k.start or h.start >= k.end) for k in known + out):
                continue
            if any(x is not h and x.role == ROLE and 0 <= h.start - self._word_end(x.end) <= 1 for x in roles):
                continue  # a genitive dependent: "пресс-секретарь президента" is the press secretary
            # a title in front of a name ("депутат Госдумы Андрей Гурулёв", "the minister, Aida Balayeva")
            if any(k.etype == "person" and not k.anaphor and 0 <= k.start - h.end <= 70
                   and not any(c in ".;:!?" for c in self.text[h.end:k.start])
                   and not any(y.role in (SPEECH, SPEECH_AFTER, CUE) and h.end <= y.start < k.start for y in hs)
                   for k in known):
                continue
            nat = self._nationality(h, hs, known)
            indef = any(x.role == INDEF and 0 <= h.start - x.end <= 3 for x in hs)
            keys = [k for k in t.entries[h.ref].category.split("|") if k]
            label = self.text[h.start:self._word_end(h.end)]
            found = None
            if keys and not indef:
                found = self._resolve_role(h.start, keys, nat)
            named = None
            if found is None and keys and not indef:
                named = self._resolve_role_named(i, h, nat)
            if found is not None:
                p = t.people[found]
                out.append(Entity(h.start, h.end, "person", p["canonical_name"], p["person_id"], p["role"] or None,
                                  p["country"] or None, alias=True, anaphor=True))
            elif named is not None:
                out.append(Entity(h.start, h.end, "person", named.name, None, named.role, named.country, alias=True,
                                  anaphor=True, gender=named.gender))
            else:
                country = nat if nat not in (None, "XX") else None
                out.append(Entity(h.start, h.end, "person", label, None, label, country, anaphor=True))
        return out

    def _resolve_role_named(self, i: int, h: Hit, nat: str | None) -> Entity | None:
        """A role noun ("the deputy", "депутат") pointing back to an unregistered person introduced with that role
        in the sentences before ("Mazhilis deputy Yerlan Tulegenov ... the deputy wrote")."""
        word = self.f[h.start:self._word_end(h.end)]
        stem = re.sub(r"^(?:the|a|an)\s+", "", word)[:5]
        if len(stem) < 4:
            return None
        for j in range(i - 1, max(-1, i - 6), -1):
            for e in reversed(self.entities(j)):
                if e.etype == "person" and e.id is None and not e.anaphor and e.role and stem in fold(e.role) and (
                        not nat or nat == "XX" or e.country in (None, nat)):
                    return e
        return None

    def _word_end(self, pos: int) -> int:
        n = len(self.f)
        while pos < n and (self.f[pos].isalnum() or self.f[pos] == "-"):
            pos += 1
        return pos

    def _nationality(self, h: Hit, hs: list[Hit], known: list[Entity]) -> str | None:
        """Country of a role noun from the words around it: an institution right after it ("депутаты
        Мажилиса"), a country word right before it ("an Almaty lawyer", "российский генерал") or, in Russian,
        a country word in the genitive phrase after it ("директор алматинского центра"); "XX" = elsewhere."""
        t = self.t

        others = list(t.other_countries)

        def code(x: Hit) -> str:
            if x.role == OTHER:  # "Kyrgyz officials": a third country's voice
                return others[x.ref] if 0 <= x.ref < len(others) and others[x.ref] != "XW" else "XX"
            return t.code if x.role == TARGET else t.adversary
        for k in known:
            if k.etype in ("organization", "outlet", "group") and k.country and (
                    0 <= k.start - h.end <= 2 or (0 <= k.start - h.end <= 16 and _ROLE_OF_RE.fullmatch(
                        self.f[h.end:k.start]))):
                return k.country  # "депутаты Мажилиса", "a guest on a Rossiya-1 talk show"
        before = [x for x in hs if x.role in (TARGET, ADV, OTHER) and 0 <= h.start - x.end <= 25
                  and self._adjacent(x.end, h.start)]
        if before:
            return code(before[-1])
        if any(ord(c) > 0x3FF for c in h.key):
            after = [x for x in hs if x.role in (TARGET, ADV, OTHER) and 0 <= x.start - h.end <= 30
                     and self._adjacent(h.end, x.start)
                     and not any(y.role in (SPEECH, SPEECH_AFTER, CUE) and h.end <= y.start < x.start for y in hs)]
            if after:
                return code(after[0])
        return None

    def _resolve_role(self, pos: int, keys: list[str], nat: str | None) -> int | None:
        """Index (people table) of the last person before ``pos`` whose register role has one of ``keys``."""
        people = self.t.people
        k = bisect.bisect_left(self._person_pos, (pos, -1))
        lo = pos - 6000
        while k > 0:
            k -= 1
            start, ref = self._person_pos[k]
            if start < lo:
                break
            p = people[ref]
            if p["entity_type"] != "person" or (nat and nat != "XX" and p["country"] != nat) or nat == "XX":
                continue
            role = fold(p["role"] or "")
            if any(key in role for key in keys):
                return ref
        pub = self.publisher or {}
        if pub.get("alignment") == "person" and pub.get("outlet_id"):
            role = fold(pub.get("role") or "")
            if any(key in role for key in keys) and not (nat and nat != pub.get("country")):
                for r, p in enumerate(people):
                    if p["person_id"] == pub["outlet_id"]:
                        return r
        return None

    def _unknown_persons(self, i: int, known: list[Entity]) -> list[Entity]:
        """People the register does not know, named in sentence ``i`` (``indicators.names``): their side from
        the words around the name, else from an earlier mention of the same surname in the document."""
        a, b = self.S.span(i)
        taken = [(h.start, h.end) for h in self.by_sent.get(i, []) if h.role in (TARGET, ADV, OTHER, OUTLET, GROUP)]
        taken += [(k.start, k.end) for k in known]
        out = []
        for n in self.names(i):
            if any(not (n.end <= s0 or n.start >= e0) for s0, e0 in taken):
                continue
            key = fold(n.surname)[:5]
            ref = self._full_names.get(_skey(n.name)) if " " not in n.name else None
            if ref is not None:
                # a bare surname of a register person named in full in this document ("Марков" after "Сергей Марков")
                p = self.t.people[ref]
                out.append(Entity(n.start, n.end, p["entity_type"] or "person", p["canonical_name"], p["person_id"],
                                  p["role"] or None, p["country"] or None, alias=True))
                continue
            earlier = self._name_sides.get(key)
            country = self._name_side(i, n)
            if country is None and earlier is not None and earlier[0] < n.start:
                country = earlier[2]
            name = n.name
            if earlier is not None and earlier[0] < n.start and " " not in name and " " in earlier[1]:
                name = earlier[1]  # a later surname-only mention takes the full name given earlier
            role = self._role_before(a, n.start)
            out.append(Entity(n.start, n.end, "person", name, None, role, country, alias=" " not in n.name,
                              gender=n.gender))
        return out

    def names(self, i: int) -> list:
        """Person names of sentence ``i`` (cached); the first full mention of each surname is remembered."""
        got = self._names.get(i)
        if got is None:
            from .names import find_names

            a, b = self.S.span(i)
            known = [(h.start, h.end) for h in self.by_sent.get(i, [])
                     if h.role in (PERSON, OUTLET, GROUP, TARGET, ADV, OTHER)]
            got = find_names(self.text, a, b, known)
            self._names[i] = got
        return got

    @property
    def _name_sides(self) -> dict:
        """surname key -> (offset, full name, side) of the first full mention of every unregistered name."""
        if self._name_side_cache is None:
            table: dict = {}
            for j in range(len(self.S)):
                for n in self.names(j):
                    key = fold(n.surname)[:5]
                    side = self._name_side(j, n)
                    prev = table.get(key)
                    if prev is None or (" " in n.name and " " not in prev[1]) or (prev[2] is None and side):
                        table[key] = (n.start, n.name, side or (prev[2] if prev else None))
            self._name_side_cache = table
        return self._name_side_cache

    def _name_side(self, i: int, n) -> str | None:
        """Side of a named person from the words of the sentence around the name: an institution, office or
        country word before it in the same clause ("депутат Госдумы", "Kazakh MP", "министр ... Казахстана"),
        or in an apposition after it (", a Russian political scientist"); a Kazakh first name as a last resort."""
        a, b = self.S.span(i)
        lo = max(a, n.start - 70)
        seg = self.f[lo:n.start]
        cut = max(seg.rfind(c) for c in ".;:!?()\"")
        lo = lo + cut + 1 if cut >= 0 else lo
        # a side word before another person's name is that person's ("депутат мажилиса Асель Жумабекова ответила
        # телеведущему Евгению Фёдорову": the Mazhilis is hers, not his)
        for other in self.names(i):
            if lo <= other.end <= n.start and other.start < n.start:
                lo = other.end
        for h in self.by_sent.get(i, []):
            if h.role == PERSON and lo <= h.end <= n.start and self.t.people[h.ref]["entity_type"] == "person":
                lo = h.end
        found: list[tuple[int, str]] = []
        for h in self.by_sent.get(i, []):
            if lo <= h.start and h.end <= n.start and h.role in (TARGET, ADV):
                if _POSTED_TO_RE.search(self.f[max(a, h.start - 4):h.start]):
                    continue  # "Russia's ambassador to Kazakhstan": a posting, not a side
                found.append((h.start, self.t.code if h.role == TARGET else self.t.adversary))
        for s0, _e0, code in self._side_markers(lo, n.start):
            if not _POSTED_TO_RE.search(self.f[max(a, s0 - 4):s0]):
                found.append((s0, code))
        if found:
            return max(found)[1]
        m = re.match(r"\s*,\s*(?:(?:a|an|the|who is|один из|одна из)\s+)?", self.f[n.end:n.end + 12])
        if m and m.end() > 0 and self.f[n.end:n.end + m.end()].strip().startswith(","):
            hi = min(b, n.end + 80)
            stop = min([k for k in (self.f.find(c, n.end + m.end(), hi) for c in ",.;") if k >= 0], default=hi)
            after = [(s0, code) for s0, _e, code in self._side_markers(n.end, stop)]
            after += [(h.start, self.t.code if h.role == TARGET else self.t.adversary)
                      for h in self.by_sent.get(i, []) if h.role in (TARGET, ADV) and n.end <= h.start < stop]
            if after:
                return min(after)[1]
        if n.origin == "kz":
            return self.t.code
        return None

    def _side_markers(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Side words ("Госдумы", "Mazhilis") starting in [lo, hi): found once per document, then looked up."""
        if self._markers is None:
            self._markers = [(h.start, h.end, self.t.sides[h.ref]) for h in self.hits if h.role == SIDE]
            self._marker_starts = [m[0] for m in self._markers]
        k = bisect.bisect_left(self._marker_starts, lo)
        out = []
        while k < len(self._markers) and self._markers[k][0] < hi:
            if self._markers[k][1] <= hi:
                out.append(self._markers[k])
            k += 1
        return out

    def _role_before(self, a: int, start: int) -> str | None:
        before = self.f[max(a, start - 60):start]
        seg = re.split(r"[,;:()]|\s-\s", before)[-1].strip() if before.strip() else ""
        toks = _WORD_RE.findall(seg)
        if not toks or not any(w.strip("'") in _ROLE_WORDS for w in toks[-4:]):
            return None
        return self.text[start - len(before):start].strip(" ,-–—")[-len(seg):].strip() or None

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
        """The antecedent of a pronoun in the sentences before ``i``: the speaker or person there whose gender
        agrees ("she" is Zakharova, not Peskov, named after her); "they" takes groups and institutions."""
        want_person = pron in ("he", "she", "his", "her", "он", "она", "его", "ее")
        want_gender = "f" if pron in ("she", "her", "она", "ее") else ("m" if pron in ("he", "his", "он") else None)

        def agrees(e: Entity) -> bool:
            return want_gender is None or e.etype != "person" or self.gender(e) in (None, want_gender)

        for j in range(i - 1, max(-1, i - 5), -1):
            sp = self.explicit_speaker(j, depth + 1)
            if sp is not None and (not want_person or sp.etype == "person") and agrees(sp):
                return sp
            ents = [e for e in self.entities(j) if (e.etype == "person") == want_person and agrees(e)]
            if ents:
                # prefer adversary/target-side actors over third parties
                ents.sort(key=lambda e: (self.side(e) is None, -e.start))
                return ents[0]
        return None

    def gender(self, e: Entity) -> str | None:
        """Gender of a person entity: from the detected name, else from the register name's first name."""
        if e.gender is not None or e.etype != "person":
            return e.gender
        from .names import given_name

        first = e.name.split()[0] if e.name else ""
        g = given_name(first) if " " in (e.name or "") else None
        if g is not None:
            return g[1]
        return "f" if (e.name or "").lower().endswith(("ova", "eva", "ina", "ova", "ова", "ева", "ина", "ая")) else None

    def explicit_speaker(self, i: int, depth: int = 0) -> Entity | None:
        """Speaker named in sentence ``i`` through a reporting construction, or None."""
        if i < 0 or depth > 4:
            return None
        if i in self._spk and depth == 0:
            return self._spk[i]
        ents = self.entities(i)
        hs = self.by_sent.get(i, [])
        a, b = self.S.span(i)
        found = self._quote_attribution(i, a, b, ents, hs, depth)
        for h in hs if found is None else ():
            if h.role == SPEECH_AFTER:
                if h.key.isascii() and " " not in h.key and not any(c in self.f[max(a, h.start - 4):h.start] for c in ",\"'-"):
                    continue  # English "said X" is inverted only after a quote or comma, not in "wrote that X ..."
                nxt = [e for e in ents if 0 <= e.start - h.end <= 30 and self._adjacent(h.end, e.start)]
                if nxt:
                    found = nxt[0]
                    break
        if found is None:
            for h in hs:
                if h.role != SPEECH:
                    continue
                # the object of a verb of naming or charging is no speaker ("обвинил Василенко ... и пообещал")
                prev = [e for e in ents if e.end <= h.start and h.start - e.end <= 90
                        and not any(x.end <= e.start and e.start - x.end <= 3 and self._takes_object(x) for x in hs)]
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
                    pm = _INV_PRON_RE.match(self.f, self._word_end(h.end))
                    if pm:  # "«...», — произносит он."
                        found = self._resolve_pronoun(i, pm.group(1), depth)
                        if found is not None:
                            break
                m = _SUBJ_PRON_RE.search(self.f[max(a, h.start - 40):h.start])
                if m:
                    found = self._resolve_pronoun(i, m.group(1), depth)
                    if found is not None:
                        break
        if depth == 0:
            self._spk[i] = found
        return found

    def _quote_attribution(self, i: int, a: int, b: int, ents: list[Entity], hs: list[Hit], depth: int):
        """The speaker of a quotation is named after it ("«...», — заявил один из депутатов", '"...," the
        lawyer said'), whatever reporting verbs the quotation itself contains."""
        q = max(self.text.rfind(c, a, b) for c in "”»\"")
        if q <= a or not any(c in self.text[a:q] for c in "“«\"„"):
            return None
        for h in hs:
            if h.role not in (SPEECH, SPEECH_AFTER) or not (q < h.start <= q + 30):
                continue
            before = [e for e in ents if q < e.start and e.end <= h.start]
            if before:
                if _QUOTE_GAP_RE.fullmatch(self.f[q + 1:before[0].start]) and _SPEAKER_GAP_RE.fullmatch(
                        self.f[before[-1].end:h.start]):
                    return before[-1]
                continue
            if not _QUOTE_GAP_RE.fullmatch(self.f[q + 1:h.start]):
                continue
            after = [e for e in ents if 0 <= e.start - h.end <= 40 and self._adjacent(h.end, e.start)]
            if after:
                return after[0]
            pm = _INV_PRON_RE.match(self.f, self._word_end(h.end))
            if pm:
                r = self._resolve_pronoun(i, pm.group(1), depth)
                if r is not None:
                    return r
        return None

    def _takes_object(self, x: Hit) -> bool:
        """A verb whose following name is its object, not its subject ("accused X", "назвал X")."""
        if x.role == CUE:
            return self.t.entries[x.ref].kind == "accusation"
        return x.role == SPEECH and x.key.startswith(_OBJECT_VERBS)

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
        """(speaker, how) for sentence ``i``; how ∈ explicit|pronoun|subject|quote|context|publisher (cached)."""
        got = self._speaker_memo.get(i)
        if got is None:
            got = self._speaker_memo[i] = self._speaker(i)
        return got

    def _speaker(self, i: int) -> tuple[Entity | None, str]:
        sp = self.explicit_speaker(i)
        if sp is not None:
            return sp, "explicit"
        a, b = self.S.span(i)
        m = _PRON_START_RE.match(self.f[a:b]) or _PRON_PHRASE_RE.match(self.f[a:b])
        if m:
            pron = next(g for g in m.groups() if g)
            r = self._resolve_pronoun(i, {"him": "he", "them": "they"}.get(pron, pron), 0)
            if r is not None:
                return r, "pronoun"
        if self.f[a:a + 1] in "\"'" and self.f[b - 1:b] in "\"'?!.":
            # a sentence that is a quotation (typically a headline): its author is the adversary person
            # the following sentences name
            for j in range(i + 1, min(len(self.S), i + 6)):
                adv = [e for e in self.entities(j) if e.etype == "person" and self.side(e) == "adversary" and e.id]
                if adv:
                    return adv[0], "quote"
        ents = self.entities(i)
        first_cue = min((h.start for h in self.by_sent.get(i, []) if h.role == CUE), default=b)
        for e in [x for x in ents if x.etype == "person" and self.side(x) == "adversary"] + ents:
            if (self.side(e) == "adversary" or e.etype in ("group", "outlet")) and e.start < first_cue:
                return e, "subject"  # a topic named after the charge ("reads Gurulyov's words") is no voice
        if _OUTLET_DESC_RE.search(self.f[a:b]):
            o = self.last_outlet(i)
            if o is not None:
                return o, "pronoun"
        # quote continuation: '"...", - said X' in the next sentences of the paragraph
        for j in range(i + 1, min(len(self.S), i + 3)):
            if not self.S.same_paragraph(i, j):
                break
            ja = self.S.span(j)[0]
            for h in self.by_sent.get(j, []):
                if h.role == SPEECH_AFTER:
                    if h.key.isascii() and " " not in h.key and not any(
                            c in self.f[max(ja, h.start - 4):h.start] for c in ",\"'-"):
                        continue  # "One editor wrote that ..." is no attribution of the sentence before
                    nxt = [e for e in self.entities(j) if 0 <= e.start - h.end <= 30]
                    if nxt:
                        return nxt[0], "quote"
        if self.own_subject(i):
            return None, "publisher"  # an unnamed subject of its own ("Kazakhstan's central bank warned")
        for j in range(i - 1, max(-1, i - 4), -1):
            sp = self.explicit_speaker(j)
            if sp is not None and not (sp.anaphor and sp.id is None):
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
        voice = self.side(speaker) if speaker is not None and speaker.country else self.side(self.pub_entity)
        for h in self.by_sent.get(i, []):
            if h.role == DESC and self._descriptor_is_target(h):
                refs.append((h.start, h.end, "descriptor", None))
            elif h.role == FIRST and voice == "target" and not self.text[h.start:h.end].isupper():
                refs.append((h.start, h.end, "first_person", None))
        return refs

    def _descriptor_is_target(self, h: Hit) -> bool:
        """A description ("the Central Asian country", "соседняя республика") names the target when the last
        country mentioned before it is the target (the adversary is skipped for 'foreign' descriptors)."""
        nxt = self.text[h.end:h.end + 2]
        if len(nxt) == 2 and nxt[0] == " " and nxt[1].isupper():
            return False  # part of a proper name: "Республика Татарстан"
        foreign = self.t.entries[h.ref].category == "foreign"
        k = bisect.bisect_left(self._country_starts, h.start)
        while k > 0:
            k -= 1
            pos, side = self._country_pos[k]
            if h.start - pos > 2500:
                return False
            if side == "adversary" and foreign:
                continue
            return side == "target"
        return False

    def context_target(self, i: int) -> bool:
        """Sentence ``i`` continues a reference to the target (pronoun or list item)."""
        a, b = self.S.span(i)
        fs = self.f[a:b]
        toks = set(_WORD_RE.findall(fs))
        hs = self.by_sent.get(i, [])
        cue_spans = [(h.start, h.end) for h in hs if h.role == CUE]
        if any(h.role == OTHER and h.ref != self._bloc and not any(s <= h.start < e for s, e in cue_spans)
               for h in hs):
            return False  # the sentence is about another country (a country inside a cue is a comparison)
        pron = any((p in toks) if " " not in p else (p in fs) for p in self.t.pronouns)
        if pron and i > 0 and self._has_target(i - 1):
            return True
        if i > 0 and self.S.same_paragraph(i - 1, i) and self._has_target(i - 1) and any(
                self.t.entries[h.ref].weight >= 0.75 and not self.t.entries[h.ref].with_ for h in hs if h.role == CUE):
            return True  # a strong cue in the sentence right after one about the target, same paragraph
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
        w0 = self.f[max(a, s - 28):s]
        # a negation only reaches the cue inside its clause: "что нет: он назвал видео фальшивкой"
        w = _CLAUSE_RE.split(w0)[-1]
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
            tail = " ".join(_WORD_RE.findall(w0)[-5:])
            if any(h in tail for h in self.t.hedge):
                return True
            after = self.f[e:e + 14].lstrip(" \"'")
            if any(after.startswith(x) for x in self.t.hedge_after):
                return True  # "смонтирован или нет", "faked or not"
        return False

    def own_subject(self, i: int) -> bool:
        """Sentence ``i`` has a reporting verb whose unnamed subject carries a country word ("Kazakhstan's
        central bank warned", "алматинские эксперты считают"): it does not continue an earlier speaker."""
        hs = self.by_sent.get(i, [])
        return any(h.role == SPEECH and any(x.role in (TARGET, OTHER) and 0 <= h.start - x.end <= 40 for x in hs)
                   for h in hs)

    def own_subject_side(self, i: int) -> str | None:
        """'target' when the first reporting verb of sentence ``i`` has a target-country subject of its own
        ("Kazakhstan's central bank warned", "В МИД Казахстана ответили"): the voice is the target's."""
        hs = self.by_sent.get(i, [])
        for h in hs:
            if h.role == SPEECH:
                xs = [x for x in hs if x.role in (TARGET, ADV, OTHER) and 0 <= h.start - x.end <= 40]
                if xs:
                    return "target" if xs[-1].role == TARGET and xs[0].role == TARGET else None
                return None
        return None

    def speaks(self, i: int, e: Entity) -> bool:
        """The entity is a voice in sentence ``i``: media or a group, or followed by a reporting verb or a
        charge ("Gurulev appears to say", "Lugovoy ... accusing"), or introduced by "according to"."""
        if e.etype in ("group", "outlet"):
            return True
        for h in self.by_sent.get(i, []):
            if (h.role == SPEECH or h.role == CUE and self.t.entries[h.ref].kind == "accusation") \
                    and 0 <= h.start - e.end <= 60:
                return True
            if h.role == SPEECH_AFTER and 0 <= e.start - h.end <= 5:
                return True
        return False

    def feared(self, a: int, s: int) -> bool:
        """A threat word inside a fear ("worried that they are next", "опасаются, что станут следующими")."""
        w = self.f[max(a, s - 60):s]
        toks = _WORD_RE.findall(w)[-8:]
        return any(any(tok.startswith(x) for x in self.t.fear) for tok in toks)

    def mentioned_only(self, a: int, s: int, phrase_only: bool = False) -> bool:
        """A 'fake' word after a preposition is a topic, not a verdict: "кричит про фейк", "talk of a fake";
        with ``phrase_only`` a noun of talk is needed too ("слова о войне", "rumours of an invasion")."""
        toks = _WORD_RE.findall(self.f[max(a, s - 24):s])
        if not toks:
            return False
        if len(toks) > 1 and " ".join(toks[-2:]) in self.t.mention:
            return True
        return not phrase_only and toks[-1] in self.t.mention


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


def _publisher_entity(publisher: dict | None) -> Entity | None:
    """The publisher as a voice: a register person or institution (a deputy's own channel, a ministry's
    statement) or an outlet whose country is known or guessed from its name."""
    if not publisher or not publisher.get("country"):
        return None
    al = publisher.get("alignment")
    etype = "person" if al == "person" else (
        "organization" if publisher.get("entity_type") == "organization" else "outlet")
    return Entity(-1, -1, etype, publisher["name"], publisher.get("outlet_id"),
                  publisher.get("role") or "outlet", publisher["country"])


def _quoted(text: str, a: int, pos: int) -> bool:
    """The offset ``pos`` is inside a quotation opened after ``a`` (curly, guillemet or straight quotes)."""
    inside = False
    for c in text[a:pos]:
        if c in "«“„":
            inside = True
        elif c in "»”":
            inside = False
        elif c == '"':
            inside = not inside
    return inside


def _speaks_here(d: _Doc, i: int, e: Entity) -> bool:
    """A reporting verb, a charge or a denial follows the entity in sentence ``i`` ("Kazakh officials rejected")."""
    return any(h.role == SPEECH or (h.role == CUE and d.t.entries[h.ref].kind in ("accusation", "denial"))
               for h in d.by_sent.get(i, []) if 0 <= h.start - e.end <= 60)


def _sentence_signals(d: _Doc, i: int, publisher: dict | None, facts: dict | None = None) -> list[dict]:
    """Signals the rules fire for sentence ``i``; ``facts``, when given, receives what the rules found on the
    way (cue kinds and why cues were dropped, voice, evidence), which the learned stage uses as features."""
    t = d.t
    a, b = d.S.span(i)
    hs = d.by_sent.get(i, [])
    cues = [h for h in hs if h.role == CUE]
    if facts is None:
        facts = {}
    dropped = facts.setdefault("dropped", [])
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
            dropped.append(("negated", en.kind))
            if en.kind in ("threat", "hostile_mention") and en.category in _DISCLAIMED:
                # a negated claim is a disclaimer: "у России нет территориальных претензий", "not an enemy"
                valid.setdefault("denial", []).append((h, _NEGATED_CLAIM))
            continue
        if en.kind == "denial" and en.category == "fake_denial" and d.mentioned_only(a, h.start):
            dropped.append(("topic", en.kind))
            continue
        if en.kind in ("threat", "hostile_mention") and d.feared(a, h.start):
            dropped.append(("feared", en.kind))
            continue
        if en.kind == "threat":
            # a threat word whose object is another country ("Russia's invasion of Ukraine") is not aimed at the target
            nxt = [x for x in hs if x.role in (OTHER, TARGET) and 0 <= x.start - h.end <= 15]
            if nxt and nxt[0].role == OTHER and nxt[0].ref != d._bloc:
                dropped.append(("other_country", en.kind))
                continue
        if en.kind in ("threat", "hostile_mention") and d.mentioned_only(a, h.start, True):
            dropped.append(("topic", en.kind))
            if en.kind == "threat":
                # a threat word as a topic ("тезисы о «северных территориях»") still frames the target hostilely
                valid.setdefault("hostile_mention", []).append((h, en))
            continue
        if en.kind == "accusation":
            # skip when the verb's object is another country ("blamed Ukraine")
            nxt = [x for x in hs if x.role in (OTHER, TARGET) and 0 <= x.start - h.end <= 12]
            if nxt and nxt[0].role == OTHER:
                dropped.append(("other_country", en.kind))
                continue
        valid.setdefault(en.kind, []).append((h, en))
    facts["valid"] = {k: [(h, en.category, en.weight) for h, en in v] for k, v in valid.items()}
    if not valid:
        return []

    speaker, how = d.speaker(i)
    refs = d.target_refs(i, speaker if how in ("explicit", "pronoun", "quote") else None)
    via_context = False
    if not refs and d.context_target(i):
        via_context = True
    has_target = bool(refs) or via_context
    sp_side = d.side(speaker)
    pub = d.pub_entity
    pub_side = d.side(pub)
    # whose voice the sentence is: the speaker's when known, the publisher's for own voice and for an
    # unnamed speaker ("один из депутатов" in a Kazakh outlet)
    party_pub = pub is not None and (publisher or {}).get("alignment") in ("person", "official_body")
    if speaker is not None and speaker.country and how in ("explicit", "pronoun", "quote"):
        voice_side = sp_side
    elif (speaker is None or speaker.anaphor or how in ("subject", "context")) and party_pub:
        voice_side = pub_side
    elif speaker is not None and speaker.country and how == "subject" and sp_side == "target" and (
            speaker.etype != "group" or _speaks_here(d, i, speaker)):
        voice_side = sp_side  # a target-side group is a voice only with a verb of saying, else the topic
    else:
        voice_side = None
    if speaker is None and voice_side is None:
        voice_side = d.own_subject_side(i)
    ents = d.entities(i)
    adv_ents = [e for e in ents if d.side(e) == "adversary"]
    if sp_side in ("target", "other"):
        # a non-adversary speaker's sentence carries the adversary's voice only where an adversary speaks in
        # it ("... said Gurulyov appears to say war is possible"), not where it is the topic ("Putin prepares")
        adv_ents = [e for e in adv_ents if d.speaks(i, e)]
    adv_in_sentence = bool(adv_ents)
    adv_in_context = any(d.side(e) == "adversary" for j in range(max(0, i - 2), i) for e in d.entities(j))
    pub_adv = bool(publisher) and publisher.get("country") == t.adversary and publisher.get("alignment") in (
        "state", "state_aligned", "official_body", "person")
    pub_known = bool(publisher) and (bool(publisher.get("outlet_id")) or bool(publisher.get("country"))) and not \
        publisher.get("guessed")
    own_voice = speaker is None or (speaker.anaphor and not speaker.country)
    # nobody identifiable speaks and the publisher is unknown (an unlisted channel or site): the text's own
    # framing counts, with less confidence than a known adversary voice
    unknown_voice = voice_side is None and not pub_known and not d.observer
    if speaker is None and publisher:
        speaker_fields = {"speaker_name": publisher["name"], "speaker_id": publisher["outlet_id"],
                          "speaker_role": publisher.get("role") or "outlet",
                          "speaker_country": publisher.get("country") or None,
                          "speaker_type": "person" if publisher.get("alignment") == "person" else "outlet"}
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
    elif adv_in_context and sp_side != "other" and not (speaker is None and d.own_subject(i)):
        evidence = 0.7
    elif unknown_voice:
        # an unknown voice that names the adversary as the actor ("Russia has begun preparations for an
        # invasion of Kazakhstan") is an observer's analysis rather than the adversary's rhetoric
        first_cue = min(h.start for h in cues)
        observer = any(h.role == ADV and h.start < first_cue for h in hs)
        evidence = 0.55 if observer else UNKNOWN_VOICE
    elif voice_side != "target" and sp_side not in ("target", "other") and any(
            t.entries[h.ref].weight >= 0.85 and t.entries[h.ref].kind in ("threat", "hostile_mention")
            and _quoted(d.text, a, h.start) for h in cues):
        # no voice at all, but a strong cue quoted from someone ("предложил «провести денацификацию» в
        # Казахстане", 'called it an "artificial state"'): a report of rhetoric, not the outlet's own analysis
        evidence = REPORTED_VOICE
    elif voice_side != "target" and sp_side not in ("target", "other") and d.adv_doc and not (
            own_voice and pub_side == "target") and (speaker is not None or any(
            h.role in (SPEECH, SPEECH_AFTER) for h in hs)) and any(
            en.weight >= 0.8 for k in ("threat", "hostile_mention") for _, en in valid.get(k, [])):
        # a report about the adversary's rhetoric whose speaker could not be resolved (an unregistered name, "по
        # словам X"): unambiguous hostile vocabulary aimed at the target counts whoever the reporter quotes; the
        # outlet's own analysis (no speaker, no verb of saying: "Russia has begun preparations ...") does not
        evidence = REPORT_FRAME
    else:
        evidence = 0.0
    if sp_side == "other" and not adv_in_sentence:
        evidence = min(evidence, 0.5)
    tscore = 1.0 if refs else 0.9
    weak_only = refs and all(r[2] == "alias" and d.f[r[0]:r[1]] in t.weak_aliases for r in refs)
    if weak_only:
        tscore = 0.7
    facts.update(evidence=evidence, voice_side=voice_side, adv_in_sentence=adv_in_sentence,
                 adv_in_context=adv_in_context, unknown_voice=unknown_voice, has_target=has_target)

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

    # denials first: an adversary's denial ("no plans to make Kazakhstan 'next'") silences the threat words
    # it denies
    silenced = False
    silenced_at = b
    if "denial" in valid:
        h, en = best(valid["denial"])
        denier, dside = speaker, sp_side
        subj = [e for e in ents if e.end <= h.start]
        subj_alias = [x for x in hs if x.role == TARGET and x.end <= h.start and h.start - x.end <= 40]
        # a country or capital as the subject of a reporting verb before the cue ("Moscow says it has no claims",
        # "В Министерстве информации Казахстана заявили, что ...")
        said_alias = [x for x in hs if x.role in (TARGET, ADV) and x.end <= h.start and any(
            y.role == SPEECH and x.end <= y.start < h.start and y.start - x.end <= 60 for y in hs)]
        if denier is None or how in ("context", "subject", "publisher") or (denier.anaphor and not denier.country):
            if subj and not (subj_alias and subj_alias[-1].start > subj[-1].start) and subj[-1].country:
                denier, dside = subj[-1], d.side(subj[-1])
            elif (denier is None or not denier.country or how == "context") and party_pub:
                denier, dside = pub, pub_side  # a deputy's own channel, a ministry's statement
            elif subj_alias:
                denier = Entity(subj_alias[-1].start, subj_alias[-1].end, "organization",
                                f"Government of {t.name}", None, "state", t.code)
                dside = "target"
            elif said_alias:
                x = said_alias[0]
                tside = x.role == TARGET
                denier = Entity(x.start, x.end, "organization",
                                f"Government of {t.name if tside else t.adversary_name}", None, "state",
                                t.code if tside else t.adversary)
                dside = "target" if tside else "adversary"
        if dside == "target" and any(x.role == OTHER and x.ref != d._bloc for x in hs) and not any(
                x.role == ADV for x in hs) and not adv_ents:
            dside = None  # a target-side denial in a dispute with another country ("denied they were aimed at Kyrgyz goods")
        if en.category == "distancing" and dside == "target" and any(
                x.role == ADV and 0 <= x.start - h.end <= 60 for x in hs):
            dside = None  # a target-side voice saying the adversary's deputies do not speak for it only reports
        if en.category == "no_claims" and dside == "target":
            dside = None  # "Russia has no claims" is the adversary's denial; a Kazakh voice only reports it
        if dside in ("target", "adversary") and d.target_near(i, 3):
            sc = en.weight * (1.0 if how in ("explicit", "pronoun", "subject", "quote") or subj or subj_alias
                              or said_alias else 0.8)
            row_base = dict(base)
            row_base.update(_entity_fields("speaker", denier))
            row_base["is_reported_speech"] = True
            if sc >= MIN_SCORE:
                out.append({**row_base, "kind": "denial", "category": en.category, **country_target,
                            "claim": _claim_after(d.text, a, h.start) or None,
                            "cue": "; ".join(dict.fromkeys(d.text[x.start:x.end] for x, _ in valid["denial"])),
                            "score": round(min(1.0, sc), 3)})
                if dside == "adversary":
                    silenced = not any(e.name != denier.name and e.start > h.start for e in adv_ents)
                    silenced_at = min(x.start for x, _ in valid["denial"])

    acc_verbs = [h for h, en in valid.get("accusation", []) if not any(0 <= r[0] - h.end <= 12 or 0 <= h.start - r[1] <= 3
                                                                        for r in refs)]

    def voice_ok(pos: int) -> bool:
        """Hostility needs a voice other than the target's; a target-side speaker who reports an adversary's
        words ("when a general says we are 'next'") passes, one who accuses the adversary does not."""
        if silenced and pos >= silenced_at:
            return False  # the words the adversary's denial goes on to deny ("no plans to make X 'next'")
        if voice_side != "target":
            return True
        return any(e.start < pos for e in adv_ents) and not any(h.start < pos for h in acc_verbs)

    # threats (also hostile mentions)
    threat_ok = False
    if "threat" in valid and has_target:
        h, en = best(valid["threat"])
        # a threat reported with the adversary's voice in context ("The post argued that ...") counts like a
        # hostile mention, a little less sure when the voice is only inherited from an earlier sentence
        ev = evidence if ((sp_side == "adversary" and how != "context") or adv_in_sentence
                          or (pub_adv and own_voice) or unknown_voice or how != "context") else 0.9 * evidence
        sc = en.weight * ev * tscore
        if sc >= MIN_SCORE and voice_ok(h.start):
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
            if en.category != "condemnation" and any(0 <= r[0] - h.end <= 40 for r in refs if r[3] is None):
                acc_country.append((h, en))
        hostile_cues += acc_country
    if hostile_cues and has_target:
        h, en = best(hostile_cues)
        if voice_ok(min(x.start for x, _ in hostile_cues)):
            sc = en.weight * evidence * tscore
            emit("hostile_mention", en.category, hostile_cues, sc, country_target)

    # accusations
    acc_cues = list(valid.get("accusation", [])) + [(h, en) for h, en in valid.get("hostile_mention", []) if en.accuses]
    if acc_cues and (has_target or any(d.side(e) == "target" for e in ents)):
        named = [e for e in ents if e.etype == "person" and not (e.anaphor and e.id is None)]
        # the subject of a verb of charging or criticising is the accuser ("Lugovoy criticised the minister")
        accusers = {e.name for e in named for h, en in acc_cues
                    if en.kind == "accusation" and en.category in ("accusation", "criticism")
                    and not h.key.startswith(("of ", "in ", "for ", "в "))  # the charge phrase, not the verb
                    and 0 <= h.start - e.end <= 40 and d._adjacent(e.end, h.start)}
        named = [e for e in named if e.name not in accusers]
        accused = []
        if voice_side != "target":
            accused += [e for e in named if d.side(e) == "target"]
        if voice_side == "target" and any(not any(0 <= r[0] - h.end <= 12 for r in refs) for h, _ in acc_cues):
            accused += [e for e in named if d.side(e) == "adversary"]
        elif voice_side is None or speaker is None:
            # an unknown voice accuses an adversary official only next to the charge: the object of the
            # verb ("accused Gurulyov of") or the subject of a condemnation ("Гурулёв провоцирует")
            for e in named:
                if d.side(e) != "adversary":
                    continue
                for h, en in acc_cues:
                    if en.kind != "accusation":
                        continue
                    if 0 <= e.start - h.end <= 25 or (en.category == "condemnation" and 0 <= h.start - e.end <= 40
                                                      and d._adjacent(e.end, h.start)):
                        accused.append(e)
                        break
        if speaker is not None and how in ("explicit", "pronoun", "quote"):
            accused = [e for e in accused if e.name != speaker.name]
        if not accused and _PRON_START_RE.match(d.f[a:b]) is None and re.search(r"\b(he|him|his|she|her|он|его|ему)\b", d.f[a:b]):
            for j in range(i - 1, max(-1, i - 3), -1):
                if _FURNITURE_RE.match(d.f[d.S.span(j)[0]:d.S.span(j)[1]]):
                    continue  # "Читайте также: ..." is not the antecedent
                prev = [e for e in d.entities(j) if e.etype == "person" and d.side(e) == "target"]
                if prev:
                    accused = [prev[-1]]
                    break
        h, en = best(acc_cues)
        ev_acc = 0.9 if voice_side == "target" else max(evidence, 0.65 if voice_side is None else 0.0)
        seen_acc = set()
        for e in accused:
            if e.name in seen_acc:
                continue
            seen_acc.add(e.name)
            sc = en.weight * ev_acc
            tgt = {"target_name": e.name, "target_id": e.id, "target_type": "person", "target_country": e.country}
            emit("accusation", en.category, acc_cues, sc, tgt, _claim_after(d.text, h.end, b))
        if acc_country and not accused:
            h2, en2 = best(acc_country)
            emit("accusation", en2.category, acc_country, en2.weight * evidence, country_target,
                 _claim_after(d.text, h2.end, b))
    return out


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


