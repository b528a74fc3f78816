"""Near-duplicates through the sampled-shingle index (issue 12) decide as comparing every pair did: the same links
on a deterministic set of republications (other bylines, headlines, share buttons, a trimmed ending) among
unrelated stories, in one batch and day by day."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from itertools import accumulate

import duckdb
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingestion.files import make_document
from ingestion.neardup import NearDuplicateIndex, is_near_duplicate, shingles
from ingestion.store import NEAR_DUPLICATE_DAYS, store

VOCAB = ("deputy minister border grain talks pipeline Astana Moscow statement sanctions treaty envoy region "
         "exports summit rhetoric parliament security union customs railway oil gas wheat visa troops "
         "agreement election court reform budget currency bank port transit corridor").split()
FURNITURE = ["Share this article", "Subscribe to our channel", "Photo: press service", "Read more:",
             "By our correspondent", "Updated", "Follow us on social media", "Advertisement"]


def _story(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(words)) + "."


def _corpus(seed: int = 7, stories: int = 120, copies: int = 80):
    """(doc_id, day, text) rows: stories over 20 days and copies of some of them on the same or later days."""
    rng = random.Random(seed)
    rows, originals = [], []
    for i in range(stories):
        day = date(2024, 4, 1) + timedelta(days=rng.randrange(20))
        body = _story(rng, rng.choice([30, 60, 150, 400]))
        rows.append((f"s{i:03d}", day, body))
        originals.append((day, body))
    for j in range(copies):
        day, body = rng.choice(originals)
        words = body.split()
        if rng.random() < 0.5:  # a trimmed ending, within the containment threshold
            words = words[: max(len(words) - len(words) // 10, 26)]
        text = "\n".join([rng.choice(FURNITURE), " ".join(words), rng.choice(FURNITURE), f"Item {j}"])
        rows.append((f"c{j:03d}", day + timedelta(days=rng.randrange(0, 5)), text))
    return rows


def _brute_force(rows) -> dict[str, str | None]:
    """The decision by comparing every earlier document within the window (what the store did before)."""
    done: list[tuple[date, str, object, str | None]] = []
    links = {}
    for doc_id, day, text in sorted(rows, key=lambda r: (r[1], r[0])):
        own = shingles(text)
        link = None
        for pd, other, sh, dup in sorted(done, key=lambda p: (p[0], p[1])):
            if abs((pd - day).days) <= NEAR_DUPLICATE_DAYS and is_near_duplicate(own, sh):
                link = dup or other
                break
        links[doc_id] = link
        done.append((day, doc_id, own, link))
    return links


def _docs(rows):
    return [make_document(doc_id=i, source="test", source_path=i, text=t, raw_payload=t,
                          published_at=d.isoformat(), language="en") for i, d, t in rows]


def _stored_links(con) -> dict[str, str | None]:
    return dict(con.execute("select doc_id, near_duplicate_of from raw.documents").fetchall())


def test_the_index_links_as_comparing_every_pair_did(tmp_path):
    rows = _corpus()
    expected = _brute_force(rows)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    store(con, _docs(rows))
    got = _stored_links(con)
    pairs = {k for k, v in expected.items() if v}
    found = {k for k in pairs if got[k] == expected[k]}
    assert len(pairs) >= 60  # the set holds enough republications to mean something
    assert found == pairs, f"pairs {len(pairs)}, found {len(found)}, missed {sorted(pairs - found)}"
    assert {k for k, v in got.items() if v} == pairs  # and no false link


def test_day_by_day_links_as_one_batch(tmp_path):
    rows = _corpus(seed=11)
    con_all = duckdb.connect(str(tmp_path / "all.duckdb"))
    store(con_all, _docs(rows))
    con_days = duckdb.connect(str(tmp_path / "days.duckdb"))
    for day in sorted({d for _, d, _ in rows}):
        store(con_days, _docs([r for r in rows if r[1] == day]))
    assert _stored_links(con_days) == _stored_links(con_all)


def test_the_index_forgets_days_that_leave_the_window():
    idx = NearDuplicateIndex()
    from ingestion.neardup import Entry

    text = " ".join(VOCAB)

    def entry(day: int, doc_id: str) -> Entry:
        return Entry(date(2024, 4, day), doc_id, "en", shingles(text), None)

    assert idx.sweep([(entry(1, "a"), False), (entry(3, "b"), True)], 3)[1].doc_id == "a"
    assert idx.entries[-1].near_duplicate_of == "a"
    idx.keep_from(date(2024, 4, 2))
    assert [e.doc_id for e in idx.entries] == ["b"]
    (found,) = idx.sweep([(entry(7, "c"), True)], 3)  # "b" is four days earlier: out of the window
    assert found is None and [e.doc_id for e in idx.entries] == ["c"]
    assert idx.sweep([(entry(8, "d"), True)], 3)[0].doc_id == "c"
    with pytest.raises(ValueError, match="date order"):
        idx.sweep([(entry(5, "e"), True)], 3)


def test_a_shuffled_input_stored_in_small_batches_links_and_stores_as_one_batch(tmp_path):
    from ingestion.bulk import store_in_batches

    rows = _corpus(seed=5)
    random.Random(3).shuffle(rows)
    con_all = duckdb.connect(str(tmp_path / "all.duckdb"))
    whole = store(con_all, _docs(rows))
    per_day = Counter(d for _, d, _ in rows)
    con_parts = duckdb.connect(str(tmp_path / "parts.duckdb"))
    seen = []
    parts = store_in_batches(con_parts, iter(_docs(rows)), batch=max(per_day.values()),
                             progress=lambda done, total: seen.append(done))
    assert _stored_links(con_parts) == _stored_links(con_all)
    assert parts.stored == whole.stored == len(rows)
    assert parts.near_duplicates == whole.near_duplicates > 0
    # batches of the busiest day's size, ending wherever that falls
    batch = max(per_day.values())
    assert seen == [*range(batch, len(rows), batch), len(rows)]
    assert len(seen) > 5 and not set(seen[:-1]) <= set(accumulate(per_day[d] for d in sorted(per_day)))
    # batches smaller than a day: days are split, the links are the same
    con_small = duckdb.connect(str(tmp_path / "small.duckdb"))
    small = store_in_batches(con_small, iter(_docs(rows)), batch=3)
    assert max(per_day.values()) > 3 and small.stored == len(rows)
    assert _stored_links(con_small) == _stored_links(con_all)


def test_words_are_split_as_the_regex_splits_them_and_hashed_by_their_letters():
    """word_hashes splits with array operations; it must find the words \\w+ finds (casefolded), and two words
    hash alike exactly when they are the same word."""
    import re

    from ingestion.neardup import word_hashes

    texts = ["Привет, МИР! Hello_world 42 — ÉCOLE Straße ß e\u0301 tab\tend", "", "  \n ", "a",
             "Ǆ ǅ İ ﬁ 𝔘nicode 𝟙𝟚 ٣٤ 中文字 \ud800 lone surrogate", " ".join(VOCAB) + " " + " ".join(VOCAB)]
    for text in texts:
        words = re.findall(r"\w+", text.casefold())
        hashes = word_hashes(text).tolist()
        assert len(hashes) == len(words), text
        assert len(set(zip(words, hashes, strict=True))) == len(set(words)) == len(set(hashes)), text


@given(st.lists(st.integers(0, 6), max_size=40), st.lists(st.integers(0, 6), max_size=40))
def test_pairs_merge_as_a_sort_by_hash_then_number(old, new):
    from ingestion.neardup import _merge

    # `old` pairs sorted by (hash, number), numbered before the new ones
    a_n = np.argsort(np.array(old, dtype=np.uint64), kind="stable").astype(np.int64)
    a_h = np.sort(np.array(old, dtype=np.uint64))
    b_h, b_n = np.array(new, dtype=np.uint64), np.arange(len(old), len(old) + len(new), dtype=np.int64)
    h, n = _merge((a_h, a_n), (b_h, b_n))
    order = np.lexsort((np.concatenate([a_n, b_n]), np.concatenate([a_h, b_h])))
    assert h.tolist() == np.concatenate([a_h, b_h])[order].tolist()
    assert n.tolist() == np.concatenate([a_n, b_n])[order].tolist()
