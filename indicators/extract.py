"""Signal extraction: hostile mentions, accusations, denials and threats towards a target country.

``extract(docs, target="KZ")`` takes a polars frame of documents and returns an ``Extraction``
with two frames, ``signals`` and ``documents`` (schemas ``SIGNAL_SCHEMA`` / ``DOCUMENT_SCHEMA``).

Per document: a cheap gate (does the text name the target at all?), one automaton scan for every cue and
entity (``indicators.reference``), the rule engine (``indicators.rules``), then the learned sentence stage
(``indicators.stage``): every candidate sentence (one that refers to the target or carries a cue) gets a
probability per kind from a classifier whose features are its words and the rules' findings; the kinds above
their thresholds become signals, with speakers and accused people resolved by ``indicators.attribution``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.schemas import DOCUMENT_ASSESSMENTS, SIGNALS

from . import doc_meta
from .attribution import pair_features, person_candidates
from .model import KINDS, ExtractionModel, default_model
from .reference import CUE, PERSON, TARGET, Target, find_outlet, load_target, mentions_target, scan
from .rules import _Doc, _sentence_signals, _sig_id, _tension
from .signals import sentence_signals
from .stage import analyse
from .text import Visible, fold

# The extractor's frames are the raw tables without the warehouse's published_date on signals (the warehouse
# sets it from the stored document); declared once in core.schemas
SIGNAL_SCHEMA: dict[str, pl.DataType] = SIGNALS.polars_schema(drop=("published_date",))
DOCUMENT_SCHEMA: dict[str, pl.DataType] = DOCUMENT_ASSESSMENTS.polars_schema()


@dataclass
class Extraction:
    signals: pl.DataFrame
    documents: pl.DataFrame


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def _col(df: pl.DataFrame, name: str) -> list:
    return df[name].to_list() if name in df.columns else [None] * df.height


def resolve_publisher(outlet: str | None, url: str | None) -> dict | None:
    """The publisher record of a document: a known outlet, a register person or body, or just its name."""
    publisher = find_outlet(outlet, url)
    if publisher is None and outlet:
        publisher = {"name": outlet, "outlet_id": None, "country": None, "alignment": None}
    return publisher


def prepare(target: Target, doc_id: str, text: str, publisher: dict | None) -> tuple[_Doc | None, bool]:
    """The rule engine's view of a document (None when it never refers to the target) and whether it does."""
    folded = fold(text)
    # relevance gate: most news never names the target, and then one C-level pass is all it costs
    hits = scan(target, text, folded) if mentions_target(target, text, folded) else []
    mentioned = any(h.role == TARGET for h in hits) or any(
        h.role == PERSON and target.people[h.ref]["country"] == target.code for h in hits)
    if not mentioned:
        return None, False
    d = _Doc(target, doc_id, text, hits, publisher, folded)
    d.force = False
    return d, True


def _rule_signals(d: _Doc, publisher: dict | None) -> list[dict]:
    """The rule engine alone (the ablation's "rules only" row): every cue sentence, repeated text once."""
    sigs: list[dict] = []
    seen: set[str] = set()
    for i in sorted(i for i, hs in d.by_sent.items() if any(h.role == CUE for h in hs)):
        key = d.f[slice(*d.S.span(i))].strip()
        if key not in seen:
            seen.add(key)
            sigs.extend(_sentence_signals(d, i, publisher))
    return sigs


@dataclass
class _Work:
    """One document (or its separate title) between analysis and decisions."""

    doc_id: str
    d: _Doc | None
    mentioned: bool
    publisher: dict | None
    cands: list = field(default_factory=list)
    sigs: list = field(default_factory=list)
    force: bool = False
    is_title: bool = False
    vis: Visible | None = None  # the text as given when invisible characters were removed before matching


def _analyse(target: Target, doc_id: str, text: str, title: str | None, publisher: dict | None,
             rules_only: bool) -> list[_Work]:
    """The document's work item, and its title's when the title is not repeated at the top of the text.

    Zero-width and bidi characters are removed before anything is matched ("Казах\\u200bстан" names the target,
    "Gurul\\u202eyov" is Gurulyov); ``_finish`` maps the signals' offsets and sentences back to the text as given."""
    vis = Visible(text or "")
    text = vis.text
    out = []
    d, mentioned = prepare(target, doc_id, text, publisher)
    w = _Work(doc_id, d, mentioned, publisher, vis=vis if vis.changed else None)
    if d is not None and rules_only:
        w.sigs, w.force = _rule_signals(d, publisher), d.force
    elif d is not None:
        w.cands = analyse(d, publisher)
    out.append(w)
    shown = Visible(title).text if title else title
    if shown and shown.strip() and fold(shown.strip())[:60] not in fold(text[:len(shown) + 400]):
        tw = _analyse(target, doc_id, title, None, publisher, rules_only)[0]
        tw.is_title = True
        out.append(tw)
    return out


def _decide(works: list[_Work], model: ExtractionModel) -> None:
    """The learned stage for many documents at once: one batched call per model."""
    if not any(w.cands for w in works):
        return
    probs = model.sentence_proba([w.cands for w in works])
    acc = KINDS.index("accusation")
    per: list[tuple[_Work, object, np.ndarray]] = [(w, c, p) for w, P in zip(works, probs, strict=True)
                                                    for c, p in zip(w.cands, P, strict=True)]
    # the accused: pair features for every sentence that accuses someone, scored in one call
    pair_rows, pair_owner = [], []
    for n, (w, c, p) in enumerate(per):
        if p[acc] >= model.thresholds["accusation"]:
            people = person_candidates(w.d, c.i)
            for person in people:
                pair_rows.append(pair_features(w.d, c.i, person, people, c.facts, c.rule_signals, w.publisher))
                pair_owner.append((n, person))
    q = model.accused_proba(pair_rows) if pair_rows else []
    accused: dict[int, list] = {}
    for (n, person), score in zip(pair_owner, q, strict=True):
        accused.setdefault(n, []).append((person, float(score)))
    for n, (w, c, p) in enumerate(per):
        rows = sentence_signals(w.d, c, p, model, w.publisher, accused.get(n, []))
        w.sigs.extend(rows)
        if any(r["kind"] == "threat" for r in rows):
            w.force = w.force or any(h.role == CUE and w.d.t.entries[h.ref].force for h in w.d.by_sent.get(c.i, []))


def _finish(works: list[_Work]) -> tuple[list[dict], bool, bool]:
    """Signals of one document's work items (title signals without offsets), mentioned, force."""
    sigs: list[dict] = []
    for w in works:
        if w.vis is not None:
            _to_original(w.vis, w.sigs)
        if w.is_title:
            for s in w.sigs:
                s["char_start"] = s["char_end"] = s["sentence_index"] = None
        sigs.extend(w.sigs)
    for s in sigs:
        s["signal_id"] = _sig_id(works[0].doc_id, s["kind"], s["char_start"], s["char_end"],
                                 s.get("target_id") or s.get("target_name") or "")
    # the same sentence can yield the same signal twice: one row per signal id
    sigs = list({s["signal_id"]: s for s in sigs}.values())
    return sigs, any(w.mentioned for w in works), any(w.force for w in works)


def _to_original(vis: Visible, sigs: list[dict]) -> None:
    """Offsets and sentences of signals found in ``vis.text`` moved to the text as given (``vis.original``)."""
    done: set[int] = set()
    for s in sigs:
        if id(s) in done or s.get("char_start") is None:
            continue
        done.add(id(s))
        a, b = vis.span(s["char_start"], s["char_end"])
        s["char_start"], s["char_end"], s["sentence"] = a, b, vis.original[a:b]


def extract_one(target: Target, doc_id: str, text: str, title: str | None = None,
                publisher: dict | None = None, model: ExtractionModel | None = None,
                rules_only: bool = False) -> tuple[list[dict], bool, bool]:
    """Signals of one document, whether the target is mentioned, and whether a threat of force is."""
    works = _analyse(target, doc_id, text, title, publisher, rules_only)
    if not rules_only:
        _decide(works, model or default_model())
    return _finish(works)


def extract(docs: pl.DataFrame, target: str = "KZ", *, gate: bool | None = None,
            model: ExtractionModel | None = None, rules_only: bool = False) -> Extraction:
    """Extract signals from ``docs`` (columns doc_id, text, title, url, outlet, published_at, language).

    ``gate``: ask ``indicators.gate`` first, for the whole column at once, which documents can refer
    to the target at all; only those go through ``extract_one``, the others get their document row
    (language, date, no signals) without any per-document matching. The output is the same with
    and without it. ``None`` (default) gates frames of 256 documents or more (building the gate
    costs a fraction of a second once per process); ``True``/``False`` force it on or off.
    """
    tgt = load_target(target)
    all_sigs: list[dict] = []
    n = docs.height
    gated = gate if gate is not None else n >= 256
    if gated:
        from .gate import candidate_mask, document_languages
        mask = candidate_mask(tgt, docs)
    else:
        mask = pl.Series("gate", [True] * n, dtype=pl.Boolean)
    ids, pubs, langs = _col(docs, "doc_id"), _col(docs, "published_at"), _col(docs, "language")
    dates = [doc_meta.parse_published_at(p) for p in pubs]
    sources = ["metadata" if d else None for d in dates]
    mentioned_col = [False] * n
    tension_col = [0] * n
    count_col = [0] * n
    lang_col = list(langs)
    sel = mask.arg_true().to_list()
    # documents the gate drops: only a missing language or date needs their text (cheap detectors)
    cols = {c: c in docs.columns for c in ("text", "title", "url", "outlet")}
    keep = set(sel)
    need = [i for i in range(n) if i not in keep and (not langs[i] or dates[i] is None)]
    if need:
        idx = pl.Series(need, dtype=pl.UInt32)
        n_texts = docs["text"].gather(idx).to_list() if cols["text"] else [None] * len(need)
        n_titles = docs["title"].gather(idx).to_list() if cols["title"] else [None] * len(need)
        for i, text, title in zip(need, n_texts, n_titles, strict=True):
            if dates[i] is None:
                dates[i] = doc_meta.find_date(text or "", title)
                sources[i] = "text" if dates[i] else None
        no_lang = [k for k, i in enumerate(need) if not langs[i]]
        for k, lang in zip(no_lang, document_languages([n_texts[k] for k in no_lang],
                                                        [n_titles[k] for k in no_lang]), strict=True):
            lang_col[need[k]] = lang
    # documents that may refer to the target: the full per-document path, the model called once for all of them
    if sel:
        idx = pl.Series(sel, dtype=pl.UInt32)
        g = {c: docs[c].gather(idx).to_list() if cols[c] else [None] * len(sel) for c in cols}
        works = [_analyse(tgt, ids[i], g["text"][k] or "", g["title"][k], resolve_publisher(g["outlet"][k], g["url"][k]),
                          rules_only) for k, i in enumerate(sel)]
        if not rules_only:
            _decide([w for ws in works for w in ws], model or default_model())
        for k, i in enumerate(sel):
            sigs, mentioned, force = _finish(works[k])
            all_sigs.extend(sigs)
            if dates[i] is None:
                dates[i] = doc_meta.find_date(g["text"][k] or "", g["title"][k])
                sources[i] = "text" if dates[i] else None
            mentioned_col[i] = mentioned
            tension_col[i] = _tension(sigs, force) if mentioned else 0
            count_col[i] = len(sigs)
        # missing languages: batched script counts with the gate, the per-document detector without
        no_lang = [k for k, i in enumerate(sel) if not langs[i]]
        if gated:
            found = document_languages([g["text"][k] or "" for k in no_lang], [g["title"][k] for k in no_lang])
        else:
            found = [doc_meta.detect_language(g["text"][k] or (g["title"][k] or "")) for k in no_lang]
        for k, lang in zip(no_lang, found, strict=True):
            lang_col[sel[k]] = lang
    signals = pl.DataFrame([{k: s.get(k) for k in SIGNAL_SCHEMA} for s in all_sigs], schema=SIGNAL_SCHEMA,
                           orient="row") if all_sigs else pl.DataFrame(schema=SIGNAL_SCHEMA)
    cols = {"doc_id": ids, "language": lang_col, "published_date": dates, "date_source": sources,
            "target_mentioned": mentioned_col, "tension_rating": tension_col, "signal_count": count_col}
    # in the schema's column order: polars matches a dict to a schema by position
    documents = (pl.DataFrame({k: cols[k] for k in DOCUMENT_SCHEMA}, schema=DOCUMENT_SCHEMA) if n
                 else pl.DataFrame(schema=DOCUMENT_SCHEMA))
    return Extraction(signals=signals, documents=documents)

