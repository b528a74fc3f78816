"""Loading of the reference data under ``reference/`` and the per-target matcher.

The matcher is ONE Aho–Corasick automaton over every literal the extractor needs for a target:
lexicon cue patterns (and their "with"/"exclude" companions), target and adversary aliases,
people and institution aliases (with Russian case forms generated here), outlet aliases, speaker
groups and other countries' names. Keys are folded (``text.fold``); each key carries the list of
roles it plays. It is built once per target and cached.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick
import yaml

from core.settings import Settings

from .text import fold

REFERENCE_DIR = Settings.current().reference_dir

# Roles a key can play.
CUE, WITH, EXCL, TARGET, ADV, PERSON, OUTLET, GROUP, SPEECH, SPEECH_AFTER, OTHER = range(11)
# Reference roles added for speaker/target resolution (speech.yaml): role nouns ("the deputy"),
# indefinite words ("another"), country descriptors ("the Central Asian country"), first person plural.
ROLE, INDEF, DESC, FIRST, OBSERVER = range(11, 16)
# words that tell the side a named person speaks for ("Госдумы", "Mazhilis"; reference/names.yaml)
SIDE = 16
SIGNAL_KINDS = ("hostile_mention", "accusation", "denial", "threat")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int  # exclusive
    role: int
    ref: int  # index into the relevant table (entries, people, outlets, groups) or -1
    key: str


@dataclass
class Entry:
    id: str
    lang: str
    kind: str
    category: str
    weight: float
    patterns: list[str]
    with_: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    accuses: bool = False
    force: bool = False
    position: str = "after"
    doc: str = ""


@dataclass
class Target:
    code: str
    name: str
    adversary: str
    adversary_name: str
    weak_aliases: frozenset
    entries: list[Entry]
    groups: list[dict]
    people: list[dict]
    outlets: list[dict]
    other_countries: dict
    automaton: object
    anchor: object  # target aliases and target-country people only: the cheap relevance gate
    negation: list[str]
    negation_exclude: list[str]
    hedge: list[str]
    pronouns: list[str]
    hedge_after: list[str] = field(default_factory=list)
    mention: frozenset = frozenset()
    fear: tuple = ()
    sides: tuple = ()  # country code of each SIDE hit's ref


def _split_aliases(s: str) -> list[str]:
    return [a.strip() for a in (s or "").split("|") if a.strip()]


@lru_cache(maxsize=1)
def load_people() -> list[dict]:
    with open(REFERENCE_DIR / "people.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("person_id") and not r["person_id"].startswith("#")]
    for r in rows:
        r["aliases_list"] = _split_aliases(r["aliases"]) + [r["canonical_name"]]
        r["prominence"] = int(r.get("prominence") or 1)
    return rows


@lru_cache(maxsize=1)
def load_outlets() -> list[dict]:
    with open(REFERENCE_DIR / "outlets.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("outlet_id") and not r["outlet_id"].startswith("#")]
    for r in rows:
        r["aliases_list"] = _split_aliases(r["aliases"]) + [r["name"]]
    return rows


def _load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


# ---------------------------------------------------------------------------------------------
# Russian case forms for names (people aliases in Cyrillic)
# ---------------------------------------------------------------------------------------------

_CYR = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")


def _is_cyr(s: str) -> bool:
    return any(c in _CYR for c in s.lower())


def _word_cases(w: str) -> list[str]:
    """Nominative, genitive, dative, accusative, instrumental, prepositional forms of a name."""
    lw = w.lower()
    if lw.endswith(("ий", "ый")):  # Слуцкий, Жириновский
        b = w[:-2]
        return [w, b + "ого", b + "ому", b + "ого", b + ("им" if lw.endswith("ий") else "ым"), b + "ом"]
    if lw.endswith("ой") and len(lw) > 4:  # Луговой
        b = w[:-2]
        return [w, b + "ого", b + "ому", b + "ого", b + "ым", b + "ом"]
    if lw.endswith(("ая", "яя")) and len(lw) > 4:  # adjectives in names: Государственная, Комсомольская
        b = w[:-2]
        soft = lw.endswith("яя") or lw[-3:-2] in set("жчшщ")
        return [w, b + ("ей" if soft else "ой"), b + ("ей" if soft else "ой"), b + ("юю" if lw.endswith("яя") else "ую"),
                b + ("ей" if soft else "ой"), b + ("ей" if soft else "ой")]
    if lw.endswith(("ова", "ева", "ёва", "ина", "ына")):  # Захарова, Балаева
        b = w[:-1]
        return [w, b + "ой", b + "ой", b + "у", b + "ой", b + "ой"]
    if lw.endswith("ия"):  # Мария
        b = w[:-1]
        return [w, b + "и", b + "и", b + "ю", b + "ей", b + "и"]
    if lw.endswith("а") or lw.endswith("я"):
        b = w[:-1]
        soft = lw[-2:-1] in set("гкхжчшщ") or lw.endswith("я")
        return [w, b + ("и" if soft else "ы"), b + "е", b + ("ю" if lw.endswith("я") else "у"),
                b + ("ей" if lw.endswith("я") else "ой"), b + "е"]
    if lw.endswith("й"):  # Андрей, Сергей
        b = w[:-1]
        return [w, b + "я", b + "ю", b + "я", b + "ем", b + "е"]
    if lw.endswith("ь"):  # Кремль
        b = w[:-1]
        return [w, b + "я", b + "ю", w, b + "ем", b + "е"]
    if lw[-1:] in set("оеиуыэюё") or not lw[-1:].isalpha():
        return [w] * 6  # indeclinable (Шойгу, Матвиенко)
    ins = "ым" if lw.endswith(("ов", "ев", "ёв", "ин", "ын")) else "ом"
    return [w, w + "а", w + "у", w + "а", w + ins, w + "е"]


def russian_forms(alias: str) -> set[str]:
    """All six case forms of a (possibly multi-word, hyphenated) Cyrillic name."""
    words = alias.split(" ")
    per = []
    for w in words:
        if "-" in w:  # Касым-Жомарт: both halves decline, or only the last one does
            parts = [_word_cases(p) for p in w.split("-")]
            per.append(["-".join(p[c] for p in parts) for c in range(6)])
            first = w.split("-")[:-1]
            per[-1] += ["-".join(first + [parts[-1][c]]) for c in range(6)]
        elif w[:1].isupper() or len(words) == 1:
            per.append(_word_cases(w))
        else:
            per.append([w] * 6)  # "дума" in "Государственная дума" handled as lower word
    n = max(len(p) for p in per)
    out = {" ".join(p[c] if c < len(p) else p[c % 6] for p in per) for c in range(n)}
    if len(words) > 1 and any(not w[:1].isupper() and "-" not in w for w in words[1:]):
        # lower-case nouns of multi-word names decline too ("Первого канала", "Комсомольской правды"); the
        # undeclined variant above stays
        per2 = [_word_cases(w) if (not w[:1].isupper() and "-" not in w and w[-1:].isalpha()) else p
                for w, p in zip(words, per, strict=True)]
        out |= {" ".join(p[c] if c < len(p) else p[c % 6] for p in per2) for c in range(6)}
    return out


# ---------------------------------------------------------------------------------------------
# Target config and automaton
# ---------------------------------------------------------------------------------------------


def _entries_from(doc: dict) -> list[Entry]:
    out = []
    for e in doc.get("entries", []) or []:
        out.append(Entry(
            id=e["id"], lang=e.get("lang", ""), kind=e["kind"], category=e.get("category", ""),
            weight=float(e.get("weight", 0.5)), patterns=list(e.get("patterns", [])),
            with_=list(e.get("with", []) or []), exclude=list(e.get("exclude", []) or []),
            accuses=bool(e.get("accuses", False)), force=bool(e.get("force", False)),
            position=e.get("position", "after"), doc=e.get("doc", ""),
        ))
    return out


def _key(pattern: str) -> tuple[str, bool]:
    """Folded key and whether the word may continue after it (trailing '*')."""
    prefix = pattern.endswith("*")
    p = pattern[:-1] if prefix else pattern
    return fold(p.strip()), prefix


def _tail_regex(pattern: str) -> re.Pattern[str]:
    """Regex for a folded multi-word pattern where each 'stem*' may take an ending."""
    parts = []
    for w in fold(pattern).split():
        if w.endswith("*"):
            parts.append(re.escape(w[:-1]) + r"\w*")
        else:
            parts.append(re.escape(w) + r"(?!\w)")
    return re.compile(r"\s+".join(parts))


def _case_sensitive(alias: str) -> bool:
    core = alias.rstrip("*")
    return len(core) <= 3 or (core.isupper() and len(core) <= 5)


@cache
def load_target(code: str = "KZ") -> Target:
    cfg_path = REFERENCE_DIR / "targets" / f"{code.lower()}.yaml"
    if not cfg_path.exists():
        raise ValueError(f"unknown target {code!r}: no {cfg_path}")
    cfg = _load_yaml(cfg_path)
    code = cfg["code"].upper()
    adversary = cfg.get("adversary", {}) or {}
    entries: list[Entry] = []
    groups: list[dict] = []
    for rel in cfg.get("lexicon", []) or []:
        doc = _load_yaml(REFERENCE_DIR / rel)
        entries.extend(_entries_from(doc))
        groups.extend(doc.get("groups", []) or [])
    people = load_people()
    outlets = load_outlets()
    countries = _load_yaml(REFERENCE_DIR / "countries.yaml").get("countries", {})
    other = {c: v for c, v in countries.items() if c != code and c != adversary.get("code")}

    A = ahocorasick.Automaton()
    table: dict[str, list] = {}

    def add(pattern: str, role: int, ref: int, force_prefix: bool | None = None, cs: bool = False):
        rx = None
        core = pattern.strip()
        if "*" in core.rstrip("*"):
            # a stem inside a multi-word pattern ("искусственн* государств*"): the automaton key is
            # the text up to the first inner '*', the rest is verified at the hit by a local regex
            cut = core.index("*")
            rx = _tail_regex(core)
            core = core[:cut] + "*"
        key, prefix = _key(core)
        if force_prefix is not None:
            prefix = prefix or force_prefix
        if not key:
            return
        orig = pattern.rstrip("*").strip() if cs else None
        table.setdefault(key, []).append((role, ref, prefix, orig, rx))

    negation, negation_exclude, hedge, pronouns, hedge_after, mention, fear = [], [], [], [], [], [], []
    for i, e in enumerate(entries):
        if e.kind in SIGNAL_KINDS:
            for p in e.patterns:
                add(p, CUE, i)
            for p in e.with_:
                add(p if p.endswith("*") else p + "*", WITH, i)  # companions match as stems
            for p in e.exclude:
                add(p, EXCL, i)
        elif e.kind == "speech":
            for p in e.patterns:
                add(p, SPEECH_AFTER if e.position == "before" else SPEECH, i)
        elif e.kind == "negation":
            negation.extend(fold(p) for p in e.patterns)
            negation_exclude.extend(fold(p) for p in e.exclude)
        elif e.kind == "hedge":
            hedge.extend(fold(p) for p in e.patterns)
        elif e.kind == "pronoun":
            pronouns.extend(fold(p) for p in e.patterns)
        elif e.kind == "hedge_after":
            hedge_after.extend(fold(p) for p in e.patterns)
        elif e.kind == "mention":
            mention.extend(fold(p) for p in e.patterns)
        elif e.kind == "fear":
            fear.extend(fold(p).rstrip("*") for p in e.patterns)
        elif e.kind in ("role", "indefinite", "descriptor", "first_person", "observer"):
            role = {"role": ROLE, "indefinite": INDEF, "descriptor": DESC, "first_person": FIRST,
                    "observer": OBSERVER}[e.kind]
            for p in e.patterns:
                add(p, role, i, cs=e.kind == "first_person" and _case_sensitive(p) and p.isupper())
    for lang_aliases in (cfg.get("aliases", {}) or {}).values():
        for a in lang_aliases:
            add(a, TARGET, -1, cs=_case_sensitive(a))
    for a in adversary.get("aliases", []) or []:
        add(a, ADV, -1, cs=_case_sensitive(a))
    for i, p in enumerate(people):
        for a in p["aliases_list"]:
            if _is_cyr(a):
                for form in russian_forms(a):
                    add(form, PERSON, i)
            else:
                add(a, PERSON, i, cs=_case_sensitive(a))
    for i, o in enumerate(outlets):
        for a in o["aliases_list"]:
            if _is_cyr(a) and not _case_sensitive(a):
                for form in russian_forms(a):  # "Царьграда", "Комсомольской правды"
                    add(form, OUTLET, i)
            else:
                add(a, OUTLET, i, cs=_case_sensitive(a))
    for i, g in enumerate(groups):
        for a in g.get("patterns", []):
            add(a, GROUP, i)
    side_cfg = (_load_yaml(REFERENCE_DIR / "names.yaml").get("side_markers") or {})
    sides = tuple(side_cfg)
    for si, side_code in enumerate(sides):
        for a in side_cfg[side_code]:
            add(a, SIDE, si, cs=_case_sensitive(a) and a.isupper())
    for ci, (_c, names) in enumerate(other.items()):
        for a in names:
            add(a, OTHER, ci, cs=_case_sensitive(a))
    anchor = ahocorasick.Automaton()
    for key, vals in table.items():
        A.add_word(key, (len(key), tuple(vals)))
        gate = tuple(v for v in vals if v[0] == TARGET or (v[0] == PERSON and people[v[1]]["country"] == code))
        if gate:
            anchor.add_word(key, (len(key), gate))
    A.make_automaton()
    anchor.make_automaton()
    weak = frozenset(_key(a)[0] for a in cfg.get("weak_aliases", []) or [])
    return Target(
        code=code, name=cfg.get("name", code), adversary=adversary.get("code", "RU"),
        adversary_name=adversary.get("name", ""), weak_aliases=weak, entries=entries, groups=groups,
        people=people, outlets=outlets, other_countries=other, automaton=A, anchor=anchor,
        negation=negation, negation_exclude=negation_exclude, hedge=hedge, pronouns=pronouns,
        hedge_after=hedge_after, mention=frozenset(mention), fear=tuple(fear), sides=sides,
    )


def mentions_target(target: Target, text: str, folded: str) -> bool:
    """True when the folded text refers to the target (first word-bounded anchor hit wins)."""
    return bool(scan(target, text, folded, automaton=target.anchor, first=True))


def scan(target: Target, text: str, folded: str | None = None, automaton=None, first: bool = False) -> list[Hit]:
    """All word-bounded hits of the target's automaton in ``text`` (one pass)."""
    f = folded if folded is not None else fold(text)
    n = len(f)
    out: list[Hit] = []
    for end, (klen, vals) in (automaton or target.automaton).iter(f):
        start = end - klen + 1
        key = f[start:end + 1]
        if key[0].isalnum() and start > 0 and f[start - 1].isalnum():
            continue
        bounded_right = end + 1 >= n or not f[end + 1].isalnum() or not key[-1].isalnum()
        for role, ref, prefix, orig, rx in vals:
            if rx is not None:
                m = rx.match(f, start)
                if m is None:
                    continue
                out.append(Hit(start, m.end(), role, ref, m.group(0)))
                continue
            if not prefix and not bounded_right:
                continue
            if orig is not None and text[start:end + 1] != orig:
                continue
            out.append(Hit(start, end + 1, role, ref, key))
        if first and out:
            return out
    out.sort(key=lambda h: (h.start, -h.end))
    return out


@lru_cache(maxsize=1)
def _name_lookup() -> tuple[list[tuple[str, dict]], list[tuple[str, str]]]:
    """(folded alias, person/institution row) and (folded stem, country code) for naming publishers."""
    people = []
    for r in load_people():
        for a in r["aliases_list"]:
            if len(a) > 5 and " " in a.strip():  # full names and multi-word institution names only
                people.append((fold(a), r))
    people.sort(key=lambda x: -len(x[0]))
    countries = []
    for code, names in (_load_yaml(REFERENCE_DIR / "countries.yaml").get("countries", {}) or {}).items():
        for a in names:
            if len(a.rstrip("*")) > 3:
                countries.append((fold(a.rstrip("*")), code))
    return people, countries


@lru_cache(maxsize=4096)
def _publisher_from_name(name: str) -> dict | None:
    """A publisher named by a register person or institution ("Andrei Gurulyov", a ministry's channel),
    else an unknown outlet whose country is guessed from a country word in its name ("Astana Pulse")."""
    fn = fold(name)
    people, countries = _name_lookup()
    for a, r in people:
        k = fn.find(a)
        if k >= 0 and (k == 0 or not fn[k - 1].isalnum()) and (k + len(a) >= len(fn) or not fn[k + len(a)].isalnum()):
            return {"name": r["canonical_name"], "outlet_id": r["person_id"], "country": r["country"] or None,
                    "alignment": "person" if r["entity_type"] == "person" else "official_body",
                    "entity_type": r["entity_type"], "role": r["role"]}
    for stem, code in countries:
        k = fn.find(stem)
        if k >= 0 and (k == 0 or not fn[k - 1].isalnum()):
            return {"name": name, "outlet_id": None, "country": code, "alignment": None, "guessed": True}
    return None


_TLD_COUNTRY = {"ru": "RU", "su": "RU", "kz": "KZ", "ua": "UA", "am": "AM", "by": "BY", "kg": "KG", "uz": "UZ"}


@lru_cache(maxsize=1)
def _outlet_keys() -> list[tuple[dict, str, frozenset]]:
    """(outlet row, folded name, folded aliases), folded once."""
    return [(o, fold(o["name"]), frozenset(fold(a) for a in o["aliases_list"])) for o in load_outlets()]


def find_outlet(name: str | None = None, url: str | None = None) -> dict | None:
    """Resolve the publishing outlet from the ``outlet`` field or the URL's domain; an outlet that is not in
    outlets.csv may still name a register person or institution or carry a country word (``_publisher_from_name``)."""
    outlets = load_outlets()
    if name:
        fn = fold(name).strip()
        for o, fname, aliases in _outlet_keys():
            if fn == fname or fn in aliases or fn == o["domain"]:
                return o
    if url:
        host = url.split("//", 1)[-1].split("/", 1)[0].lower()
        host = host[4:] if host.startswith("www.") else host
        for o in outlets:
            d = o["domain"].lower()
            if d and (host == d or host.endswith("." + d)):
                return o
    if name and name.strip():
        guess = _publisher_from_name(name.strip())
        if guess is not None:
            return guess
        # an outlet named by its domain ("24.kg", "Factcheck.kz"): the country-code top-level domain
        m = re.search(r"\.([a-z]{2})$", name.strip().lower())
        code = _TLD_COUNTRY.get(m.group(1)) if m else None
        if code:
            return {"name": name, "outlet_id": None, "country": code, "alignment": None, "guessed": True}
    if url:
        host = url.split("//", 1)[-1].split("/", 1)[0].lower()
        tld = host.rsplit(".", 1)[-1]
        code = _TLD_COUNTRY.get(tld)
        if code:
            return {"name": name or host, "outlet_id": None, "country": code, "alignment": None, "guessed": True}
    return None
