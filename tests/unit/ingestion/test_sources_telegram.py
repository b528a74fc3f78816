"""Telegram Desktop exports: string and entity-list texts, service messages, malformed messages."""

from __future__ import annotations

import json
from datetime import date

from source_fakes import FIXTURES

from ingestion.models import Document, Reject
from ingestion.sources.config import load_config
from ingestion.sources.telegram import collect_telegram, export_documents, message_text

DAY = date(2024, 4, 6)
CFG = load_config(FIXTURES / "sources_test.yaml")
SRC = CFG.get("telegram_exports")


def test_posts_of_the_day():
    items = collect_telegram(SRC, DAY, FIXTURES)
    docs = {d.doc_id: d for d in items if isinstance(d, Document)}
    assert set(docs) == {"telegram:1009876543:2", "telegram:1009876543:3", "telegram:1009876543:8"}
    d = docs["telegram:1009876543:2"]
    assert d.url == "https://t.me/rybar/2" and d.doc_type == "telegram_post" and d.source == "telegram"
    assert (d.outlet, d.outlet_country, d.outlet_alignment) == ("Rybar", "RU", "state_aligned")
    assert d.published_at == "2024-04-06T10:15:00Z"  # from date_unixtime: UTC, not the exporter's clock
    assert d.source_id == "telegram_exports" and d.source_path == "rybar/result.json#2" and d.language == "ru"
    # entity list joined; 01:30 local on the 7th is 22:30 UTC on the 6th
    d3 = docs["telegram:1009876543:3"]
    assert d3.text == "Главное за день: казахстанские власти опять ограничили транзит. Подробности — по ссылке."
    assert d3.published_date == DAY
    assert docs["telegram:1009876543:8"].published_at == "2024-04-06T09:30:00"  # no date_unixtime
    assert docs["telegram:1009876543:8"].text.endswith("#Казахстан")
    assert json.loads(d.raw_payload)["id"] == 2


def test_rejects_name_the_message():
    items = collect_telegram(SRC, DAY, FIXTURES)
    rejects = [(r.source_path, r.line_number, r.stage, r.reason) for r in items if isinstance(r, Reject)]
    assert rejects == [
        ("broken/result.json", None, "validate", "not a Telegram chat export: no 'messages' key"),
        ("rybar/result.json", 3, "validate", "message 3: post has no text (only a photo)"),
        ("rybar/result.json", 4, "validate", "message 4: text is int, neither a string nor a list"),
        ("rybar/result.json", 5, "validate", "message 5: is str, not an object"),
        ("rybar/result.json", 8, "validate", "message 8: missing or invalid message id None"),
    ]


def test_without_a_day_every_post_and_no_username_no_url(tmp_path):
    src = CFG.get("telegram_exports")
    from dataclasses import replace
    src = replace(src, channels=())
    items = export_documents(FIXTURES / "telegram" / "rybar" / "result.json", "r.json", src, None)
    docs = [d for d in items if isinstance(d, Document)]
    assert len(docs) == 4 and all(d.url is None and d.outlet == "Рыбарь (тест)" for d in docs)


def test_bad_json_and_account_exports(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "result.json").write_text('{"name": "x", "messages": [', encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "result.json").write_text(json.dumps({"chats": {"list": [
        {"name": "Рыбарь (тест)", "id": 1009876543, "messages": [
            {"id": 10, "type": "message", "date": "2024-04-06T10:00:00", "date_unixtime": "1712397600",
             "text": "Пост из полной выгрузки аккаунта."}]}]}}, ensure_ascii=False), encoding="utf-8")
    from dataclasses import replace
    items = collect_telegram(replace(SRC, path=str(tmp_path)), DAY, tmp_path)
    assert isinstance(items[0], Reject) and items[0].stage == "parse" and items[0].reason.startswith("bad JSON")
    assert isinstance(items[1], Document) and items[1].url == "https://t.me/rybar/10"
    assert items[1].source_path == "b/result.json#chats[0]#10"


def test_message_text_forms():
    assert message_text("plain") == "plain"
    assert message_text(["a ", {"type": "bold", "text": "b"}, {"type": "link", "text": "https://x"}]) == "a bhttps://x"
    assert message_text(None) == ""


def test_missing_folder_is_a_note_not_an_error(tmp_path):
    notes: list[str] = []
    assert collect_telegram(SRC, DAY, tmp_path, notes=notes) == []
    assert "does not exist" in notes[0]
