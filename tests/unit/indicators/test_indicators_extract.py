"""Behaviour of indicators.extract on short hand-written documents (EN and RU)."""
import datetime as dt

import polars as pl
import pytest

from indicators.contract import document_records, signal_records
from indicators.extract import DOCUMENT_SCHEMA, SIGNAL_SCHEMA, extract
from indicators.reference import load_people, load_target, russian_forms
from indicators.text import sentence_spans

COLS = ["doc_id", "text", "title", "url", "outlet", "published_at", "language"]


def frame(*docs):
    rows = [{c: d.get(c) for c in COLS} for d in docs]
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in COLS})


def run(text, target="KZ", rules_only=False, **kw):
    return extract(frame({"doc_id": "d", "text": text, **kw}), target, rules_only=rules_only)


def kinds(ex):
    return sorted(set(ex.signals["kind"].to_list()))


def test_english_threat_with_attribution():
    ex = run("State Duma deputy Andrei Gurulyov said that Kazakhstan will be the next target after Ukraine.")
    s = ex.signals.filter(pl.col("kind") == "threat").row(0, named=True)
    assert s["speaker_id"] == "ru_gurulyov_andrei"
    assert s["speaker_country"] == "RU"
    assert s["target_country"] == "KZ"
    assert s["is_reported_speech"] is True
    assert "hostile_mention" in kinds(ex)
    assert ex.documents["tension_rating"][0] == 3


def test_russian_inflection_and_accusation():
    text = ("Депутат Госдумы Андрей Гурулёв заявил, что Казахстан будет следующим после Украины. "
            "Он назвал Токаева марионеткой Запада.")
    ex = run(text)
    acc = ex.signals.filter((pl.col("kind") == "accusation") & (pl.col("target_type") == "person"))
    assert acc.height == 1
    row = acc.row(0, named=True)
    assert row["target_id"] == "kz_tokayev_kassym_jomart"
    assert row["speaker_id"] == "ru_gurulyov_andrei"
    assert "threat" in kinds(ex)


def test_russian_name_forms_generated():
    assert {"Гурулёва", "Гурулёву", "Гурулёвым"} <= russian_forms("Гурулёв")
    assert "Захаровой" in russian_forms("Захарова")
    assert "Слуцкого" in russian_forms("Слуцкий")
    assert "Касым-Жомарта Токаева" in russian_forms("Касым-Жомарт Токаев")


def test_russian_speaker_after_quote():
    ex = run("«Казахстан — искусственное государство», — заявил Дмитрий Медведев.")
    s = ex.signals.filter(pl.col("kind") == "hostile_mention").row(0, named=True)
    assert s["speaker_id"] == "ru_medvedev_dmitry"
    assert s["category"] == "artificial_state"


def test_denial_and_negated_denial():
    ex = run("Gurulyov called the recording about Kazakhstan a fake.")
    assert "denial" in kinds(ex)
    ex = run("Gurulyov did not deny the recording about Kazakhstan. Peskov said it could be a fake about Kazakhstan.")
    assert "denial" not in kinds(ex)
    ex = run("Минобороны Казахстана заявило, что сообщения о запуске дронов с территории Казахстана не соответствуют действительности.")
    assert "denial" in kinds(ex)


@pytest.mark.xfail(strict=True, reason="known model error: a Russian hedge ('возможно, фейк') after a negated "
                   "denial is read as a denial")
def test_russian_hedge_after_negated_denial_is_no_denial():
    ex = run("Гурулёв не опроверг запись о Казахстане. Песков сказал, что это, возможно, фейк про Казахстан.")
    assert "denial" not in kinds(ex)


def test_negated_hostility_does_not_fire():
    ex = run("Lavrov said Kazakhstan is not a puppet of the West and will not be the next target.")
    # no hostility or threat; the negated threat is Lavrov's disclaimer (a denial in the dispute)
    assert set(ex.signals["kind"].to_list()) <= {"denial"}
    assert ex.documents["tension_rating"][0] <= 1


def test_not_just_is_not_a_negation():
    text = ("Russian TV presenters attacked President Tokayev again. "
            "As Kremlin propagandists say, he is not just a \"puppet of the West\".")
    ex = run(text)
    acc = ex.signals.filter(pl.col("kind") == "accusation")
    assert "Kassym-Jomart Tokayev" in acc["target_name"].to_list()


def test_other_country_hostility_does_not_fire_for_kz():
    text = ("Russian Duma deputy Andrei Gurulyov said Ukraine is a puppet of the West and called Kyiv a Nazi regime. "
            "Kazakhstan signed a grain trade deal with Russia.")
    ex = run(text)
    assert ex.signals.height == 0
    assert ex.documents["target_mentioned"][0] is True
    assert ex.documents["tension_rating"][0] == 0


def test_neutral_trade_news():
    ex = run("Kazakhstan and Russia signed agreements on trade and energy cooperation in Astana on Monday, "
             "Kazinform reported. Tokayev said the relations are strategic.")
    assert ex.signals.height == 0


def test_second_pair_armenia():
    text = ("Russian TV host Vladimir Solovyov said Armenia is a puppet of the West and Pashinyan is a traitor. "
            "Armenia will be next, he warned.")
    am = run(text, target="AM")
    assert {"hostile_mention", "threat"} <= set(am.signals["kind"].to_list())
    kz = run(text, target="KZ")
    assert kz.signals.height == 0
    assert load_target("AM").code == "AM"
    # the rules find the charge against the other pair's leader
    assert "Nikol Pashinyan" in run(text, target="AM", rules_only=True).signals["target_name"].to_list()


@pytest.mark.xfail(strict=True, reason="known model error: trained on Kazakhstan only, the accusation stage "
                   "misses a charge against another pair's leader")
def test_second_pair_accusation_against_its_leader():
    text = ("Russian TV host Vladimir Solovyov said Armenia is a puppet of the West and Pashinyan is a traitor. "
            "Armenia will be next, he warned.")
    assert "Nikol Pashinyan" in run(text, target="AM").signals["target_name"].to_list()


def test_headline_only_signal():
    ex = run("Trade talks continued on Monday.", title="Duma deputy Gurulyov: Kazakhstan will be next")
    th = ex.signals.filter(pl.col("kind") == "threat")
    assert th.height == 1
    assert th["char_start"][0] is None and th["char_end"][0] is None
    assert ex.documents["target_mentioned"][0] is True


def test_nbsp_and_curly_quotes():
    text = "State\u00a0Duma deputy Andrei\u00a0Gurulyov said that \u201cthe Kazakhs will be next\u201d."
    ex = run(text)
    th = ex.signals.filter(pl.col("kind") == "threat").row(0, named=True)
    assert th["speaker_id"] == "ru_gurulyov_andrei"
    assert text[th["char_start"]:th["char_end"]] == th["sentence"]


def test_quote_inside_quote_and_pronoun_continuation():
    text = ("Maria Zakharova said: \u201cKazakh officials who call Russia \u2018an occupier\u2019 are pursuing Russophobia\u201d.")
    ex = run(text)
    s = ex.signals.filter(pl.col("kind") == "hostile_mention").row(0, named=True)
    assert s["speaker_id"] == "ru_zakharova_maria" and s["category"] == "russophobia"
    text = "Kazakhs are worried about the war.\nBut they will be next, said Andrei Gurulyov."
    t = run(text, rules_only=True).signals.filter(pl.col("kind") == "threat")
    assert t["speaker_id"].to_list() == ["ru_gurulyov_andrei"]


@pytest.mark.xfail(strict=True, reason="known model error: a two-sentence document whose threat follows a "
                   "Kazakh fear is missed")
def test_pronoun_continuation_threat():
    text = "Kazakhs are worried about the war.\nBut they will be next, said Andrei Gurulyov."
    assert "threat" in kinds(run(text))


def test_unknown_official_with_role_is_kept():
    text = ("Blogger Anton Budarov accused Kazakhstan's Deputy Culture Minister Erlan Zhumabekov "
            "of supporting anti-Russian activities.")
    ex = run(text)
    acc = ex.signals.filter((pl.col("kind") == "accusation") & (pl.col("target_type") == "person"))
    row = acc.row(0, named=True)
    assert row["target_name"] == "Erlan Zhumabekov"
    assert row["target_id"] is None
    assert row["speaker_id"] == "ru_budarov_anton"


def test_repeated_headline_counted_once():
    line = "\"The Kazakhs will be next.\" Did the Russian general say it?"
    ex = run(line + "\n" + line)
    assert ex.signals.filter(pl.col("kind") == "threat").height == 1


def test_outlet_own_voice_publisher():
    # the rules' voice logic (the learned stage takes its attribution from it)
    ex = run("Kazakhstan may become another Ukraine.", outlet="Pravda.ru", rules_only=True)
    s = ex.signals.row(0, named=True)
    assert s["publisher"] == "Pravda.ru" and s["speaker_type"] == "outlet"
    assert s["is_reported_speech"] is False
    adv_score = s["score"]
    # with no identifiable voice at all the framing counts, with less confidence than an adversary's voice
    unknown = run("Kazakhstan may become another Ukraine.", rules_only=True).signals
    assert unknown["kind"].to_list() == ["hostile_mention"] and unknown["score"][0] < adv_score
    # from a known independent outlet in its own voice it is analysis, not hostility
    assert run("Kazakhstan may become another Ukraine.", outlet="Reuters").signals.height == 0
    # ... unless the document talks about the adversary's propaganda (an observer's article)
    observer = ("This piece examines propaganda narratives in the region. Officials met on Monday. "
                "Kazakhstan may become another Ukraine.")
    assert run(observer).signals.height == 0


@pytest.mark.xfail(strict=True, reason="known model error: a one-sentence document in a pro-Kremlin outlet's own "
                   "voice is below the hostile-mention threshold")
def test_outlet_own_voice_one_sentence_document():
    s = run("Kazakhstan may become another Ukraine.", outlet="Pravda.ru").signals
    assert s["kind"].to_list() == ["hostile_mention"] and s["speaker_type"][0] == "outlet"


def test_schema_and_empty_input():
    ex = extract(frame())
    assert dict(ex.signals.schema) == SIGNAL_SCHEMA
    assert dict(ex.documents.schema) == DOCUMENT_SCHEMA
    assert ex.signals.height == 0 and ex.documents.height == 0
    ex = run("Gurulyov said that Kazakhstan will be next.", published_at="2024-04-06T23:00:00-02:00")
    assert dict(ex.signals.schema) == SIGNAL_SCHEMA
    assert dict(ex.documents.schema) == DOCUMENT_SCHEMA
    doc = ex.documents.row(0, named=True)
    assert doc["published_date"] == dt.date(2024, 4, 7) and doc["date_source"] == "metadata"
    ids = ex.signals["signal_id"].to_list()
    assert len(ids) == len(set(ids))
    assert ids == run("Gurulyov said that Kazakhstan will be next.").signals["signal_id"].to_list()


def test_date_and_language_from_text():
    ex = run("Астана, 8 апреля 2024 года. Депутат Гурулёв заявил, что Казахстан на очереди.")
    doc = ex.documents.row(0, named=True)
    assert doc["published_date"] == dt.date(2024, 4, 8) and doc["date_source"] == "text"
    assert doc["language"] == "ru"
    assert run("Астана, 8 апреля 2024 года. Депутат Гурулёв заявил, что Казахстан на очереди.",
               rules_only=True).documents["tension_rating"][0] == 3


@pytest.mark.xfail(strict=True, reason="known model error: 'Казахстан на очереди' in a two-sentence document is "
                   "below the threat threshold")
def test_short_russian_threat_document_is_rated_a_threat():
    ex = run("Астана, 8 апреля 2024 года. Депутат Гурулёв заявил, что Казахстан на очереди.")
    assert ex.documents["tension_rating"][0] == 3


def test_contract_records():
    ex = run("State Duma deputy Andrei Gurulyov said that Kazakhstan will be next.", published_at="2024-04-06")
    recs = signal_records(ex.signals)
    assert recs and set(recs[0]) == {"doc_id", "kind", "char_start", "char_end", "sentence", "speaker",
                                      "target", "claim", "cue", "score"}
    assert set(recs[0]["speaker"]) == {"name", "id", "role", "country"}
    assert set(recs[0]["target"]) == {"name", "id", "type", "country"}
    docs = document_records(ex.documents)
    assert docs == [{"doc_id": "d", "language": "en", "published_at": "2024-04-06", "tension_rating": 3,
                     "target_mentioned": True}]


def test_sentence_spans():
    text = "Mr. Smith met A. Gurulyov. He said: \"Go. Now.\" Then left.\nNew line"
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == ["Mr. Smith met A. Gurulyov.", "He said: \"Go. Now.\" Then left.", "New line"]


def test_reference_register_size():
    people = load_people()
    assert len(people) >= 60
    assert len({p["person_id"] for p in people}) == len(people)
    assert {"RU", "KZ", "UA", "AM", "BY"} <= {p["country"] for p in people}


@pytest.mark.parametrize("target", ["KZ", "AM"])
def test_targets_load(target):
    t = load_target(target)
    assert t.adversary == "RU" and t.entries
