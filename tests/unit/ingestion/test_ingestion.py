import json

import duckdb

from ingestion.canonical import canonical_url, content_hash
from ingestion.collect import collect_drop_folder
from ingestion.files import read_path
from ingestion.models import Document, Reject
from ingestion.store import store


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_lines_become_documents_or_rejects_with_line_numbers(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "Astana, April 8, 2024. Trade talks went well.", "language": "en"}),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "Без даты и без метаданных."}),
        json.dumps({"id": "e", "text": "Москва, 7 апреля 2024 года. Переговоры продолжились.", "published_at": None}),
    ]
    items = list(read_path(_write(tmp_path / "in.jsonl", "\n".join(lines))))
    docs = {i.doc_id: i for i in items if isinstance(i, Document)}
    rejects = [i for i in items if isinstance(i, Reject)]
    assert set(docs) == {"a", "d", "e"}
    assert docs["a"].published_date.isoformat() == "2024-04-08" and docs["a"].date_source == "text"
    assert docs["e"].published_date.isoformat() == "2024-04-07" and docs["e"].language == "ru"
    assert sorted((r.line_number, r.stage) for r in rejects) == [(2, "parse"), (3, "validate"), (4, "validate")]
    # no date anywhere: kept, dated by its arrival, and marked so
    assert docs["d"].date_source == "ingested" and docs["d"].published_date == docs["d"].fetched_at.date()
    assert "text" in next(r.reason for r in rejects if r.line_number == 3)


def test_html_page_loses_its_furniture_and_keeps_metadata(tmp_path):
    page = """<html lang="ru"><head><title>Заявление МИД</title><meta name="date" content="2024-04-08">
    <meta name="source" content="Ministry of Foreign Affairs of Kazakhstan"></head><body>
    <nav><a href="/">Главная</a> <a href="/news">Новости</a></nav>
    <div class="cookie">Мы используем cookie-файлы.</div>
    <article><h1>Заявление МИД</h1><p>Министерство иностранных дел Республики Казахстан ознакомилось с высказываниями депутата.</p>
    <p>Казахстан последовательно выступает за добрососедские отношения со всеми странами.</p></article>
    <footer>© 2024 Все права защищены</footer></body></html>"""
    (doc,) = list(read_path(_write(tmp_path / "statements" / "mfa.html", page)))
    assert isinstance(doc, Document)
    assert doc.doc_type == "official_statement"
    assert doc.published_date.isoformat() == "2024-04-08" and doc.date_source == "metadata"
    assert doc.outlet == "Ministry of Foreign Affairs of Kazakhstan" and doc.language == "ru"
    assert "добрососедские" in doc.text
    assert "cookie" not in doc.text and "Все права" not in doc.text


def test_store_is_idempotent_and_deduplicates(tmp_path):
    folder = tmp_path / "drop"
    _write(folder / "a.txt", "date 2024-04-06\nKazakhstan and Russia signed a grain deal.")
    _write(folder / "copy-of-a.txt", "date 2024-04-06\n\nKazakhstan and Russia  signed a grain deal.")
    _write(folder / "b.txt", "date 2024-04-07\nOil flowed through the CPC pipeline.")
    _write(folder / "empty.txt", "  \n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = store(con, read_path(folder))
    assert (first.stored, first.duplicates, first.rejected) == (2, 1, 1)
    again = store(con, read_path(folder))
    assert (again.stored, again.duplicates, again.rejected) == (0, 3, 1)
    assert con.execute("select count(*) from raw.documents").fetchone()[0] == 2
    assert con.execute("select count(*) from raw.rejects").fetchone()[0] == 1


def test_drop_folder_collects_only_the_window(tmp_path):
    _write(tmp_path / "x.txt", "date 2024-04-06\nText one about Astana.")
    _write(tmp_path / "y.txt", "date 2024-04-09\nText two about Astana.")
    from datetime import date

    items = collect_drop_folder(tmp_path, date(2024, 4, 6), date(2024, 4, 7))
    assert [i.doc_id for i in items if isinstance(i, Document)] == ["x.txt"]


def test_canonical_url_drops_tracking_and_fragments():
    assert canonical_url("HTTPS://Example.COM/news/1/?utm_source=tg&id=5#top") == "https://example.com/news/1?id=5"
    assert content_hash("A  b\u00a0C") == content_hash("a b c")


BODY = ("The Kazakh foreign ministry summoned the Russian ambassador on Monday after a member of the State Duma "
        "said on television that the northern regions of the country had historically belonged to Russia. "
        "The ministry said such statements damage the friendly relations between the two countries and asked "
        "Moscow to give an official assessment of the remarks. The deputy later told reporters that his words "
        "had been taken out of context and that he respected the sovereignty of the neighbouring state.")


def test_republished_copy_is_stored_and_linked_to_the_original(tmp_path):
    folder = tmp_path / "drop"
    _write(folder / "original.txt", f"date 2024-04-08\n{BODY}")
    _write(folder / "reprint.txt", f"date 2024-04-09\nShare this article\nBy Staff Writer\n{BODY}\nRead also: floods")
    _write(folder / "other.txt", "date 2024-04-09\n" + BODY.replace("Kazakh", "Armenian").replace("northern", "southern")
           .replace("summoned", "called in").replace("friendly", "allied").replace("sovereignty", "borders")
           .replace("official assessment", "explanation").replace("taken out of context", "misquoted"))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = store(con, read_path(folder))
    assert (result.stored, result.near_duplicates) == (3, 1)
    links = dict(con.execute("select doc_id, near_duplicate_of from raw.documents").fetchall())
    assert links == {"original.txt": None, "reprint.txt": "original.txt", "other.txt": None}
    # a rerun links the same way and stores nothing new
    again = store(con, read_path(folder))
    assert again.stored == 0 and dict(con.execute("select doc_id, near_duplicate_of from raw.documents").fetchall()) == links


def test_published_at_is_kept_as_given_and_normalised_to_utc(tmp_path):
    line = json.dumps({"id": "t", "text": "Astana news about grain.", "published_at": "2024-04-06T23:30:00+05:00"})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    store(con, read_path(_write(tmp_path / "in.jsonl", line)))
    given, utc, day = con.execute("select published_at, published_at_utc, published_date from raw.documents").fetchone()
    assert given == "2024-04-06T23:30:00+05:00"
    assert utc.isoformat() == "2024-04-06T18:30:00" and day.isoformat() == "2024-04-06"
