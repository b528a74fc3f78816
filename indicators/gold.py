"""Gold files: annotated documents in the format of ``docs/annotation.md``, read and checked.

``load(path)`` returns the documents of one gold file; ``check(docs)`` lists what is wrong with them (a sentence
that is not in its text, a threat that is not also a hostile mention, an accusation without its accused, ...).
``python -m indicators.gold FILE...`` checks files and prints their size; it exits 1 on an error.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from .text import sentence_spans

KINDS = {"hostile_mentions": "hostile_mention", "accusations": "accusation", "denials": "denial",
         "threats": "threat"}
LISTS = (*KINDS, "non_target_hostility", "borderline")
SIDES = {"ru", "kz", "other", "unknown"}


def load(path: str | Path) -> list[dict]:
    docs = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            g = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
        g.setdefault("id", g.get("doc"))
        g["_line"] = n
        docs.append(g)
    return docs


def sentence_of(item) -> str:
    return item["sentence"] if isinstance(item, dict) else item


def check(docs: list[dict], where: str = "") -> tuple[list[str], list[str]]:
    """(errors, warnings) of a list of gold documents."""
    errors: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for g in docs:
        at = f"{where}:{g.get('_line', '?')} {g.get('id')}"
        text = g.get("text")
        if not isinstance(g.get("id"), str) or not g["id"]:
            errors.append(f"{at}: no id")
        elif g["id"] in seen:
            errors.append(f"{at}: duplicate id")
        seen.add(g.get("id"))
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{at}: no text")
            continue
        if g.get("language") not in ("en", "ru", None):
            errors.append(f"{at}: language must be en, ru or null (null: the extractor must detect it)")
        if g.get("tension_rating") not in (0, 1, 2, 3):
            errors.append(f"{at}: tension_rating must be 0..3")
        spans = sentence_spans(text)
        for key in LISTS:
            items = g.get(key, [])
            if not isinstance(items, list):
                errors.append(f"{at}: {key} must be a list")
                continue
            for it in items:
                s = sentence_of(it) if isinstance(it, (dict, str)) else None
                if not isinstance(s, str) or not s.strip():
                    errors.append(f"{at}: {key} item without a sentence")
                    continue
                i = text.find(s)
                if i < 0:
                    errors.append(f"{at}: {key} sentence not in text: {s[:70]!r}")
                    continue
                if "\n" in s.strip():
                    errors.append(f"{at}: {key} sentence spans a line break: {s[:70]!r}")
                inside = [(a, b) for a, b in spans if a < i + len(s) and i < b]
                if len(inside) > 1:
                    warnings.append(f"{at}: {key} sentence covers {len(inside)} sentences of the splitter: {s[:60]!r}")
                if not isinstance(it, dict):
                    continue
                if key == "accusations":
                    if not it.get("accused"):
                        errors.append(f"{at}: accusation without accused: {s[:60]!r}")
                    if it.get("accused_type", "person") not in ("person", "country", "organization"):
                        errors.append(f"{at}: accused_type must be person, country or organization")
                if key == "denials" and not (it.get("denier") or it.get("speaker")):
                    errors.append(f"{at}: denial without denier: {s[:60]!r}")
                if key in ("hostile_mentions", "threats", "non_target_hostility") and not it.get("speaker"):
                    warnings.append(f"{at}: {key} item without speaker: {s[:60]!r}")
                for side_key in ("speaker_side", "accuser_side", "denier_side"):
                    if side_key in it and it[side_key] not in SIDES:
                        errors.append(f"{at}: {side_key} must be one of {sorted(SIDES)}")
        hostile = {sentence_of(x) for x in g.get("hostile_mentions", [])}
        for t in g.get("threats", []):
            if sentence_of(t) not in hostile:
                errors.append(f"{at}: threat not also a hostile mention: {sentence_of(t)[:60]!r}")
    return errors, warnings


def summary(docs: list[dict]) -> dict:
    langs = Counter(g.get("language") for g in docs)
    kinds = Counter()
    sentences = Counter()
    for g in docs:
        sentences[g.get("language")] += len(sentence_spans(g.get("text") or ""))
        for key in KINDS:
            kinds[key] += len(g.get(key, []))
    return {"documents": len(docs), "languages": dict(langs), "sentences": dict(sentences), "items": dict(kinds)}


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    bad = 0
    everything: list[dict] = []
    for path in argv:
        try:
            docs = load(path)
        except (OSError, ValueError) as e:
            print(f"error: {e}")
            bad += 1
            continue
        errors, warnings = check(docs, path)
        for w in warnings:
            print(f"warning: {w}")
        for e in errors:
            print(f"error: {e}")
        bad += len(errors)
        everything.extend(docs)
        print(f"{path}: {json.dumps(summary(docs), ensure_ascii=False)}")
    ids = Counter(g.get("id") for g in everything)
    for i, n in ids.items():
        if n > 1 and len(argv) > 1:
            print(f"error: id {i} appears {n} times across the files")
            bad += 1
    print(f"{'FAILED' if bad else 'ok'}: {bad} error(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
