"""The ablation: rules only, classifier only, both — per kind and per language, on every evaluation set.

    python -m indicators.ablation [--sets gold/blind.jsonl gold/heldout3.jsonl ...] [--json training/ablation.json]

- rules only: the rule engine's own signals (``extract(..., rules_only=True)``);
- classifier only: the learned stages trained on the same corpus without any feature the rules contribute;
- both: the shipped model (``indicators/model/extraction_model.zip``), rules as features.
An evaluation set that is part of the training data (the sample corpus, held-out 1 and 2) is scored by both
learned variants retrained without it, so that no row scores a model on the documents it learned from.
Evaluation sets go through the real ``extract()`` and are scored by ``indicators.scoring`` (the project scorer's
rules); the cross-validation rows are grouped by document over the training corpus (out-of-fold predictions).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from . import gold as goldfile
from .contract import document_records, signal_records
from .extract import extract
from .model import KINDS, default_model
from .scoring import score
from .train import (
    DEFAULT_DATA,
    REPO,
    build_examples,
    corpus_files,
    cross_validate,
    decide,
    fit_model,
    rule_records,
)

SHARED_DEV = REPO.parent / "shared" / "gold" / "seeds.jsonl"
DEFAULT_SETS = [REPO / "gold" / "blind.jsonl", REPO / "gold" / "heldout.jsonl", REPO / "gold" / "heldout2.jsonl",
                REPO / "gold" / "heldout3.jsonl", REPO / "gold" / "short.jsonl", REPO / "gold" / "sample_corpus.jsonl",
                SHARED_DEV]
COLS = ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]


def load_gold(path: Path) -> list[dict]:
    docs = goldfile.load(path)
    for g in docs:
        if "text" not in g and g.get("doc"):
            g["text"] = (path.parent.parent / "corpus" / "seeds" / g["doc"]).read_text(encoding="utf-8")
    return [g for g in docs if not g.get("exclude_from_scoring")]


def run_set(gold: list[dict], **kw) -> tuple[dict[str, list[dict]], dict[str, int]]:
    frame = pl.DataFrame([{"doc_id": g["id"], **{c: g.get(c) for c in COLS[1:]}} for g in gold],
                         schema={c: pl.Utf8 for c in COLS})
    ex = extract(frame, "KZ", **kw)
    sigs: dict[str, list[dict]] = {}
    for r in signal_records(ex.signals):
        sigs.setdefault(r["doc_id"], []).append(r)
    ratings = {r["doc_id"]: r["tension_rating"] for r in document_records(ex.documents)}
    return sigs, ratings


def _row(res_all: dict, res_en: dict, res_ru: dict) -> dict:
    out = {k: res_all[k]["f1"] for k in (*KINDS, "all")}
    out.update(precision=res_all["all"]["precision"], recall=res_all["all"]["recall"],
               en=res_en["all"]["f1"], ru=res_ru["all"]["f1"], spearman=res_all.get("spearman"),
               gold=res_all["all"]["gold"])
    return out


def ablate(sets: list[Path], data: Path = DEFAULT_DATA) -> dict:
    files = corpus_files(data)
    by_file = {p.resolve(): build_examples([p], progress=False) for p in files}
    docs = [d for p in files for d in by_file[p.resolve()]]
    print(f"training the classifier-only variant on {len(docs)} documents ...", file=sys.stderr)
    text_model, text_cv = fit_model(docs, text_only=True)
    shipped = default_model()
    oof, _, _ = cross_validate(docs)
    both_cv = [decide(d, P, Q, shipped.thresholds, shipped.accused_threshold, shipped.accused_more) for d, (P, Q) in
               zip(docs, oof, strict=True)]
    rules_cv = [rule_records(d) for d in docs]
    table: dict = {}
    gd = [d.doc for d in docs]
    for name, preds in (("rules only", rules_cv), ("classifier only", text_cv), ("both", both_cv)):
        by_doc = {d.doc_id: p for d, p in zip(docs, preds, strict=True)}
        table.setdefault("cross-validation (training corpus)", {})[name] = _row(
            score(gd, by_doc), score(gd, by_doc, language="en"), score(gd, by_doc, language="ru"))
    for path in sets:
        if not path.exists():
            print(f"skipped {path}: not found", file=sys.stderr)
            continue
        gold = load_gold(path)
        models = (text_model, shipped)
        label = path.name
        if path.resolve() in by_file:
            # a set the shipped model was trained on is scored by models trained without it
            rest = [d for p in files if p.resolve() != path.resolve() for d in by_file[p.resolve()]]
            print(f"training both variants without {path.name} ...", file=sys.stderr)
            models = (fit_model(rest, text_only=True)[0], fit_model(rest)[0])
            label = f"{path.name} (models trained without it)"
        for name, kw in (("rules only", {"rules_only": True}), ("classifier only", {"model": models[0]}),
                         ("both", {"model": models[1]})):
            sigs, ratings = run_set(gold, **kw)
            table.setdefault(label, {})[name] = _row(score(gold, sigs, ratings), score(gold, sigs, language="en"),
                                                      score(gold, sigs, language="ru"))
    return table


def markdown(table: dict) -> str:
    head = ("| set | variant | micro F1 | P | R | hostile | accusation | denial | threat | EN | RU | Spearman |\n"
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [head]

    def f(x):
        return "–" if x is None else f"{x:.2f}"
    for set_name, rows in table.items():
        for variant, r in rows.items():
            lines.append(f"| {set_name} | {variant} | {f(r['all'])} | {f(r['precision'])} | {f(r['recall'])} | "
                         f"{f(r['hostile_mention'])} | {f(r['accusation'])} | {f(r['denial'])} | {f(r['threat'])} | "
                         f"{f(r['en'])} | {f(r['ru'])} | {f(r.get('spearman'))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m indicators.ablation", description=__doc__.split("\n")[0])
    ap.add_argument("--sets", type=Path, nargs="*", default=DEFAULT_SETS)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=None, help="also write the table as JSON")
    args = ap.parse_args(argv)
    table = ablate(args.sets, args.data)
    if args.json:
        args.json.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
