"""People named in running text whom the register may not know: where the name is, its normal form, gender.

``find_names(text, a, b)`` returns the person names inside ``text[a:b]``:
- Russian: runs of capitalised words that the morphology (pymorphy3) or the given-name lists of
  ``reference/names.yaml`` mark as first names, patronymics or surnames, an initial before a surname
  ("В. Никонов"), or one surname right after a title ("депутат Петров"); the normal form is the nominative
  of each word in the person's gender ("Мурата Нуртлеу" → "Мурат Нуртлеу", "Захаровой" → "Захарова");
- English: runs of capitalised words that start with a known first name, follow a title ("Duma deputy
  Ivan Petrov"), or are followed by an apposition or a verb of saying ("Ivan Petrov, a political scientist").

``ner_names`` does the same for Russian with natasha's neural NER (its weights ship inside the natasha wheel);
it is slower (about 80k characters a second), so the extractor calls it only for sentences it needs to resolve.
The side a person speaks for is worked out by the extractor from the words around the name (``side_markers`` of
``reference/names.yaml``, matched by the reference automaton).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml

from .reference import REFERENCE_DIR
from .text import fold

_CYR_UP = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_CYR_LOW = "а-яёәғқңөұүһі"
_TOKEN_RE = re.compile(rf"[A-Z{_CYR_UP}]\.(?=\s?[A-Z{_CYR_UP}])|[\w{_CYR_LOW}]+(?:[-'’][\w{_CYR_LOW}]+)*")
# capitalised tokens only: runs of them are the candidates for names, everything else is skipped in C
_CAPTOK_RE = re.compile(rf"(?<![\w{_CYR_LOW}])(?:[A-Z{_CYR_UP}]\.(?=\s?[A-Z{_CYR_UP}])|[A-Z{_CYR_UP}][\w{_CYR_LOW}]*"
                        rf"(?:[-'’][\w{_CYR_LOW}]+)*)")
_SURNAME_ENDINGS = ("ov", "ev", "yev", "in", "ova", "eva", "ina", "sky", "skiy", "skaya", "enko", "uly", "kyzy",
                    "bayev", "bekov", "ich", "yan", "ian")
_CYR_LOWER_RE = re.compile("[а-яё]")
_RU_ENDINGS = ("а", "я", "у", "ю", "ом", "ем", "ым", "им", "е", "ой", "ей", "ы", "и")


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    name: str  # normal form
    surname: str  # normal form of the last word
    gender: str | None  # "m" | "f" | None
    origin: str | None  # "ru" | "kz" | None: where the first name is common (a weak hint of side)
    titled: bool = False  # a title word stands right before the name
    source: str = "morph"  # morph | given | title | ner


@cache
def _config() -> dict:
    with open(REFERENCE_DIR / "names.yaml", encoding="utf-8") as f:
        cfg = yaml.safe_load(f) or {}
    given: dict[str, tuple[str, str]] = {}
    for key, names in (cfg.get("given_names") or {}).items():
        origin, gender = key.split("_")
        for n in names:
            given.setdefault(n.lower(), (origin, gender))
    for key, names in (cfg.get("latin") or {}).items():
        origin, gender = key.split("_")
        for n in names:
            given.setdefault(n.lower(), (origin, gender))
    titles = {fold(t) for lang in (cfg.get("titles") or {}).values() for t in lang}
    not_names = {w for lang in (cfg.get("not_names") or {}).values() for w in lang}
    return {"given": given, "titles": titles, "not_names": not_names}


def given_name(token: str) -> tuple[str, str, str] | None:
    """(origin, gender, nominative) of a first name, also in a Russian case form ("Ерлану", "Бауыржана")."""
    g = _config()["given"]
    low = token.lower()
    if low in g:
        return (*g[low], token)
    if _CYR_LOWER_RE.search(low):
        for end in _RU_ENDINGS:
            if low.endswith(end) and len(low) > len(end) + 2:
                stem = low[: -len(end)]
                # "Евгению" is Евгений's dative before it is Евгения's accusative
                for cand in (stem, stem + "й", stem + "ь", stem + "а", stem + "я"):
                    if cand in g:
                        return (*g[cand], _recase(token, cand))
    return None


@lru_cache(maxsize=65536)
def _morph(token: str) -> tuple[frozenset, str | None]:
    """(tags among Name/Surn/Patr/Geox/Orgn in pymorphy3's readings, gender of its first reading as a first name)."""
    from .lemmas import morph_analyzer

    tags: set[str] = set()
    gender = None
    for p in morph_analyzer().parse(token)[:8]:
        t = set(str(p.tag).replace(" ", ",").split(","))
        tags |= t & {"Name", "Surn", "Patr", "Geox", "Orgn"}
        if gender is None and "Name" in t:
            gender = {"masc": "m", "femn": "f"}.get(p.tag.gender)
    return frozenset(tags), gender


# Russian surname and patronymic endings: (case ending, nominative ending by gender). Ordered longest first; the
# first that fits wins. Surnames in -ова/-ина are a man's genitive or a woman's nominative: gender decides,
# and a man is assumed when nothing tells (officials in the news are mostly men).
_SURNAME_CASES = [
    ("ского", "ский", "ская"), ("скому", "ский", "ская"), ("ским", "ский", "ская"), ("ском", "ский", "ская"),
    ("ской", None, "ская"), ("скую", None, "ская"), ("цкого", "цкий", "цкая"), ("цкому", "цкий", "цкая"),
    ("цким", "цкий", "цкая"), ("цкой", None, "цкая"), ("ович", "ович", None), ("евич", "евич", None),
    ("овича", "ович", None), ("евича", "евич", None), ("овичу", "ович", None), ("евичу", "евич", None),
    ("овичем", "ович", None), ("евичем", "евич", None), ("овне", None, "овна"), ("евне", None, "евна"),
    ("овны", None, "овна"), ("евны", None, "евна"), ("овну", None, "овна"), ("евну", None, "евна"),
    ("овым", "ов", "ов"), ("евым", "ев", "ев"), ("ёвым", "ёв", "ёв"), ("иным", "ин", "ин"), ("ыным", "ын", "ын"),
    ("овой", None, "ова"), ("евой", None, "ева"), ("ёвой", None, "ёва"), ("иной", None, "ина"),
    ("ыной", None, "ына"), ("ову", "ов", "ова"), ("еву", "ев", "ева"), ("ёву", "ёв", "ёва"), ("ину", "ин", "ина"),
    ("ыну", "ын", "ына"), ("ове", "ов", None), ("еве", "ев", None), ("ёве", "ёв", None), ("ине", "ин", None),
    ("ова", "ов", "ова"), ("ева", "ев", "ева"), ("ёва", "ёв", "ёва"), ("ина", "ин", "ина"), ("ына", "ын", "ына"),
    ("ов", "ов", None), ("ев", "ев", None), ("ёв", "ёв", None), ("ин", "ин", None), ("ын", "ын", None),
    ("ий", "ий", None), ("ая", None, "ая"),
]
_INDECLINABLE = ("о", "е", "и", "у", "ю", "ых", "их", "ко", "швили", "дзе", "ян", "улы", "ұлы", "кызы", "қызы")


def surname_nominative(word: str, gender: str | None) -> tuple[str, str | None]:
    """(nominative, gender) of a Russian-declined surname or patronymic ("Нуртлеу", "Бекову" → "Беков")."""
    low = word.lower()
    for case, masc, fem in _SURNAME_CASES:
        if low.endswith(case) and len(low) > len(case) + 1:
            stem = word[: len(word) - len(case)]
            if gender == "f" and fem is not None:
                return stem + fem, "f"
            if masc is not None and gender != "f":
                return stem + masc, "m" if case not in ("ая",) else gender
            if fem is not None:
                return stem + fem, "f"
            return word, gender
    return word, gender


def surname_like(word: str) -> bool:
    """A capitalised Cyrillic word that looks like a surname or patronymic in some case (and is not a common
    word of the dictionary: "Слова", "Нового")."""
    from .lemmas import morph_analyzer

    low = word.lower()
    if any(low.endswith(c) and len(low) > len(c) + 2 for c, _, _ in _SURNAME_CASES[:-2]):
        tags = _morph(word)[0]
        return bool({"Surn", "Patr", "Name"} & tags) or not morph_analyzer().word_is_known(low)
    return "Surn" in _morph(word)[0] or "Patr" in _morph(word)[0]


def _recase(orig: str, word: str) -> str:
    """``word`` with the capitalisation of ``orig`` (first letter of each hyphen part)."""
    parts = word.split("-")
    return "-".join(p[:1].upper() + p[1:] for p in parts) if orig[:1].isupper() else word


def is_cyrillic(s: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in s)


def _capitalised(tok: str) -> bool:
    return tok[:1].isupper() and not tok.isupper() or (len(tok) == 2 and tok.endswith("."))


def _runs(text: str, a: int, b: int) -> list[list[tuple[int, int, str]]]:
    """Runs of capitalised tokens separated only by single spaces (or the space after an initial)."""
    runs: list[list[tuple[int, int, str]]] = []
    cur: list[tuple[int, int, str]] = []
    for m in _CAPTOK_RE.finditer(text, a, b):
        tok = m.group(0)
        if not _capitalised(tok):
            if cur:
                runs.append(cur)
                cur = []
            continue
        if cur and m.start() - cur[-1][1] <= 1 and text[cur[-1][1]:m.start()] in ("", " ", "\u00a0"):
            cur.append((m.start(), m.end(), tok))
        else:
            if cur:
                runs.append(cur)
            cur = [(m.start(), m.end(), tok)]
    if cur:
        runs.append(cur)
    return runs


# words that may stand between a title and the name it introduces ("министр иностранных дел Казахстана Мурат
# Нуртлеу", "spokesman for the Foreign Ministry"); capitalised words (institutions) may too
_TITLE_LINKS = frozenset("of the for and state foreign affairs иностранных дел по делам снг и".split())


def _titled(text: str, a: int, start: int) -> bool:
    """A title word ("deputy", "министр", "Lt. Gen.") before ``start`` with nothing between them but institution
    words ("депутат Госдумы Иванов", "Duma deputy Ivanov"), not a verb ("the deputy wrote in Facebook")."""
    titles = _config()["titles"]
    raw = re.findall(r"[\w.'’-]+", text[max(a, start - 60):start])[-5:]
    words = [fold(w) for w in raw]
    for k in range(len(words) - 1, -1, -1):
        w = words[k]
        if w in titles or w.rstrip(".") in titles or (k and f"{words[k - 1]} {w}" in titles):
            return all(x in _TITLE_LINKS or r[:1].isupper() for x, r in zip(words[k + 1:], raw[k + 1:], strict=True))
    return False


_SAYS_AFTER = re.compile(r"\s*(?:,\s*(?:a|an|the|who|one of|russia's|kazakhstan's|kazakh|russian|former|head|chief|"
                         r"deputy|member)\b|\s(?:said|says|told|wrote|writes|added|argued|claimed|insisted|noted|"
                         r"warned|stated|declared|posted|replied|responded|accused|called|suggested)\b)")


def _normal_ru(toks, start: int, end: int, initials: list[str], core: list[str], given: list, titled: bool,
               source: str | None = None) -> Name:
    """Nominative of a Russian name: first names from the given-name lists or pymorphy3, the rest by the
    surname endings, in the gender of the first name."""
    gender = next((g[1] for g in given if g), None)
    if gender is None:
        gender = next((_morph(w)[1] for w in core[:-1] if "Name" in _morph(w)[0]), None)
    nom = []
    for i, (w, g) in enumerate(zip(core, given, strict=True)):
        if g:
            nom.append(g[2])
        elif i < len(core) - 1 and "Name" in _morph(w)[0] and not surname_like(w):
            from .lemmas import morph_analyzer

            p = next((p for p in morph_analyzer().parse(w) if "Name" in p.tag), None)
            form = p.inflect({"nomn"}) if p is not None else None
            nom.append(_recase(w, form.word) if form is not None else w)
        else:
            n, gg = surname_nominative(w, gender)
            gender = gender or gg
            nom.append(n)
    origin = next((g[0] for g in given if g), None)
    src = source or ("given" if any(given) else ("title" if titled else "morph"))
    return Name(start, end, " ".join(initials + nom), nom[-1], gender, origin, titled, src)


def find_names(text: str, a: int = 0, b: int | None = None, known: list[tuple[int, int]] = ()) -> list[Name]:
    """Person names in ``text[a:b]`` (offsets into ``text``), left to right; ``known`` spans (people, places
    and outlets the register already knows) split runs ("Мурата Нуртлеу Марков" is two people)."""
    b = len(text) if b is None else b
    cfg = _config()
    not_names = cfg["not_names"]
    out: list[Name] = []
    for run in _runs(text, a, b):
        # trim words that are never part of a name (titles, months, institutions) from both ends; a run with
        # one inside ("Foreign Minister Murat Nurtleu") is split at it
        pieces: list[list[tuple[int, int, str]]] = [[]]
        for t in run:
            if t[2] in not_names or fold(t[2]) in cfg["titles"] or (
                    t[2].endswith(("'s", "’s")) and t[2][:-2] in not_names) or any(
                    s0 < t[1] and t[0] < e0 for s0, e0 in known):
                pieces.append([])
            else:
                pieces[-1].append(t)
        for piece in pieces:
            while len(piece) > 4:
                piece = piece[1:]
            if piece:
                n = _person(text, a, piece)
                if n is not None:
                    out.append(n)
    return out


@lru_cache(maxsize=100_000)
def _ru_word(w: str) -> tuple[tuple | None, frozenset, bool]:
    """(given-name reading, morphology tags, looks like part of a name) of a capitalised Cyrillic word."""
    g = given_name(w)
    tags = _morph(w)[0]
    return g, tags, bool(g) or bool({"Name", "Patr"} & tags) or surname_like(w)


def _person(text: str, a: int, toks: list[tuple[int, int, str]]) -> Name | None:
    words = [t[2] for t in toks]
    start, end = toks[0][0], toks[-1][1]
    # a sentence-initial word is capitalised anyway: it must earn its place by being a known first name
    first_of_sentence = not text[a:start].strip()
    cyr = is_cyrillic(words[-1])
    initials = [w for w in words if len(w) == 2 and w.endswith(".")]
    core = [w for w in words if w not in initials]
    if not core:
        return None
    if cyr:
        info = [_ru_word(w) for w in core]
        if len(core) == 1 and not initials and (first_of_sentence or not info[0][2]):
            return None  # a lone capitalised word: only a surname after a title, never the first word
        titled = _titled(text, a, start)
        given = [x[0] for x in info]
        tags = [x[1] for x in info]
        namey = [x[2] for x in info]
        while core and not namey[0]:  # a capitalised first word of the sentence ("Ранее Токаеву")
            core, tags, given, namey = core[1:], tags[1:], given[1:], namey[1:]
            start = next(t[0] for t in toks if t[2] == core[0]) if core else start
            first_of_sentence = False
        if not core or (any("Geox" in t and not ({"Name", "Surn", "Patr"} & t) for t in tags)
                        and not any(given) and not titled):
            return None  # a place ("Павлодар", "Семей"), unless a first name or a title vouches for the run
        has_first = any(given) or any("Name" in t for t in tags)
        if len(core) >= 2 and (has_first or sum(namey) >= 2):
            pass
        elif len(core) == 1 and namey[0] and (initials or titled or not first_of_sentence):
            pass
        else:
            return None
        return _normal_ru(toks, start, end, initials, core, given, titled)
    # Latin script
    core = [w[:-2] if w.endswith(("'s", "’s")) else w for w in core]
    if len(core) == 1 and not initials and (first_of_sentence or len(core[0]) <= 3):
        return None
    given = [given_name(w) for w in core]
    g0 = given[0] if given else None
    titled = _titled(text, a, start)
    after = _SAYS_AFTER.match(fold(text[end:end + 40])) if len(core) >= 2 and not g0 and not titled else None
    if len(core) >= 2 and (g0 or titled or (after and not first_of_sentence)):
        pass
    elif len(core) == 1 and initials:
        pass
    elif len(core) == 1 and not first_of_sentence and len(core[0]) > 3 and (
            titled or core[0].lower().endswith(_SURNAME_ENDINGS)):
        pass
    else:
        return None
    gender = g0[1] if g0 else ("f" if core[-1].lower().endswith(("ova", "eva", "ina", "aya", "skaya")) else None)
    name = " ".join(initials + core)
    return Name(start, end, name, core[-1], gender, g0[0] if g0 else None, titled,
                "given" if g0 else "title")


# ---------------------------------------------------------------------------------------------
# natasha NER (Russian), on demand
# ---------------------------------------------------------------------------------------------


@cache
def _ner():
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    emb = NewsEmbedding()
    return Segmenter(), NewsNERTagger(emb)


def ner_names(text: str, spans: list[tuple[int, int]]) -> list[list[Name]]:
    """natasha's PER entities inside each span, normalised like ``find_names``."""
    from natasha import Doc

    seg, tagger = _ner()
    out: list[list[Name]] = []
    for a, b in spans:
        doc = Doc(text[a:b])
        doc.segment(seg)
        doc.tag_ner(tagger)
        names = []
        for s in doc.spans:
            if s.type != "PER":
                continue
            toks = [(a + m.start(), a + m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text, a + s.start, a + s.stop)]
            toks = [t for t in toks if t[2][:1].isupper()]
            if not toks:
                continue
            n = _person_forced(toks)
            if n is not None:
                names.append(n)
        out.append(names)
    return out


def _person_forced(toks: list[tuple[int, int, str]]) -> Name | None:
    """Normal form of a span the NER already calls a person."""
    words = [t[2] for t in toks]
    initials = [w for w in words if len(w) == 2 and w.endswith(".")]
    core = [w for w in words if w not in initials]
    if not core:
        return None
    if is_cyrillic(core[-1]):
        return _normal_ru(toks, toks[0][0], toks[-1][1], initials, core, [given_name(w) for w in core], False, "ner")
    nom = [w[:-2] if w.endswith(("'s", "’s")) else w for w in core]
    given = [given_name(w) for w in nom]
    gender = next((gg[1] for gg in given if gg), None)
    if gender is None and nom[-1].lower().endswith(("ova", "eva", "ina", "aya")):
        gender = "f"
    origin = next((gg[0] for gg in given if gg), None)
    return Name(toks[0][0], toks[-1][1], " ".join(initials + nom), nom[-1], gender, origin, False, "ner")
