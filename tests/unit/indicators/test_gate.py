"""indicators.gate: the column-level relevance gate in front of the per-document extraction."""
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from indicators import doc_meta
from indicators.extract import extract
from indicators.gate import candidate_mask, document_language, gate_keys, passes
from indicators.reference import load_target, mentions_target
from indicators.text import fold

COLS = ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]

TARGET_TEXTS = [
    "Kazakhstan will be next after Ukraine, the deputy said.",
    "KAZAKHSTAN'S wheat exports rose last year.",
    "Officials in Astana rejected the claims.",
    "Экспорт пшеницы из Казахстана вырос.",
    "Он заявил, что казахов притесняют.",
    "Встреча прошла в Астане в среду.",
    "Депутат назвал Токаева марионеткой Запада.",
    "Президент Токаеву направили письмо.",
    "Встреча Касым-Жомарта Токаева с министрами.",
    "КАЗАХСТАН ответил на обвинения.",
    "Казахстанские power plants",
    "Ақорда мәлімдеме жасады.",
    "The talks in Nur\u2011Sultan ended.",  # non-breaking hyphen: fold() makes it "-"
    "В МИД РК опровергли эти сообщения.",
    "Ёлка в Алматы.",
]
UNRELATED_TEXTS = [
    "Shares of Helix Pharma fell 3% in early trading in London after the company cut its outlook.",
    "State Duma deputy Andrei Gurulyov said that Ukraine is a puppet of the West.",
    "В Кремле опровергли сообщения о переброске войск, назвав их фейком.",
    "Officials in Kazan said the city would host a regional forum.",
    "Pakistan and India traded accusations over the border incident.",
    "Жара настанет уже к концу недели, а осадков не ожидается.",
    "В парке Казани прошел фестиваль; в рамках форума выступили гости.",
    "Москва предупредила, что Армения может стать следующей.",
]


def frame(*docs):
    return pl.DataFrame([{c: d.get(c) for c in COLS} for d in docs], schema={c: pl.Utf8 for c in COLS})


@pytest.fixture(scope="module")
def kz():
    return load_target("KZ")


@pytest.mark.parametrize("text", TARGET_TEXTS)
def test_gate_passes_target_mentions(kz, text):
    assert passes(kz, text)
    assert mentions_target(kz, text, fold(text)), "the exact path must agree that these mention the target"


@pytest.mark.parametrize("text", UNRELATED_TEXTS)
def test_gate_rejects_unrelated_news(kz, text):
    assert not passes(kz, text)


def test_gate_is_a_superset_of_the_exact_check(kz):
    texts = TARGET_TEXTS + UNRELATED_TEXTS + [
        "«Казахстан — искусственное государство», — заявил Дмитрий Медведев.",
        "The Kazakh Foreign Ministry denied the reports.",
        "Астанинский суд", "Nazarbayev's legacy", "Назарбаеву", "рк", "РК", "Рк-2", "Almaty-based",
        "pre-Kazakhstan", "x" * 50 + "Казахстан",
    ]
    for t in texts:
        if mentions_target(kz, t, fold(t)):
            assert passes(kz, t), t


def test_gate_checks_the_title_too(kz):
    df = frame({"doc_id": "a", "text": "Markets were calm.", "title": "Kazakhstan responds"},
               {"doc_id": "b", "text": "Markets were calm.", "title": "Markets"},
               {"doc_id": "c", "text": None, "title": None})
    assert candidate_mask(kz, df).to_list() == [True, False, False]
    assert candidate_mask(kz, df.drop("title")).to_list() == [False, False, False]


def test_gate_follows_the_target_config():
    am = load_target("AM")
    assert passes(am, "Москва обвинила Армению в предательстве.")
    assert passes(am, "Officials in Yerevan said the talks would resume.")
    assert passes(am, "Встреча прошла в Ереване.")
    assert not passes(am, "Kazakhstan will be next after Ukraine.")
    keys, _ = gate_keys(am)
    assert not any("казах" in k or "kazakh" in k for k in keys)


def test_gate_keys_are_minimised(kz):
    keys, exact = gate_keys(kz)
    assert "казах" in keys and not any(k.startswith("казахстан") for k in keys)
    assert "РК" in exact  # a short upper-case alias is matched as written


MIXED = [
    {"doc_id": "en-threat", "text": "State Duma deputy Andrei Gurulyov said that Kazakhstan will be the next target "
                                    "after Ukraine.", "published_at": "2024-03-01T10:00:00Z", "language": "en"},
    {"doc_id": "ru-acc", "text": "МОСКВА, 3 марта 2024 г. — Депутат Госдумы Андрей Гурулёв заявил, что Казахстан "
                                 "будет следующим после Украины. Он назвал Токаева марионеткой Запада.",
     "outlet": "ТАСС", "url": "https://tass.ru/x"},
    {"doc_id": "ru-denial", "text": "В МИД Казахстана опровергли эти сообщения, назвав их фейком.",
     "published_at": "2024-03-02", "language": "ru"},
    {"doc_id": "title-only", "text": "Markets were calm on Monday.", "title": "Russian TV host calls Kazakhstan "
                                                                             "a puppet of the West"},
    {"doc_id": "ua-trap", "text": "State Duma deputy Andrei Gurulyov said that Ukraine is a puppet of the West.",
     "published_at": "2024-03-04T00:00:00+03:00", "language": "en"},
    {"doc_id": "ru-plain", "text": "ВОРОНЕЖ, 5 декабря 2024 г. — Синоптики предупредили о сильном ветре."},
    {"doc_id": "en-plain", "text": "LONDON, May 3, 2024 — The central bank of Brazil kept its key rate at 7% for "
                                   "a third meeting in a row, and the markets were calm."},
    {"doc_id": "uk-plain", "text": "Київ і Львів: синоптики прогнозують сніг, і температура знизиться."},
    {"doc_id": "empty", "text": ""},
    {"doc_id": "none", "text": None, "title": None},
]


def test_extract_is_the_same_with_and_without_the_gate():
    df = frame(*MIXED)
    with_gate, without = extract(df, gate=True), extract(df, gate=False)
    assert with_gate.signals.height > 0
    assert_frame_equal(with_gate.signals, without.signals)
    assert_frame_equal(with_gate.documents, without.documents)
    docs = with_gate.documents
    mentioned = dict(zip(docs["doc_id"], docs["target_mentioned"], strict=True))
    assert mentioned["title-only"] and mentioned["ru-acc"] and not mentioned["ua-trap"]
    dates = dict(zip(docs["doc_id"], docs["published_date"], strict=True))
    assert str(dates["ru-plain"]) == "2024-12-05" and str(dates["en-plain"]) == "2024-05-03"


def test_extract_on_a_large_frame_uses_the_gate_by_default():
    df = frame(*(dict(d, doc_id=f"{d['doc_id']}-{i}") for i in range(30) for d in MIXED))
    assert df.height >= 256
    assert_frame_equal(extract(df).documents, extract(df, gate=False).documents)
    assert_frame_equal(extract(df).signals, extract(df, gate=False).signals)


@pytest.mark.parametrize("text", [d["text"] for d in MIXED] + [
    "Der Präsident sagte, dass die Regierung nicht mit der Opposition sprechen wird.",
    "Le président a dit que le gouvernement est prêt pour les négociations.",
    "Қазақстан Республикасының Президенті мәлімдеме жасады және өңірлерге сапар шекті.",
    "Mixed текст with both scripts и разные words here.",
    "1234 5678", "   ",
])
def test_document_language_matches_detect_language(text):
    assert document_language(text) == doc_meta.detect_language(text or "")
