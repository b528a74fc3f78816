"""Scoring extraction output against gold annotations, by the rules of ``shared/tools/score_extraction.py``.

The project scorer is the reference (and a test checks that both agree); this restatement lets training,
cross-validation and the ablation score predictions in-process, per kind and per language:
- a predicted signal of a kind matches a gold item of that kind when their character spans overlap;
- accusations count only against persons (gold ``accused_type`` person, predicted ``target.type`` person) and
  also need the accused's surname to agree (transliteration-insensitive skeleton of the last capitalised word);
- predictions overlapping a ``borderline`` sentence are ignored; signals without a span (title only) are ignored.
"""

from __future__ import annotations

import math
import unicodedata

KIND_KEYS = {"hostile_mentions": "hostile_mention", "accusations": "accusation", "denials": "denial",
             "threats": "threat"}
KINDS = tuple(KIND_KEYS.values())
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                 "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def skeleton(name: str) -> str:
    s = unicodedata.normalize("NFKD", (name or "").lower())
    s = "".join(_CYR.get(c, c) for c in s if not unicodedata.combining(c))
    s = "".join(c for c in s if "a" <= c <= "z")
    return s[:1] + "".join(c for c in s[1:] if c not in "aeiouy")


def surname_keys(name: str | None) -> set[str]:
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isupper()]
    return {skeleton(w)[:4] for w in words[-1:] if len(skeleton(w)) >= 3}


def _sentence(item) -> str:
    return item["sentence"] if isinstance(item, dict) else item


def _span(text: str, item) -> tuple[int, int] | None:
    s = _sentence(item)
    i = text.find(s)
    return (i, i + len(s)) if i >= 0 else None


def gold_items(g: dict) -> dict[str, list[tuple[tuple[int, int], set[str]]]]:
    """kind -> [(span, accused surname keys)] of one gold document (person accusations only)."""
    out: dict[str, list] = {k: [] for k in KINDS}
    for key, kind in KIND_KEYS.items():
        for it in g.get(key, []):
            if kind == "accusation" and isinstance(it, dict) and it.get("accused_type", "person") != "person":
                continue
            sp = _span(g["text"], it)
            if sp is not None:
                out[kind].append((sp, surname_keys(it.get("accused")) if kind == "accusation" else set()))
    return out


def borderline_spans(g: dict) -> list[tuple[int, int]]:
    return [sp for sp in (_span(g["text"], b) for b in g.get("borderline", [])) if sp is not None]


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    if len(xs) < 3:
        return float("nan")
    a, b = ranks(xs), ranks(ys)
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in a))
    vb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return cov / (va * vb) if va and vb else float("nan")


def doc_language(g: dict) -> str:
    """The language a gold document is written in: its ``language`` field, else its script."""
    lang = g.get("true_language") or g.get("language")
    if lang:
        return lang
    letters = [c for c in g.get("text", "") if c.isalpha()]
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return "ru" if letters and cyr / len(letters) > 0.3 else "en"


def score(gold: list[dict], signals: dict[str, list[dict]], ratings: dict[str, int] | None = None,
          language: str | None = None, kinds=KINDS) -> dict:
    """Per-kind and micro precision/recall/F1 of contract-shaped ``signals`` (doc_id -> records) against ``gold``
    documents; ``language`` keeps only the gold documents written in that language (``doc_language``)."""
    tot = {k: [0, 0, 0, 0] for k in kinds}  # tp_gold, gold, tp_pred, pred
    rated = []
    for g in gold:
        if language and doc_language(g) != language:
            continue
        items = gold_items(g)
        border = borderline_spans(g)
        preds = [s for s in signals.get(g["id"], []) if s.get("char_start") is not None]
        for kind in kinds:
            gi = items[kind]
            ps = [p for p in preds if p["kind"] == kind]
            if kind == "accusation":
                ps = [p for p in ps if (p.get("target") or {}).get("type") == "person"]

            def match(p, it, kind=kind):
                (ga, gb), keys = it
                if not (p["char_start"] < gb and ga < p["char_end"]):
                    return False
                return kind != "accusation" or bool(surname_keys((p.get("target") or {}).get("name")) & keys)

            t = tot[kind]
            t[1] += len(gi)
            t[0] += sum(1 for it in gi if any(match(p, it) for p in ps))
            for p in ps:
                if any(match(p, it) for it in gi):
                    t[2] += 1
                    t[3] += 1
                elif not any(p["char_start"] < b and a < p["char_end"] for a, b in border):
                    t[3] += 1
        if ratings is not None and "tension_rating" in g and g["id"] in ratings:
            rated.append((g["tension_rating"], ratings[g["id"]]))
    out: dict = {}
    all_ = [sum(v[i] for v in tot.values()) for i in range(4)]
    for kind, (tg, n_gold, tp, n_pred) in list(tot.items()) + [("all", all_)]:
        rec = tg / n_gold if n_gold else float("nan")
        prec = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
        f1 = 2 * prec * rec / (prec + rec) if n_gold and prec + rec else 0.0
        out[kind] = {"precision": round(prec, 3), "recall": None if not n_gold else round(rec, 3),
                     "f1": round(f1, 3), "gold": n_gold, "predicted": n_pred}
    if ratings is not None:
        out["spearman"] = round(spearman([a for a, _ in rated], [b for _, b in rated]), 3) if rated else None
    return out
