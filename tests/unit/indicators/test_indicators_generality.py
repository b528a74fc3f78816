"""Generality mechanisms (round 2): cue families beyond one event, speaker and target resolution, and traps.

Every document here is written for these tests (English and Russian); none is copied from a gold set. Each test
asserts on the extractor's real output.
"""
import polars as pl
import pytest
from extract_helpers import kinds_of, run

from indicators.reference import find_outlet


def tension(ex):
    return ex.documents["tension_rating"][0]


# ---------------------------------------------------------------------------------------------
# Denials
# ---------------------------------------------------------------------------------------------

def test_hacked_account_is_a_denial_en_ru():
    en = run("A post on Sergei Markov's page called Kazakhstan a failed state. "
             "Markov's office said the page had been hacked.", outlet="Reuters")
    assert "denial" in kinds_of(en, "hacked")
    ru = run("На странице Дмитрия Медведева появился пост о Казахстане. "
             "В аппарате Медведева заявили, что страница была взломана.", outlet="Vlast.kz")
    assert "denial" in kinds_of(ru, "взломана")


def test_hostility_before_an_adversary_denial_is_kept():
    ex = run("Medvedev post calling Kazakhstan an artificial state vanishes; aide blames hackers", outlet="Reuters")
    assert {"hostile_mention", "denial"} <= kinds_of(ex, "artificial state")


def test_negated_territorial_claim_is_an_adversary_denial():
    ex = run("Официальный представитель МИД России Мария Захарова заявила, что у Москвы нет и не может быть "
             "территориальных претензий к Казахстану.", outlet="Interfax")
    assert kinds_of(ex, "претензий") == {"denial"}
    assert tension(ex) <= 1


def test_country_as_subject_of_saying_is_the_denier():
    en = run("Zatulin spoke of the north of Kazakhstan. Moscow, for its part, says it has no claims.", outlet="Reuters")
    d = en.signals.filter(pl.col("kind") == "denial").to_dicts()
    assert d and d[0]["speaker_country"] == "RU"
    ru = run("Ведущий Владимир Соловьёв заявил о притеснении русских в Казахстане. В Министерстве информации "
             "Казахстана заявили, что утверждения о притеснении не соответствуют действительности.", outlet="Orda.kz")
    d = ru.signals.filter(pl.col("kind") == "denial").to_dicts()
    assert d and d[0]["speaker_country"] == "KZ"


def test_distancing_by_the_adversary_is_a_denial():
    adv = run("Мария Захарова заявила, что мнения отдельных депутатов о Казахстане «не являются официальной позицией».",
              outlet="Interfax")
    assert "denial" in kinds_of(adv, "официальной позицией")
    d = adv.signals.filter(pl.col("kind") == "denial").row(0, named=True)
    assert d["speaker_id"] == "ru_zakharova_maria"
    # Kazakh officials saying a deputy's words do not reflect Russia's position used to be asserted a non-denial
    # here; the annotation guide settled it the other way (either side disowning a claim is a denial)


def test_target_denial_in_a_dispute_with_another_country_is_not_counted():
    ex = run("Kyrgyz officials complained about queues on the border. Kazakhstan's customs committee said the checks "
             "were routine and denied that they were aimed at Kyrgyz goods.", outlet="24.kg")
    assert ex.signals.height == 0


# ---------------------------------------------------------------------------------------------
# Threats phrased as consequences, pretexts and territorial revision
# ---------------------------------------------------------------------------------------------

def test_retribution_threats_en_ru():
    en = run("A popular pro-Kremlin Telegram channel wrote that \"Kazakhstan will pay for every container it stops.\"",
             outlet="Reuters")
    assert "threat" in kinds_of(en, "will pay for every")
    ru = run("Автор одного из крупных Z-каналов пообещал, что «Казахстану это ещё аукнется».", outlet="Orda.kz")
    assert "threat" in kinds_of(ru, "аукнется")


def test_economic_lever_threat_en_ru():
    en = run("A Russian commentator said the pipe can stay closed as long as Astana keeps forgetting who its friends "
             "are.", outlet="Reuters")
    assert "threat" in kinds_of(en, "pipe")
    ru = run("Российский политолог заявил, что Москва может перекрыть трубу КТК, если Астана не одумается.",
             outlet="Orda.kz")
    assert "threat" in kinds_of(ru, "трубу")


def test_protecting_compatriots_is_a_threat_of_force():
    ru = run("Автор канала написал: будем защищать русских людей на севере Казахстана.")
    assert "threat" in kinds_of(ru, "защищать")
    assert tension(ru) == 3
    en = run("State Duma deputy Konstantin Zatulin said Russia would have to protect the Russians of Kazakhstan.",
             outlet="Reuters")
    assert "threat" in kinds_of(en, "protect")


def test_territorial_questions_and_ours_again_en_ru():
    ru = run("Депутат Госдумы Константин Затулин заявил, что у России «появятся вопросы» к северным территориям "
             "Казахстана.", outlet="Orda.kz")
    assert "threat" in kinds_of(ru, "вопросы")
    en = run("In the video a man in a Russian uniform says the northern regions of Kazakhstan \"will be ours again.\"")
    assert "threat" in kinds_of(en, "ours again")
    assert tension(en) == 3


def test_denazification_demand_is_a_threat_of_force():
    ex = run("Один из гостей студии предложил «провести денацификацию» в Казахстане.", outlet="Orda.kz")
    assert "threat" in kinds_of(ex, "денацификацию")
    assert tension(ex) == 3


def test_ukraine_as_a_warning_is_a_threat_but_not_of_force():
    ex = run("TV host Tigran Keosayan told Kazakhstan to look at what happened to Ukraine.", outlet="Reuters")
    assert "threat" in kinds_of(ex, "Ukraine")
    assert tension(ex) == 2


def test_threat_word_whose_object_is_another_country_is_not_aimed_at_the_target():
    ex = run("Kazakhstan, which has a large Russian minority, has kept ties with Moscow since Russia's invasion of "
             "Ukraine, Kremlin spokesman Dmitry Peskov said.", outlet="Reuters")
    assert "threat" not in kinds_of(ex, "invasion")


@pytest.mark.xfail(strict=True, reason="known model error: a reported territorial thesis without a demand or "
                   "consequence is read as a threat")
def test_threat_word_as_a_topic_is_a_hostile_mention_only():
    ex = run("Российский депутат Андрей Гурулёв повторил тезисы о «северных территориях» Казахстана.",
             outlet="Orda.kz")
    assert kinds_of(ex, "северных") == {"hostile_mention"}


# ---------------------------------------------------------------------------------------------
# Hostile framing families
# ---------------------------------------------------------------------------------------------

def test_debt_and_ingratitude_reminders_en_ru():
    en = run("Several pro-war Z-bloggers wrote that Tokayev \"owes his chair to Russian paratroopers\".",
             outlet="Reuters")
    assert "hostile_mention" in kinds_of(en, "owes")
    acc = en.signals.filter(pl.col("kind") == "accusation")
    assert "Kassym-Jomart Tokayev" in acc["target_name"].to_list()
    ru = run("Казахстан забыл, кто его спас.")
    assert "hostile_mention" in kinds_of(ru, "забыл")


def test_western_handlers_and_bridgehead_en_ru():
    ru = run("Пишут, что Токаев сам открыл дверь кураторам из Вашингтона, а Казахстан стал авианосцем НАТО у мягкого "
             "подбрюшья России.")
    assert "hostile_mention" in kinds_of(ru, "кураторам")


@pytest.mark.xfail(strict=True, reason="known model error: a one-sentence wire report of a TV host's label is "
                   "below the threshold")
def test_soft_underbelly_reported_by_a_wire():
    en = run("A Russian TV host said Kazakhstan has become a soft underbelly for NATO and its handlers in Washington.",
             outlet="Reuters")
    assert "hostile_mention" in kinds_of(en, "underbelly")


def test_duplicity_and_long_memory():
    ex = run("Казахстанские власти ведут политику «и нашим, и вашим». Маргарита Симоньян заметила, что у России "
             "«долгая память».")
    assert "hostile_mention" in kinds_of(ex, "и нашим")
    assert "hostile_mention" in kinds_of(ex, "долгая память")


# ---------------------------------------------------------------------------------------------
# Speakers and targets
# ---------------------------------------------------------------------------------------------

def test_english_wrote_that_x_does_not_make_x_the_speaker():
    ex = run("Russian pundits wrote that Tokayev is ungrateful.", outlet="Reuters")
    h = ex.signals.filter(pl.col("kind") == "hostile_mention").to_dicts()
    assert h and h[0]["speaker_name"] != "Kassym-Jomart Tokayev"


def test_object_of_a_charge_is_not_the_speaker_ru():
    ex = run("Автор Z-канала обвинил Василенко в предательстве и пообещал, что Казахстану это аукнется.",
             outlet="Orda.kz")
    assert "threat" in kinds_of(ex, "аукнется")
    acc = ex.signals.filter(pl.col("kind") == "accusation")
    assert "Roman Vassilenko" in acc["target_name"].to_list()


def test_role_noun_takes_the_side_of_the_show_it_is_on():
    ex = run("A guest on a Rossiya-1 talk show said Kazakhstan must be taught a lesson.", outlet="Reuters")
    assert "hostile_mention" in kinds_of(ex, "lesson")


def test_ambassador_to_the_target_is_not_of_the_target():
    ex = run("Russia's ambassador to Kazakhstan, Alexey Borodavkin, said that Kazakh media were publishing "
             "anti-Russian material. Several Kazakh journalists accused Borodavkin of pressure on the press.",
             outlet="Kursiv")
    assert "hostile_mention" in kinds_of(ex, "anti-Russian")
    acc = ex.signals.filter(pl.col("kind") == "accusation")
    assert "Alexey Borodavkin" in acc["target_name"].to_list()


def test_target_group_without_a_verb_of_saying_is_the_topic_not_the_voice():
    ex = run("Казахстанские власти ведут многовекторную политику, а на деле — двойную игру.")
    assert "hostile_mention" in kinds_of(ex, "двойную игру")


def test_target_subject_of_a_reporting_verb_is_the_target_voice():
    ex = run("Депутат Госдумы Андрей Гурулёв заявил о паводке. Kazakhstan's central bank warned of serious "
             "consequences for inflation.")
    assert ex.signals.height == 0


def test_strong_cue_right_after_a_sentence_about_the_target_inherits_it():
    ex = run("Теперь Токаев рассказывает западным журналистам о суверенитете. Это называется одним словом — "
             "неблагодарность.")
    assert "hostile_mention" in kinds_of(ex, "неблагодарность")
    other = run("Теперь Токаев рассказывает западным журналистам о суверенитете. Грузия же проявила "
                "неблагодарность.")
    assert "hostile_mention" not in kinds_of(other, "Грузия")


def test_outlet_named_by_its_domain_gets_the_country():
    assert find_outlet("24.kg")["country"] == "KG"
    assert find_outlet("Factcheck.kz")["country"] == "KZ"


# ---------------------------------------------------------------------------------------------
# Traps: hostility aimed elsewhere, neutral news, Kazakh criticism of Russia
# ---------------------------------------------------------------------------------------------

def test_traps_stay_silent():
    traps = [
        ("Moscow warned Yerevan it will pay for leaving the CSTO. Russian TV host Vladimir Solovyov called Pashinyan "
         "a traitor and said Armenia should look at what happened to Ukraine. Kazakhstan, which chairs the bloc, "
         "made no comment.", "The Moscow Times"),
        ("Захарова заявила, что Кишинёву придётся ответить за антироссийский курс, а Молдавия повторит судьбу "
         "Украины. Президент Казахстана Токаев в тот же день провёл переговоры с Путиным в Астане.", "Interfax"),
        ("Kazakhstan and Russia agreed to expand grain transit. The CPC terminal will stay closed for two days "
         "because of a storm, the consortium said. Officials in Astana said oil exports would not be affected.",
         "Reuters"),
        ("Казахстан и Россия договорились о защите соотечественников от мошенников в интернете. Правительство "
         "Казахстана приняло меры, чтобы перекрыть каналы контрабанды нефти.", "Kazinform"),
        ("Kazakh deputy Yermurat Bapi said Russia will pay for its war against Ukraine. Казахстанский политолог "
         "заявил, что Россия — враг свободы.", "Orda.kz"),
        ("Kazakhstan will pay for the new pipeline from its own budget, the ministry said. Russia and Kazakhstan "
         "signed a deal on grain transit.", None),
        ("После Украины настанет очередь Прибалтики, пишет канал. Казахстан тем временем наращивает экспорт зерна.",
         None),
    ]
    for text, outlet in traps:
        ex = run(text, outlet=outlet)
        assert ex.signals.height == 0, (text, ex.signals.select("kind", "cue").rows())
        assert tension(ex) == 0


def test_lower_case_words_of_outlet_names_decline():
    ex = run("В эфире Первого канала Казахстан назвали «антироссийским плацдармом».", outlet="Vlast.kz")
    h = ex.signals.filter(pl.col("kind") == "hostile_mention").to_dicts()
    assert h and h[0]["speaker_name"] == "Channel One"


def test_return_of_land_is_a_territorial_threat_en_ru():
    en = run("Russian MP Mikhail Delyagin said the northern lands of Kazakhstan should be returned.", outlet="Reuters")
    assert "threat" in kinds_of(en, "returned") and tension(en) == 3
    ru = run("Депутат Госдумы Михаил Делягин заявил, что северные области Казахстана нужно вернуть России.",
             outlet="Orda.kz")
    assert "threat" in kinds_of(ru, "вернуть") and tension(ru) == 3
