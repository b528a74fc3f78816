"""Round 3: the speed-ups stay exact, the new general cue families and the report-frame voice fire, traps stay silent.

Every document here is written for these tests (English and Russian); none is copied from a gold set.
"""

from extract_helpers import kinds_of, run

from indicators.reference import find_outlet
from indicators.text import _FOLD_MAP, fold, sentence_spans

# --- speed-ups are exact --------------------------------------------------------------------------------------

def test_fold_matches_translate_reference():
    table = str.maketrans(_FOLD_MAP)
    for s in ["İstanbul Ёлка «Кавычки» — “x” ‘y’\u00a0z\tw", "", "ABC\u2212\u2011", "ẞ straße"]:
        low = s.lower()
        if len(low) != len(s):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
        assert fold(s) == low.translate(table)
        assert len(fold(s)) == len(s)


def test_sentence_spans_quotes_and_abbreviations():
    t = 'Mr. Smith said: «Да. Нет.» Он ушёл. Dr. A. Jones "wrote. Then" left!\nNew line. X'
    spans = sentence_spans(t)
    assert [t[a:b] for a, b in spans] == [
        "Mr. Smith said: «Да. Нет.» Он ушёл.", 'Dr. A. Jones "wrote. Then" left!', "New line.", "X"]
    long_quote = "x" * 10 + "«" + "a" * 650 + ". B"
    assert len(sentence_spans(long_quote)) == 2  # an unbalanced quote expires


def test_find_outlet_aliases_cached_and_unchanged():
    assert find_outlet("TASS")["outlet_id"] == find_outlet("tass")["outlet_id"]
    assert find_outlet(None, "https://www.rt.com/x") is not None


# --- cue families -------------------------------------------------------------------------------------------

def test_russian_stem_denazify_verb_form():
    ex = run("Депутат Госдумы Андрей Гурулёв заявил, что Казахстан нужно «денацифицировать».")
    assert "threat" in kinds_of(ex, "денацифицировать")


def test_take_back_territory_any_form():
    ex = run("Депутат Госдумы Андрей Гурулёв заявил, что северные земли Казахстана пора вернуть России.")
    assert "threat" in kinds_of(ex, "вернуть")
    ex = run("State Duma deputy Andrei Gurulyov said Russia should take back the northern territories of Kazakhstan.")
    assert "threat" in kinds_of(ex, "take back")


def test_nonexistence_of_state():
    ex = run("Andrei Gurulyov told a talk show that Kazakhstan as a state never existed before 1936.")
    assert "hostile_mention" in kinds_of(ex, "never existed")


def test_unresolved_speaker_in_report_about_adversary():
    text = ("Московский депутат Пётр Сидорчук выступил в эфире стримингового канала.\n\n"
            "По словам Сидорчука, Казахстан — «искусственное государство», а Россия должна вмешаться.")
    ex = run(text, outlet="Azattyq")
    assert "hostile_mention" in kinds_of(ex, "искусственное государство")


def test_general_denial_nothing_in_common():
    ex = run("В МИД Казахстана заявили, что эти утверждения российского депутата не имеют ничего общего с "
             "действительностью.")
    assert "denial" in kinds_of(ex, "не имеют ничего общего")


# --- traps --------------------------------------------------------------------------------------------------

def test_trap_return_of_tax_and_trade_news():
    text = ("Казахстан и Россия договорились ускорить возврат НДС экспортёрам.\n\n"
            "Министр торговли Казахстана заявил, что стороны вернутся к вопросу транзита через территорию России.")
    assert run(text, outlet="Kazinform").signals.height == 0


def test_trap_target_side_own_report_of_strike():
    ex = run("Drone strike on a pumping station in southern Russia cuts Kazakh oil flows.",
             outlet="The Astana Times")
    assert not (kinds_of(ex, "Drone strike") & {"threat", "hostile_mention"})


def test_trap_other_country_territory():
    text = ("Russian commentator Ivan Petrov said Russia should take back the territory of Moldova by force.\n\n"
            "Kazakhstan's foreign minister met his Azerbaijani counterpart the same day.")
    assert run(text, outlet="Reuters").signals.height == 0


def test_trap_gift_without_territory():
    ex = run("The gift shop in Almaty sold souvenirs from Russia and the Soviet era.", outlet="Reuters")
    assert ex.signals.height == 0
