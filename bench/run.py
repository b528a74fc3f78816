"""Extraction throughput on one core, end to end from Parquet, beside two references.

    make bench                                   # 200 MB corpus (BENCH_MB), writes bench_results/extraction.*
    BENCH_MB=20 .venv/bin/python -m bench.run    # quick run

Measured in one process pinned to one CPU (sched_setaffinity) with polars/rayon limited to one
thread; wall time with ``time.perf_counter``; each step is run BENCH_RUNS times (default 3) and
the best run is reported. Throughput is MB (10^6 bytes) of UTF-8 ``text`` per second.

1. floor: ``pl.read_parquet`` of the text column plus one pass over every byte, two ways:
   (a) ``sum(len(t.encode()) for t in texts)`` over the Python strings (what any per-document
   Python code pays at least: every text converted to ``str`` and touched), and (b) at C speed,
   ``zlib.crc32`` over the Arrow buffers of the column (no Python objects per document);
2. spaCy: ``spacy.blank("xx")`` tokenizer + one ``PhraseMatcher(attr="LOWER")`` over all lexicon
   patterns (stems without their "*"), target and adversary aliases, people aliases with their
   generated Russian case forms, outlet, group and other-country names; end to end from a
   Parquet file holding a subsample of the corpus (BENCH_SPACY_MB, default 10 MB: it is slow, and
   throughput is per MB anyway);
3. georisk: ``indicators.extract.extract(pl.read_parquet(corpus))``, the full extraction
   (gate, matching, the learned sentence stage, attribution, document rows);
4. georisk CLI: ``georisk extract corpus.jsonl --out DIR`` as a subprocess on the same core, end to end (process
   start, imports, model loading, reading the JSON Lines, extraction, writing the output), on the corpus written
   as JSON Lines *without* ``published_at`` and ``language`` (so that every date and language is worked out from
   the text, as for an analyst's own files); and, to separate the fixed costs, the same frame in-process.

Setup that happens once per process (building the automaton, the gate regex, the spaCy matcher)
is done before timing and reported separately. Unless BENCH_CHECK=0, the run also checks on a
subsample that the gate leaves the output unchanged, and (BENCH_PROFILE=1, default) writes a
cProfile of one georisk run.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("RAYON_NUM_THREADS", "1")
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import cProfile  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402

from bench.generate import DEFAULT_SEED, MB, RESULTS_DIR, corpus_path, env_mb  # noqa: E402
from bench.proc import cpu_model, status_kb  # noqa: E402

TARGET = os.environ.get("BENCH_TARGET", "KZ")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def _pin_one_core() -> int | None:
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
        return cpus[-1]
    except (AttributeError, OSError):
        return None


def _best(fn, runs: int = RUNS):
    """(best wall time, result of the last run)."""
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


# ---------------------------------------------------------------------------------------------
# 1. floor
# ---------------------------------------------------------------------------------------------


def floor_python(path: Path) -> int:
    texts = pl.read_parquet(path, columns=["text"])["text"].to_list()
    return sum(len(t.encode()) for t in texts if t)


def floor_c(path: Path) -> int:
    arr = pl.read_parquet(path, columns=["text"])["text"].to_arrow()
    crc, n = 0, 0
    for chunk in getattr(arr, "chunks", [arr]):
        for buf in chunk.buffers():
            if buf is not None:
                crc = zlib.crc32(memoryview(buf), crc)
                n += buf.size
    return n


# ---------------------------------------------------------------------------------------------
# 2. spaCy PhraseMatcher reference
# ---------------------------------------------------------------------------------------------


def spacy_patterns(target: str) -> list[str]:
    """The literals georisk matches, as a typical NLP pipeline would list them (original spelling)."""
    import yaml

    from indicators.reference import REFERENCE_DIR, _is_cyr, load_target, russian_forms

    t = load_target(target)
    cfg = yaml.safe_load((REFERENCE_DIR / "targets" / f"{target.lower()}.yaml").read_text(encoding="utf-8"))
    out: set[str] = set()

    def add(p: str):
        p = p.replace("*", "").strip()
        if p:
            out.add(p)

    for e in t.entries:
        for p in [*e.patterns, *e.with_, *e.exclude]:
            add(p)
    for names in (cfg.get("aliases") or {}).values():
        for a in names:
            add(a)
    for a in (cfg.get("adversary") or {}).get("aliases", []) or []:
        add(a)
    for p in t.people:
        for a in p["aliases_list"]:
            for form in (russian_forms(a) if _is_cyr(a) else {a}):
                add(form)
    for o in t.outlets:
        for a in o["aliases_list"]:
            add(a)
    for g in t.groups:
        for a in g.get("patterns", []):
            add(a)
    for names in t.other_countries.values():
        for a in names:
            add(a)
    return sorted(out)


class SpacyReference:
    def __init__(self, target: str):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("xx")
        self.patterns = spacy_patterns(target)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.matcher.add("GEORISK", list(self.nlp.tokenizer.pipe(self.patterns)))

    def run(self, path: Path) -> dict:
        texts = pl.read_parquet(path, columns=["text"])["text"].to_list()
        n_matches = n_docs = 0
        for doc in self.nlp.pipe((t or "" for t in texts), batch_size=256):
            m = self.matcher(doc)
            n_matches += len(m)
            n_docs += bool(m)
        return {"matches": n_matches, "docs_with_matches": n_docs}


# ---------------------------------------------------------------------------------------------
# 3. georisk
# ---------------------------------------------------------------------------------------------


def georisk_run(path: Path):
    from indicators.extract import extract

    return extract(pl.read_parquet(path), TARGET)


def check_gate(df: pl.DataFrame, n_plain: int = 1500) -> dict:
    """extract() with and without the gate on the gated documents plus a slice of the others."""
    from polars.testing import assert_frame_equal

    from indicators.extract import extract
    from indicators.gate import candidate_mask
    from indicators.reference import load_target

    mask = candidate_mask(load_target(TARGET), df)
    sub = pl.concat([df.filter(mask), df.filter(~mask).head(n_plain)])
    a, b = extract(sub, TARGET, gate=True), extract(sub, TARGET, gate=False)
    ok = True
    try:
        assert_frame_equal(a.signals, b.signals)
        assert_frame_equal(a.documents, b.documents)
    except AssertionError:
        ok = False
    return {"docs": sub.height, "gated_docs": int(mask.sum()), "identical": ok}


def cli_corpus(df: pl.DataFrame) -> Path:
    """The corpus as contract JSON Lines without dates and languages (written once per corpus)."""
    out = RESULTS_DIR / "corpus_nodates.jsonl"
    stamp = RESULTS_DIR / "corpus_nodates.stamp"
    key = f"{df.height}:{int(df['text'].str.len_bytes().sum())}"
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return out
    with open(out, "w", encoding="utf-8") as f:
        for r in df.iter_rows(named=True):
            f.write(json.dumps({"id": r["doc_id"], "text": r["text"], "title": r["title"], "url": r["url"],
                                "outlet": r["outlet"], "published_at": None, "language": None},
                               ensure_ascii=False) + "\n")
    stamp.write_text(key)
    return out


def cli_run(jsonl: Path) -> tuple[float, int]:
    """Wall time of `georisk extract` on ``jsonl`` in a child process (it inherits the pinned core), and its peak
    resident memory in MB: its VmHWM, read while it runs. (The kernel's ru_maxrss of a child started by vfork and
    exec is at least the parent's own peak: it reported this 1.7 GB process's.)"""
    import subprocess
    import tempfile

    exe = Path(sys.executable).parent / "georisk"
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as errors:
        t0 = time.perf_counter()
        # its messages to a file, not a pipe: a pipe nobody reads while this loop polls would fill and stop it
        proc = subprocess.Popen([str(exe), "extract", str(jsonl), "--out", tmp],
                                stdout=subprocess.DEVNULL, stderr=errors)
        peak_kb = 0
        try:
            while True:
                peak_kb = max(peak_kb, status_kb(proc.pid, "VmHWM"))
                try:
                    proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if proc.poll() is None:  # interrupted: the child goes too
                proc.kill()
                proc.wait()
        seconds = time.perf_counter() - t0
        errors.seek(0)
        err = errors.read().decode(errors="replace").strip()
        if proc.returncode:
            raise SystemExit(f"georisk extract failed: {err.splitlines()[-1] if err else proc.returncode}")
        return seconds, round(peak_kb / 1024)


def profile_georisk(path: Path, top: int = 18) -> str:
    prof = cProfile.Profile()
    prof.enable()
    georisk_run(path)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(top)
    lines = [ln for ln in s.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join(ln.replace(str(Path.cwd()) + "/", "") for ln in lines[start:])


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def main() -> dict:
    core = _pin_one_core()
    load_before = os.getloadavg()
    mb_req = env_mb()
    spacy_mb = float(os.environ.get("BENCH_SPACY_MB", "10"))
    t0 = time.perf_counter()
    path = corpus_path(mb_req, DEFAULT_SEED)
    meta = json.loads((path.parent / "corpus.json").read_text())
    gen_s = time.perf_counter() - t0
    df = pl.read_parquet(path)
    text_bytes = int(df["text"].str.len_bytes().sum())
    mb = text_bytes / MB
    langs = dict(Counter(df["language"].to_list()))
    print(f"corpus: {path} ({df.height} docs, {mb:.1f} MB text, languages {langs}; ready in {gen_s:.1f}s)",
          flush=True)

    # one-time setup, not timed as throughput
    from indicators.extract import extract
    from indicators.gate import candidate_mask, gate_keys
    from indicators.reference import load_target

    t0 = time.perf_counter()
    tgt = load_target(TARGET)
    candidate_mask(tgt, df.head(1))
    extract(df.head(300), TARGET)
    setup_georisk = time.perf_counter() - t0

    # 1. floor
    floor_py_s, n1 = _best(lambda: floor_python(path))
    floor_c_s, n2 = _best(lambda: floor_c(path))
    assert n1 == text_bytes, (n1, text_bytes)
    print(f"floor: python {mb / floor_py_s:.0f} MB/s, C {mb / floor_c_s:.0f} MB/s", flush=True)

    # 2. spaCy on a subsample
    sub_n = df.height
    if spacy_mb < mb:
        cum = df["text"].str.len_bytes().cum_sum()
        sub_n = int((cum <= spacy_mb * MB).sum()) or 1
    sub = df.head(sub_n)
    sub_path = RESULTS_DIR / "spacy_subsample.parquet"
    sub.write_parquet(sub_path, compression="zstd", row_group_size=8192)
    sub_mb = int(sub["text"].str.len_bytes().sum()) / MB
    t0 = time.perf_counter()
    ref = SpacyReference(TARGET)
    setup_spacy = time.perf_counter() - t0
    spacy_s, spacy_out = _best(lambda: ref.run(sub_path))
    print(f"spaCy: {sub_mb / spacy_s:.1f} MB/s on {sub_mb:.1f} MB ({len(ref.patterns)} patterns)", flush=True)

    # 3. georisk, plus its gate alone
    gate_s, mask = _best(lambda: candidate_mask(tgt, pl.read_parquet(path)))
    geo_s, ex = _best(lambda: georisk_run(path))
    print(f"georisk: {mb / geo_s:.1f} MB/s", flush=True)
    gated = int(mask.sum())
    target_mb = int(df.filter(mask)["text"].str.len_bytes().sum()) / MB
    path_s, _ = _best(lambda: extract(df.filter(mask), TARGET, gate=False))

    # 4. the CLI path: JSON Lines without dates or languages, in a child process, then the same frame in-process
    jsonl = cli_corpus(df)
    cli_runs = [cli_run(jsonl) for _ in range(RUNS)]
    cli_s, cli_peak_mb = min(t for t, _ in cli_runs), max(m for _, m in cli_runs)
    nodates = df.with_columns(pl.lit(None, pl.Utf8).alias("published_at"), pl.lit(None, pl.Utf8).alias("language"))
    nodates_s, _ = _best(lambda: extract(nodates, TARGET))
    print(f"georisk CLI: {mb / cli_s:.1f} MB/s (in-process on the same frame: {mb / nodates_s:.1f} MB/s)", flush=True)

    check = check_gate(df) if os.environ.get("BENCH_CHECK", "1") != "0" else None
    profile = profile_georisk(path) if os.environ.get("BENCH_PROFILE", "1") != "0" else None

    load_after = os.getloadavg()
    kinds = dict(Counter(ex.signals["kind"].to_list()))
    docs_out = ex.documents
    fk, exact = gate_keys(tgt)
    res = {
        "command": " ".join([f"BENCH_MB={mb_req:g}", f"BENCH_RUNS={RUNS}", "python -m bench.run"]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "pinned_cpu": core,
                    "python": platform.python_version(), "polars": pl.__version__,
                    "spacy": __import__("spacy").__version__, "platform": platform.platform(),
                    "loadavg_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)]},
        "corpus": {"path": str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path),
                   "seed": meta["seed"], "requested_mb": mb_req, "docs": df.height, "text_mb": round(mb, 2),
                   "languages": {str(k): v for k, v in langs.items()}, "sha256": meta.get("sha256")},
        "runs": RUNS,
        # the in-process figure is the whole bench process's (corpus, spaCy reference and extraction together);
        # the CLI's is the largest `georisk extract` child's
        "peak_mb": {"bench_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                    "georisk_cli": cli_peak_mb},
        "throughput_mb_s": {
            "floor_python": round(mb / floor_py_s, 1), "floor_c": round(mb / floor_c_s, 1),
            "spacy_phrasematcher": round(sub_mb / spacy_s, 2), "georisk": round(mb / geo_s, 2),
            "georisk_cli": round(mb / cli_s, 2), "georisk_nodates_in_process": round(mb / nodates_s, 2),
        },
        "seconds": {"floor_python": round(floor_py_s, 4), "floor_c": round(floor_c_s, 4),
                    "spacy": round(spacy_s, 4), "georisk": round(geo_s, 4), "georisk_cli": round(cli_s, 4),
                    "georisk_nodates_in_process": round(nodates_s, 4),
                    "georisk_gate_incl_read": round(gate_s, 4),
                    "georisk_gated_docs_path": round(path_s, 4),
                    "setup_georisk": round(setup_georisk, 3), "setup_spacy": round(setup_spacy, 3)},
        "ratios": {"georisk_over_spacy": round((mb / geo_s) / (sub_mb / spacy_s), 1),
                   "georisk_cli_over_spacy": round((mb / cli_s) / (sub_mb / spacy_s), 1),
                   "floor_python_over_georisk": round((mb / floor_py_s) / (mb / geo_s), 1),
                   "floor_c_over_georisk": round((mb / floor_c_s) / (mb / geo_s), 1)},
        "spacy": {"subsample_docs": sub_n, "subsample_mb": round(sub_mb, 2), "patterns": len(ref.patterns),
                  **spacy_out},
        "georisk": {"target": TARGET, "signals": ex.signals.height, "signals_by_kind": kinds,
                    "docs_target_mentioned": int(docs_out["target_mentioned"].sum()),
                    "tension": {str(k): v for k, v in sorted(Counter(docs_out["tension_rating"].to_list()).items())},
                    "gate_keys": len(fk) + len(exact), "gated_docs": gated, "gated_mb": round(target_mb, 2),
                    "gate_check": check},
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "extraction.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    md = render(res, profile)
    (RESULTS_DIR / "extraction.md").write_text(md)
    print()
    print(md)
    return res


def render(r: dict, profile: str | None) -> str:
    t, s, c, g = r["throughput_mb_s"], r["seconds"], r["corpus"], r["georisk"]
    m = r["machine"]
    lines = [
        "# georisk extraction benchmark", "",
        f"{r['date']} · {m['cpu']} · 1 core (pinned to CPU {m['pinned_cpu']}, {m['logical_cpus']} logical) · "
        f"Python {m['python']}, polars {m['polars']}, spaCy {m['spacy']} · load average (1 min) before/after "
        f"{m['loadavg_1min_before_after']} (other processes share the machine: compare steps within one run)", "",
        f"Corpus: {c['docs']} documents, {c['text_mb']} MB of UTF-8 text (seed {c['seed']}, "
        f"languages {c['languages']}), `{c['path']}`. Best of {r['runs']} runs; MB = 10^6 bytes of `text`.", "",
        "| step | MB/s | seconds | notes |", "| --- | ---: | ---: | --- |",
        f"| floor: read_parquet + `sum(len(t.encode()))` over Python str | {t['floor_python']:.0f} | "
        f"{s['floor_python']:.3f} | every text converted to str and touched |",
        f"| floor: read_parquet + zlib.crc32 over the Arrow buffers | {t['floor_c']:.0f} | {s['floor_c']:.3f} | "
        "one C pass, no Python objects |",
        f"| spaCy blank('xx') + PhraseMatcher(LOWER) | {t['spacy_phrasematcher']:.1f} | {s['spacy']:.3f} | "
        f"{r['spacy']['patterns']} patterns, subsample {r['spacy']['subsample_mb']} MB "
        f"({r['spacy']['subsample_docs']} docs), {r['spacy']['matches']} raw matches in "
        f"{r['spacy']['docs_with_matches']} docs |",
        f"| **georisk extract()** | **{t['georisk']:.1f}** | {s['georisk']:.3f} | {g['signals']} signals "
        f"{g['signals_by_kind']}, {g['docs_target_mentioned']} docs mention {g['target']} |",
        f"| **georisk extract (CLI)** on JSON Lines without dates or languages | **{t['georisk_cli']:.1f}** | "
        f"{s['georisk_cli']:.3f} | a child process, end to end: start, imports, model, read, extract, write |",
        f"| the same frame in-process (`extract()`, dates and languages from the text) | "
        f"{t['georisk_nodates_in_process']:.1f} | {s['georisk_nodates_in_process']:.3f} | |",
        "", "| ratio | value |", "| --- | ---: |",
        f"| georisk / spaCy | {r['ratios']['georisk_over_spacy']}× |",
        f"| georisk CLI / spaCy | {r['ratios']['georisk_cli_over_spacy']}× |",
        f"| floor (python) / georisk | {r['ratios']['floor_python_over_georisk']}× |",
        f"| floor (C) / georisk | {r['ratios']['floor_c_over_georisk']}× |",
        "", "georisk breakdown:", "",
        f"- gate (read_parquet + one regex over text and title, {g['gate_keys']} keys): {s['georisk_gate_incl_read']:.3f} s; "
        f"passes {g['gated_docs']} docs ({g['gated_mb']} MB)",
        f"- the per-document path over those docs alone (`extract(gated, gate=False)`): {s['georisk_gated_docs_path']:.3f} s",
        f"- one-time setup (automaton, gate regex): {s['setup_georisk']:.2f} s; spaCy matcher: {s['setup_spacy']:.2f} s",
        f"- document tension ratings: {g['tension']}",
    ]
    if g.get("gate_check"):
        gc = g["gate_check"]
        lines.append(f"- gate check: extract() with and without the gate on {gc['docs']} docs "
                     f"(all {gc['gated_docs']} gated + others): identical = {gc['identical']}")
    if profile:
        lines += ["", "cProfile of one georisk run (tottime):", "", "```", profile, "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
