"""A bulk load looks up only the documents whose keys may be stored (ingestion.store.StoredKeys): the same
duplicates, updates and URL conflicts as storing each document on its own, against what the warehouse held
before and what earlier batches stored."""

from datetime import date, timedelta

import duckdb

from ingestion.bulk import store_in_batches
from ingestion.files import make_document
from ingestion.store import StoredKeys, store

DAY = date(2024, 4, 1)


def _doc(doc_id: str, text: str, day: int, url: str | None = None):
    return make_document(doc_id=doc_id, source="test", source_path=doc_id, text=text, raw_payload=text,
                         published_at=(DAY + timedelta(days=day)).isoformat(), language="en", url=url)


BEFORE = [_doc("old1", "Text stored before the bulk load.", 0, "https://a.example/1"),
          _doc("old2", "Another text stored before.", 0)]
BULK = [
    _doc("n1", "A fresh text on day one.", 1),
    _doc("n2", "Text stored before the bulk load.", 1),  # the text of old1 under another id: a duplicate
    _doc("n3", "A different text at old1's page.", 1, "https://a.example/1"),  # conflict with a stored URL
    _doc("old2", "A newer text of old2.", 2),  # an update of a stored document
    _doc("n4", "A fresh text on day two.", 2, "https://a.example/4"),
    _doc("n5", "A fresh text on day one.", 3),  # n1's text, stored by an earlier batch
    _doc("n6", "Yet another text at n4's page.", 3, "https://a.example/4"),  # conflict with an earlier batch
    _doc("n4", "A newer text of n4.", 4, "https://a.example/4"),  # an update of an earlier batch's document
    _doc("n7", "Nothing like anything else.", 4),
]
TABLES = ["select * exclude (fetched_at) from raw.documents order by doc_id",
          "select * exclude (rejected_at) from raw.rejects order by reject_id"]


def _tables(con) -> list[list[tuple]]:
    return [con.execute(q).fetchall() for q in TABLES]


def test_a_bulk_load_in_small_batches_classifies_as_storing_one_by_one(tmp_path):
    bulk, one = duckdb.connect(str(tmp_path / "bulk.duckdb")), duckdb.connect(str(tmp_path / "one.duckdb"))
    for con in (bulk, one):
        store(con, BEFORE)
    result = store_in_batches(bulk, iter(BULK), batch=2)
    expected = None
    for d in sorted(BULK, key=lambda d: (d.published_date, d.doc_id)):  # the order a bulk load stores in
        r = store(one, [d])
        expected = r if expected is None else expected + r
    assert result == expected
    assert (result.stored, result.updated, result.duplicates, result.rejected) == (3, 2, 2, 2)
    assert _tables(bulk) == _tables(one)


def test_only_documents_sharing_a_key_with_the_warehouse_are_suspects(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    store(con, BEFORE)
    keys = StoredKeys(con)
    fresh = _doc("n1", "A fresh text on day one.", 1)
    same_text, same_url, same_id = BULK[1], BULK[2], BULK[3]
    assert keys.suspects([fresh, same_text, same_url, same_id]) == [same_text, same_url, same_id]
    keys.add([fresh])
    assert keys.suspects([_doc("n9", "A fresh text on day one.", 2)])  # its text is now stored
    assert StoredKeys(duckdb.connect(str(tmp_path / "empty.duckdb"))).suspects([fresh]) == []


def test_keys_added_over_many_batches_are_found(tmp_path):
    """Every key added stays findable as the set grows past its first slots; a key never added is not a suspect."""
    keys = StoredKeys(duckdb.connect(str(tmp_path / "w.duckdb")))
    added = []
    for b in range(60):
        batch = [_doc(f"b{b}-{i}", f"Text {i} of batch {b}.", 1, f"https://k.example/{b}/{i}") for i in range(40 + b)]
        keys.add(batch)
        added += batch
    assert len(keys._keys) == 3 * len(added)
    for d in added:
        again = _doc("other", d.text, 2)  # its text, under another id
        assert keys.suspects([again]) == [again]
    assert keys.suspects([_doc("never", "A text no batch held.", 2)]) == []
