"""No loss, no duplication (issue 11), as a property: for any mix of good, malformed, duplicate, conflicting and
hostile input lines spread over files, every input ends as exactly one stored document, one update, one duplicate
or one reject with a reason; storing again, or in two batches, gives the same tables."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.files import read_path
from ingestion.models import Reject
from ingestion.store import store

WORDS = ["Kazakhstan", "Astana", "deputy", "Duma", "border", "Казахстан", "депутат", "граница", "grain", "talks"]


@st.composite
def lines(draw) -> list[bytes]:
    """Lines of JSON Lines files: each kind of input the drop folder meets, mixed at random."""
    out: list[bytes] = []
    goods: list[dict] = []
    for n in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["good", "good", "good", "same_again", "same_text_new_id", "new_text_same_url",
                                     "same_id_new_text", "bad_json", "wrong_type", "bad_utf8", "surrogate", "noise", "old_date",
                                     "deep", "blank"]))
        if kind in ("same_again", "same_text_new_id", "new_text_same_url", "same_id_new_text") and not goods:
            kind = "good"
        if kind == "good":
            text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=12))) + f" (story {n})"
            rec = {"id": f"doc-{n}", "text": text, "published_at": f"2024-04-{draw(st.integers(1, 28)):02d}",
                   "url": f"https://news.example/{n}" if draw(st.booleans()) else None}
            goods.append(rec)
            out.append(json.dumps(rec, ensure_ascii=draw(st.booleans())).encode())
        elif kind == "same_again":
            out.append(json.dumps(draw(st.sampled_from(goods))).encode())
        elif kind == "same_text_new_id":
            out.append(json.dumps({**draw(st.sampled_from(goods)), "id": f"copy-{n}"}).encode())
        elif kind == "new_text_same_url":
            base = draw(st.sampled_from(goods))
            out.append(json.dumps({**base, "id": f"other-{n}", "text": f"Rewritten story {n} about the border.",
                                   "url": base["url"] or f"https://news.example/x{n}"}).encode())
        elif kind == "same_id_new_text":  # a corrected version: in another file an update, in the same a repeat
            out.append(json.dumps({**draw(st.sampled_from(goods)), "text": f"Corrected story {n} on the talks."}).encode())
        elif kind == "bad_json":
            out.append(b'{"id": "broken-' + str(n).encode() + b'", "text": ')
        elif kind == "wrong_type":
            out.append(json.dumps({"id": n, "text": ["not", "a", "string"]}).encode())
        elif kind == "bad_utf8":
            out.append(b'{"id": "u' + str(n).encode() + b'", "text": "caf\xe9 \xff"}')
        elif kind == "surrogate":
            out.append(b'{"id": "s' + str(n).encode() + b'", "text": "half \\udc80 pair"}')
        elif kind == "noise":
            out.append(json.dumps({"id": f"z{n}", "text": "\u200b\u0000\u202e\u2060 "}).encode())
        elif kind == "old_date":
            out.append(json.dumps({"id": f"old{n}", "text": "An old story about Astana.",
                                   "published_at": "1901-02-03"}).encode())
        elif kind == "deep":
            out.append(b"[" * 50_000 + b"]" * 50_000)
        else:
            out.append(b"   ")
    return out


def _write(folder: Path, chunks: list[list[bytes]]) -> int:
    """The chunks as files of the folder; the number of inputs (non-blank lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, chunk in enumerate(chunks):
        (folder / f"part_{i}.jsonl").write_bytes(b"\n".join(chunk) + b"\n")
    return sum(1 for chunk in chunks for line in chunk if line.strip())


def _tables(con) -> tuple[list, list]:
    docs = con.execute("select doc_id, content_hash, url, published_date from raw.documents order by all").fetchall()
    rejects = con.execute("select source_path, line_number, stage, reason from raw.rejects order by all").fetchall()
    return docs, rejects


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=lines(), split=st.integers(0, 14))
def test_every_input_is_stored_updated_duplicate_or_rejected_exactly_once(tmp_path_factory, data, split):
    tmp = tmp_path_factory.mktemp("mix")
    chunks = [data[:split], data[split:]]
    inputs = _write(tmp / "in", chunks)
    items = list(read_path(tmp / "in"))
    assert all(r.reason for r in items if isinstance(r, Reject))
    con = duckdb.connect(str(tmp / "w.duckdb"))
    r = store(con, items)
    assert r.stored + r.updated + r.duplicates + r.rejected == inputs
    docs, rejects = _tables(con)
    assert len(docs) == len({d[0] for d in docs}) == r.stored  # one row per document, none twice
    assert len(rejects) == r.rejected

    # A re-run (a retry, the same files again) changes nothing and stores nothing twice.
    again = store(con, list(read_path(tmp / "in")))
    assert again.stored == 0 and again.stored + again.updated + again.duplicates + again.rejected == inputs
    assert _tables(con) == (docs, rejects)

    # The same files arriving one by one end in the same tables as all at once.
    con2 = duckdb.connect(str(tmp / "w2.duckdb"))
    for i in range(len(chunks)):
        store(con2, list(read_path(tmp / "in" / f"part_{i}.jsonl")))
    docs2, rejects2 = _tables(con2)
    assert [d[:2] for d in docs2] == [d[:2] for d in docs]
    assert {(p.rsplit("/", 1)[-1], ln, s) for p, ln, s, _ in rejects2} == {(p.rsplit("/", 1)[-1], ln, s)
                                                                            for p, ln, s, _ in rejects}
