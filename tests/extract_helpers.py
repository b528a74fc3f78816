"""Running the extractor on one short hand-written document, for the indicator tests."""

import polars as pl

from indicators.extract import extract

COLS = ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]


def run(text, target="KZ", rules_only=False, **kw):
    """extract() on one document; keyword arguments set its other input fields (title, outlet, ...);
    ``rules_only`` runs the rule engine alone (the attribution the learned stage takes over)."""
    row = {c: None for c in COLS} | {"doc_id": "d", "text": text} | kw
    return extract(pl.DataFrame([row], schema={c: pl.Utf8 for c in COLS}), target, rules_only=rules_only)


def kinds_of(ex, needle):
    """Kinds of the signals whose sentence contains ``needle``."""
    return {s["kind"] for s in ex.signals.to_dicts() if needle in (s["sentence"] or "")}
