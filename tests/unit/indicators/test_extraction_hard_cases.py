"""The learned extraction stage on the hard cases of issue 9: one short document per family and language, each
written for these tests (none is in the training corpus), and the two errors analysts saw in the brief of
2024-04-08. Every assertion is on the real output of ``indicators.extract.extract`` with the shipped model.
"""

import polars as pl
import pytest
from extract_helpers import kinds_of, run


def rows(ex, kind=None):
    return [r for r in ex.signals.to_dicts() if kind is None or r["kind"] == kind]


def accused(ex):
    return {r["target_name"] for r in rows(ex, "accusation") if r["target_type"] == "person"}


# ---------------------------------------------------------------------------------------------
# the two errors of the 2024-04-08 brief
# ---------------------------------------------------------------------------------------------

def test_no_claims_statement_is_a_denial_not_a_threat():
    ex = run("ASTANA/MOSCOW, April 8 — The Kremlin on Monday called Kazakhstan a close ally and said Russia had no "
             "claims against it, after a video of a Russian lawmaker musing about a possible war with the Central "
             "Asian country caused an outcry in Astana.", outlet="Reuters")
    denials = rows(ex, "denial")
    assert denials and denials[0]["speaker_country"] == "RU"
    # the threat in that sentence is the lawmaker's, never the Kremlin's
    assert all(r["speaker_name"] != "Kremlin" for r in rows(ex, "threat"))
    ru = run("Пресс-секретарь Кремля Дмитрий Песков заявил, что у России нет и не может быть территориальных "
             "претензий к Казахстану.", outlet="Interfax")
    assert kinds_of(ru, "претензий") == {"denial"}


def test_rebuke_of_a_deputy_is_the_rebukers_accusation():
    statement = ("Брифинг официального представителя МИД Республики Казахстан.\n"
                 "Высказывания депутата Госдумы А. Гурулёва мы считаем недопустимыми и провокационными.")
    ex = run(statement, outlet="Министерство иностранных дел Республики Казахстан")
    acc = [r for r in rows(ex, "accusation") if r["target_type"] == "person"]
    assert acc and acc[0]["target_name"] == "Andrei Gurulyov"
    assert acc[0]["speaker_name"] != "Andrei Gurulyov" and acc[0]["speaker_country"] == "KZ"
    en = run("Kazakhstan's foreign ministry spokesman Aibek Smadiyarov called Konstantin Zatulin's remarks "
             "unacceptable and provocative.", outlet="Reuters")
    acc = [r for r in rows(en, "accusation") if r["target_type"] == "person"]
    assert [r["target_name"] for r in acc] == ["Konstantin Zatulin"]
    assert acc[0]["speaker_name"] == "Aibek Smadiyarov"


# ---------------------------------------------------------------------------------------------
# paraphrase without stock words; reported versus own voice
# ---------------------------------------------------------------------------------------------

def test_paraphrased_hostility_in_a_pro_kremlin_outlets_own_voice():
    ex = run("Астана снова забыла, кто протянул ей руку в трудный час. Благодарность у наших соседей, похоже, "
             "живёт ровно до следующего кредита.", outlet="Царьград")
    assert "hostile_mention" in kinds_of(ex, "забыла")


def test_a_report_on_hostility_is_the_hostile_speakers_not_the_reporters():
    ex = run("Kazakhstan's ambassador was summoned after a Russian TV host, Yevgeny Popov, said the country "
             "\"would not exist without Moscow's patience.\"", outlet="Eurasianet")
    hostile = rows(ex, "hostile_mention")
    assert hostile and hostile[0]["speaker_name"] == "Yevgeny Popov"


def test_an_observers_analysis_is_not_hostility():
    ex = run("Analysts in Almaty say relations with Moscow have cooled since 2022, but trade between the two "
             "countries reached a record last year.", outlet="The Diplomat")
    assert ex.signals.height == 0


# ---------------------------------------------------------------------------------------------
# nested speech: A condemns B, who called Kazakhstan X
# ---------------------------------------------------------------------------------------------

def test_nested_speech_keeps_both_voices():
    ex = run("Депутат мажилиса Нурлан Сейткали обвинил депутата Госдумы Аркадия Сомова в разжигании вражды после "
             "того, как тот назвал Казахстан «искусственным государством».", outlet="Orda.kz")
    assert {"hostile_mention", "accusation"} <= kinds_of(ex, "искусственным")
    acc = [r for r in rows(ex, "accusation") if r["target_type"] == "person"]
    assert acc and acc[0]["target_name"] == "Аркадий Сомов" and acc[0]["speaker_name"] == "Нурлан Сейткали"
    hostile = rows(ex, "hostile_mention")
    assert hostile[0]["speaker_name"] == "Аркадий Сомов"


# ---------------------------------------------------------------------------------------------
# negation after its cue; hedges
# ---------------------------------------------------------------------------------------------

def test_postposed_negation_is_a_denial_not_hostility():
    ex = run("Claims that Kazakhstan is secretly arming Kyiv — nothing of the kind, the Kazakh defence ministry "
             "said on Tuesday.", outlet="Kazinform")
    assert kinds_of(ex, "nothing of the kind") == {"denial"}
    ru = run("Казахстан предаёт союзника? Ничего подобного, ответили в МИД республики, отношения с Россией "
             "остаются союзническими.", outlet="Tengrinews")
    assert "denial" in kinds_of(ru, "Ничего подобного")
    assert "hostile_mention" not in kinds_of(ru, "Ничего подобного")


def test_a_hedge_is_not_a_denial():
    ex = run("Andrei Gurulyov was filmed saying Kazakhstan could be next. "
             "Experts said the video may have been edited, but nobody has shown how.", outlet="Reuters")
    assert "denial" not in kinds_of(ex, "may have been edited")


# ---------------------------------------------------------------------------------------------
# other country pairs, neutral news
# ---------------------------------------------------------------------------------------------

def test_hostility_aimed_at_another_country_is_not_kazakhstan_tension():
    ex = run("Russian commentator Ivan Petrov said Moldova must be \"brought back by force\". "
             "Kazakhstan's foreign minister met his Moldovan counterpart in Astana the same week.", outlet="Reuters")
    assert ex.signals.height == 0


def test_neutral_news_about_kazakhstan_has_no_signal():
    ex = run("Казахстан и Россия договорились увеличить поставки газа в северные области республики. "
             "Соглашение подписали в Астане министры энергетики двух стран.", outlet="Интерфакс-Казахстан")
    assert ex.signals.height == 0
    assert ex.documents["tension_rating"][0] == 0


# ---------------------------------------------------------------------------------------------
# lists of names; the accused in the previous sentence; pronoun speakers
# ---------------------------------------------------------------------------------------------

def test_every_official_in_a_list_is_accused():
    ex = run("Pro-Kremlin blogger Anton Budarov accused Kazakh officials - State Counsellor Yerlan Karin, Senate "
             "Speaker Maulen Ashimbayev and Information Minister Aida Balayeva - of waging an anti-Russian "
             "campaign.", outlet="Vlast.kz")
    assert {"Yerlan Karin", "Maulen Ashimbayev", "Aida Balayeva"} <= accused(ex)
    assert "Anton Budarov" not in accused(ex)


def test_the_accused_named_in_the_previous_sentence():
    ex = run("Депутат Госдумы Константин Затулин снова рассуждал о «русском севере» Казахстана. "
             "В МИД Казахстана его слова назвали провокацией и вмешательством во внутренние дела страны.",
             outlet="Kursiv")
    assert "Konstantin Zatulin" in accused(ex)


@pytest.mark.xfail(strict=True, reason="known model error: \"drifting into the orbit of London and Washington\" "
                   "after a sentence naming two officials is below the hostile-mention threshold")
def test_a_pronoun_speaker_binds_to_the_person_of_its_gender():
    ex = run("Maria Zakharova spoke after Dmitry Peskov had left the briefing room. "
             "She said Kazakhstan was \"drifting into the orbit of London and Washington\".", outlet="Reuters")
    hostile = rows(ex, "hostile_mention")
    assert hostile and hostile[0]["speaker_name"] == "Maria Zakharova"


# ---------------------------------------------------------------------------------------------
# the same sentence repeated in one document is one signal
# ---------------------------------------------------------------------------------------------

def test_a_repeated_headline_is_one_signal():
    headline = "Гурулёв: Казахстан станет следующим"
    ex = run(f"{headline}\n\n{headline}\n\nДепутат Госдумы Андрей Гурулёв заявил, что после Украины «очередь дойдёт "
             "и до Казахстана».", outlet="Orda.kz")
    sig = ex.signals.filter(pl.col("sentence") == headline)
    assert sig.filter(pl.col("kind") == "threat").height == 1
