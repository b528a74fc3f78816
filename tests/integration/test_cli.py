"""The command line as a user meets it: real subprocesses, real files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS, shared_or_skip

GEORISK = str(Path(sys.executable).parent / "georisk")


def run(*args, env=None, cwd=None):
    return subprocess.run([GEORISK, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_extract_follows_the_contract_and_reports_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "d1", "text": "Duma deputy Andrei Gurulyov said that Kazakhstan will be next after Ukraine.",
                    "published_at": "2024-04-06"}),
        "{broken",
        json.dumps({"id": "d2", "text": "Казахстан и Россия подписали соглашение о поставках зерна 5 марта 2024 года."}),
        json.dumps({"id": 3, "text": "wrong type"}),
    ]), encoding="utf-8")
    proc = run("extract", str(src), "--out", str(tmp_path / "o"))
    assert proc.returncode == 1
    assert "in.jsonl:2:" in proc.stderr and "in.jsonl:4:" in proc.stderr
    assert "Traceback" not in proc.stderr
    docs = [json.loads(x) for x in (tmp_path / "o" / "documents.jsonl").read_text().splitlines()]
    assert [d["doc_id"] for d in docs] == ["d1", "d2"]
    assert {"doc_id", "language", "published_at", "tension_rating", "target_mentioned"} <= set(docs[0])
    assert docs[1]["language"] == "ru" and docs[1]["published_at"] == "2024-03-05"
    text = json.loads(src.read_text().splitlines()[0])["text"]
    for s in (json.loads(x) for x in (tmp_path / "o" / "signals.jsonl").read_text().splitlines()):
        assert s["kind"] in {"hostile_mention", "accusation", "denial", "threat"}
        assert s["doc_id"] == "d1"
        assert text[s["char_start"]:s["char_end"]] == s["sentence"]
        assert 0 <= s["score"] <= 1


def test_missing_input_is_one_clear_line(tmp_path):
    proc = run("extract", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o"))
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith("error:") and len(proc.stderr.strip().splitlines()) == 1


def test_query_and_index_need_a_published_copy(tmp_path):
    env = {"GEORISK_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin"}
    proc = run("index", "--format", "json", env=env)
    assert proc.returncode == 2 and "georisk materialize" in proc.stderr


@pytest.mark.slow
def test_ingest_materialize_index_query_round_trip(tmp_path):
    env = {"GEORISK_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    ing = run("ingest", "--from", str(SAMPLE_CORPUS / "articles.jsonl"), env=env)
    assert ing.returncode == 0, ing.stderr
    assert "stored" in ing.stdout and "rejected 0" in ing.stdout
    again = run("ingest", "--from", str(SAMPLE_CORPUS / "articles.jsonl"), env=env)
    assert "stored 0" in again.stdout
    mat = run("materialize", env=env)
    assert mat.returncode == 0, mat.stderr
    idx = json.loads(run("index", "--format", "json", env=env).stdout)
    assert idx and {"date", "index", "level", "documents", "low_confidence", "drivers"} <= set(idx[0])
    with_docs = [d for d in idx if d["documents"]]
    assert all(isinstance(d["index"], (int, float)) for d in with_docs)
    assert any(d["drivers"] for d in with_docs)
    driver = next(d["drivers"][0] for d in with_docs if d["drivers"])
    assert {"sentence", "kind", "speaker", "doc_id", "url"} <= set(driver)
    q = run("query", "select count(*) as n from raw.documents", "--format", "json", env=env)
    assert q.returncode == 0, q.stderr
    assert json.loads(q.stdout)[0]["n"] == int(ing.stdout.split()[1].rstrip(","))
    refused = run("query", "delete from raw.documents", env=env)
    assert refused.returncode == 2 and "only reads" in refused.stderr
    # The Dagster runs were recorded in this home's instance, so the UI shows them.
    assert list((tmp_path / "h" / "dagster").rglob("*.db"))


def test_scorer_runs_on_the_development_set(tmp_path):
    shared = shared_or_skip()
    scorer = shared / "tools" / "score_extraction.py"
    docs = tmp_path / "d.jsonl"
    subprocess.run([sys.executable, str(scorer), "docs", str(shared / "gold" / "seeds.jsonl"), str(docs)], check=True)
    proc = run("extract", str(docs), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    score = subprocess.run([sys.executable, str(scorer), "score", str(shared / "gold" / "seeds.jsonl"),
                            str(tmp_path / "o")], capture_output=True, text=True, check=True)
    assert score.stdout.strip().splitlines()[-1].startswith("micro F1=")
