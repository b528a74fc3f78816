"""Deterministic synthetic news corpus for the extraction benchmark.

All text here is written for georisk: sentences are drawn from the templates and word lists below
(English and Russian, about half each), so the corpus carries no third-party text. Documents are
1–8 KB with a dateline, a few paragraphs and a title. About 3 % of the documents are about the
target (Kazakhstan): some neutral (trade, weather, sport), some with hostile cues, threats,
accusations or denials voiced by Russian officials and commentators, naming Kazakh officials from
``reference/people.csv`` (Russian names inflected: «Токаева», «в Астане», «казахов»). The rest is
general news: economy, sport, weather, technology, other countries, and hostility "traps" aimed at
Ukraine or Armenia that use the same cue words without the target, plus near-miss words (Kazan,
Pakistan, «Казань», «настанет») that an unbounded substring search would confuse with the target.

``generate(mb, seed)`` returns a polars frame with the extractor's input columns
(doc_id, text, title, url, outlet, published_at, language); ``corpus_path(mb, seed)`` writes it
to ``bench_results/corpus.parquet`` once and reuses it while the seed, size and generator version
match (a sidecar ``corpus.json`` records them with the text hash).

    BENCH_MB=20 .venv/bin/python -m bench.generate     # write / reuse a 20 MB corpus
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import random
from pathlib import Path

import polars as pl

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240601
DEFAULT_MB = 200.0
TARGET_SHARE = 0.03
REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench_results"
MB = 1_000_000  # throughput and sizes are in decimal megabytes of UTF-8 text

# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------

EN = {
    "company": ["Norcastle Energy", "Bluefield Motors", "Aster Logistics", "Pinecrest Bank", "Helix Pharma",
                "Orion Telecom", "Summit Foods", "Vantage Steel", "Greyhaven Capital", "Lumen Semiconductors",
                "Redwater Mining", "Calder Airlines", "Northgate Retail", "Silverline Shipping"],
    "city": ["London", "Berlin", "Tokyo", "Sao Paulo", "Toronto", "Madrid", "Seoul", "Nairobi", "Lagos",
             "Mumbai", "Sydney", "Kazan", "Rome", "Oslo", "Chicago", "Lisbon", "Jakarta", "Istanbul"],
    "country": ["Brazil", "India", "Japan", "Canada", "Mexico", "Germany", "France", "Italy", "Spain",
                "Poland", "Pakistan", "Indonesia", "Nigeria", "Vietnam", "Chile", "Egypt"],
    "team": ["Riverside United", "Northern Rovers", "Harbour City", "Atletico Verde", "Real Castellon",
             "Eastport Athletic", "Kingsbridge FC", "Sporting Lagoa"],
    "player": ["Marco Bellini", "Tom Hadley", "Luis Ferreira", "Kenji Watanabe", "Samuel Okafor",
               "Pierre Dumont", "Jakub Novak", "Daniel Reyes"],
    "official": ["Finance Minister Laura Brenner", "central bank governor Paul Avery", "Economy Minister Ravi Menon",
                 "Prime Minister Elena Vasquez", "Trade Secretary John Miller", "Mayor Anna Kowalski"],
    "tech": ["chipmaker", "cloud provider", "smartphone maker", "electric-car maker", "software group",
             "battery producer"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"],
    "ru_role": ["State Duma deputy", "TV host", "political analyst", "Kremlin-linked commentator",
                "pro-war blogger", "Russian lawmaker"],
    "traprole": ["State Duma deputy", "TV host", "Russian lawmaker"],
}

RU = {
    "company": ["«Северсталь-Трейд»", "«Восток-Агро»", "«Техноресурс»", "«Балтийский альянс»",
                "«Уралхимпром»", "«Сибирская логистика»", "«Нефтегазстрой»", "«Волжский мост»"],
    "city_prep": ["Москве", "Новосибирске", "Казани", "Екатеринбурге", "Самаре", "Перми", "Астрахани",
                  "Воронеже", "Омске", "Ростове-на-Дону", "Калининграде", "Мурманске"],
    "city": ["МОСКВА", "НОВОСИБИРСК", "КАЗАНЬ", "ЕКАТЕРИНБУРГ", "САМАРА", "ОМСК", "ВОРОНЕЖ"],
    "country_gen": ["Бразилии", "Индии", "Японии", "Канады", "Мексики", "Германии", "Франции", "Италии",
                    "Пакистана", "Индонезии", "Вьетнама", "Турции"],
    "team": ["«Спартак»", "«Зенит»", "«Локомотив»", "«Динамо»", "«Рубин»", "«Крылья Советов»", "«Урал»"],
    "player": ["Иван Соколов", "Артем Белов", "Никита Орлов", "Денис Кравцов", "Максим Лебедев"],
    "official": ["министр финансов Анна Прохорова", "глава Минэкономразвития Павел Грачев",
                 "губернатор области Олег Ветров", "мэр города Игорь Савин"],
    "month_prep": ["январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                   "октябре", "ноябре", "декабре"],
    "month_gen": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                  "октября", "ноября", "декабря"],
    "weekday": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу"],
    "ru_role": ["Депутат Госдумы", "Телеведущий", "Политолог", "Военный блогер", "Депутат"],
}

# ---------------------------------------------------------------------------------------------
# Templates: general news
# ---------------------------------------------------------------------------------------------

EN_GENERAL = {
    "economy": [
        "{company} reported a {pct}% rise in quarterly revenue to ${num} billion, beating analyst forecasts.",
        "Shares of {company} fell {pct}% in early trading in {city} after the company cut its outlook.",
        "{official} said inflation was expected to ease to {pct}% by the end of the year.",
        "The central bank of {country} kept its key rate at {pct}% for a third meeting in a row.",
        "Analysts said higher energy prices could slow growth in {country} in the second half.",
        "Retail sales in {country} rose {pct}% in {month} from a year earlier, official data showed on {weekday}.",
        "{company} said it would invest ${num} million in a new plant near {city} and hire {int} workers.",
        "Bond yields edged higher as investors weighed the outlook for interest rates.",
        "The merger, valued at about ${num} billion, still needs approval from regulators in {country}.",
        "Oil prices rose {pct}% on {weekday} after producers signalled they would keep output steady.",
    ],
    "sport": [
        "{team} beat {team} {score} on {weekday} to move top of the table.",
        "{player} scored twice in the second half as {team} came from behind to win.",
        "The coach of {team} said the squad was tired after a long trip to {city}.",
        "{player} signed a new four-year contract with {team}, the club said on {weekday}.",
        "Tickets for the final in {city} sold out within an hour, organisers said.",
        "{team} have not lost at home since {month}, a run of {int} matches.",
    ],
    "weather": [
        "Forecasters warned of heavy rain and strong winds in {city} on {weekday}.",
        "Temperatures in {city} are expected to reach {int} degrees Celsius later this week.",
        "Flooding closed several roads north of {city}, and schools were shut for the day.",
        "A heatwave across {country} pushed electricity demand to a record on {weekday}.",
        "Snow is expected in the mountains, while the coast stays dry and mild.",
    ],
    "tech": [
        "The {tech} {company} unveiled a new product line at an event in {city} on {weekday}.",
        "{company} said a software update had fixed the security flaw reported last month.",
        "Regulators in {country} opened an inquiry into how the {tech} handles user data.",
        "The {tech} plans to double its data-centre capacity by the end of next year.",
        "Researchers in {city} said the new battery could charge in under {int} minutes.",
    ],
    "world": [
        "Voters in {country} go to the polls on {weekday} in an election seen as a test for the government.",
        "{official} met counterparts in {city} to discuss trade and climate finance.",
        "Protesters gathered in central {city} to demand higher wages for teachers.",
        "The foreign ministers of {country} and {country} agreed to reopen talks on a free-trade deal.",
        "Officials in {city} said the new metro line would open in {month}.",
        "Parliament in {country} approved the budget after a late-night debate.",
    ],
    "trap": [
        "{traprole} {ru_en} said that Ukraine is a puppet of the West and accused Kyiv of betrayal.",
        "Moscow warned that Armenia could be next if Yerevan kept drifting towards the West.",
        "The Kremlin denied the reports about troop movements, calling them fake news.",
        "{ru_en} called the Armenian leadership ungrateful and said Yerevan had betrayed Russia.",
        "Russian state television again described Ukraine as a hostile state run by neo-Nazis.",
        "{ru_en} accused the West of waging a hybrid war against Russia.",
        "Officials in Kazan said the city would host a regional forum on {weekday}.",
        "Pakistan and India traded accusations over the border incident.",
    ],
}

RU_GENERAL = {
    "economy": [
        "Выручка компании {company} за квартал выросла на {pct}% и составила {num} млрд рублей.",
        "Акции {company} подешевели на {pct}% на торгах {weekday}.",
        "Инфляция в {month_prep} замедлилась до {pct}%, сообщил {official}.",
        "Центробанк сохранил ключевую ставку на уровне {pct}% годовых.",
        "Аналитики ожидают, что рост цен на топливо замедлит экономику во втором полугодии.",
        "Компания {company} построит новый завод в {city_prep} и создаст {int} рабочих мест.",
        "Розничные продажи в {month_prep} выросли на {pct}% по сравнению с прошлым годом.",
        "Экспорт из {country_gen} в {month_prep} сократился на {pct}%, следует из данных таможни.",
        "Правительство выделит {num} млрд рублей на ремонт дорог в регионах.",
    ],
    "sport": [
        "{team} обыграл {team} со счетом {score} и поднялся на первое место.",
        "{player} оформил дубль во втором тайме, принеся команде победу.",
        "Главный тренер {team} пожаловался на плотный график после выезда в {city_prep}.",
        "{player} продлил контракт с клубом {team} еще на три года.",
        "Билеты на финал в {city_prep} были раскуплены за час.",
    ],
    "weather": [
        "Синоптики предупредили о сильном ветре и ливнях в {city_prep} {weekday}.",
        "Температура воздуха в {city_prep} поднимется до {int} градусов тепла.",
        "Из-за паводка в {city_prep} закрыли несколько дорог и школ.",
        "Морозы до минус {int} градусов ожидаются в выходные, сообщили в гидрометцентре.",
        "Жара настанет уже к концу недели, а осадков не ожидается.",
    ],
    "tech": [
        "Компания {company} представила новую линейку продуктов на выставке в {city_prep}.",
        "Разработчики выпустили обновление, которое устраняет найденную в {month_prep} уязвимость.",
        "Регулятор начал проверку того, как сервисы обрабатывают данные пользователей.",
        "Ученые из {city_prep} создали аккумулятор, который заряжается за {int} минут.",
    ],
    "world": [
        "Выборы в парламент {country_gen} пройдут {weekday}, явка может стать рекордной.",
        "Министры иностранных дел {country_gen} и {country_gen} договорились возобновить переговоры.",
        "Тысячи людей вышли на улицы столицы {country_gen}, требуя повышения зарплат.",
        "Парламент {country_gen} утвердил бюджет на следующий год.",
        "{official} провел рабочую встречу в {city_prep}.",
    ],
    "trap": [
        "{ru_role} {ru_ru} назвал Украину марионеткой Запада и обвинил Киев в предательстве.",
        "В Москве предупредили, что Армения может стать следующей, если Ереван продолжит сближение с Западом.",
        "В Кремле опровергли сообщения о переброске войск, назвав их фейком.",
        "{ru_ru} назвал руководство Армении неблагодарным и заявил, что Ереван предал Россию.",
        "По словам {ru_ru_gen}, Запад ведет против России гибридную войну.",
        "Киев обвинил Москву в новой провокации на границе.",
        "В Казани {weekday} пройдет региональный форум.",
    ],
}

GENERAL_WEIGHTS = {"economy": 30, "sport": 15, "weather": 10, "tech": 12, "world": 23, "trap": 10}

# ---------------------------------------------------------------------------------------------
# Templates: the target (Kazakhstan)
# ---------------------------------------------------------------------------------------------

EN_TARGET = {
    "neutral": [
        "Kazakhstan's wheat exports rose {pct}% in {month}, the agriculture ministry in Astana said.",
        "{kz_en} met foreign investors in Astana on {weekday} to discuss energy projects.",
        "Trade between Russia and Kazakhstan reached ${num} billion last year, officials said.",
        "The Kazakh tenge weakened {pct}% against the dollar on {weekday}.",
        "Almaty is expected to see heavy snow this week, Kazakhstan's weather service said.",
        "{kz_en} said Kazakhstan would keep a balanced, multi-vector foreign policy.",
        "A Kazakh team won the regional chess tournament held in {city}.",
        "Oil output at Kazakhstan's largest field fell {pct}% during planned maintenance.",
    ],
    "hostile": [
        "{ru_role} {ru_en} said that Kazakhstan will be next after Ukraine.",
        "{ru_en} called Kazakhstan ungrateful and accused {kz_en} of betraying Russia.",
        "Speaking on Rossiya 1, {ru_en} claimed that Kazakhstan is oppressing Russians.",
        "{ru_en} said Kazakhstan was a puppet of the West and that Astana had forgotten who saved it in January 2022.",
        "According to {ru_en}, the Kazakh authorities are pursuing a Russophobic policy.",
        "{ru_en} warned that Russia could launch a special military operation in Kazakhstan.",
        "{ru_role} {ru_en} branded the Kazakh leadership traitors.",
    ],
    "denial": [
        "The Kazakh Foreign Ministry denied the reports, calling them fake news.",
        "{kz_en} rejected the claims as baseless.",
        "Kazakhstan's Foreign Ministry spokesman Aibek Smadiyarov said the video was doctored.",
        "Officials in Astana dismissed the allegations as disinformation.",
    ],
}

RU_TARGET = {
    "neutral": [
        "Экспорт пшеницы из Казахстана в {month_prep} вырос на {pct}%.",
        "{kz_ru} провел встречу с иностранными инвесторами в Астане.",
        "Товарооборот России и Казахстана достиг {num} млрд долларов.",
        "Курс тенге к доллару снизился на {pct}% {weekday}.",
        "В Алматы ожидается сильный снегопад, сообщили синоптики Казахстана.",
        "Число казахов, поступивших в российские вузы, выросло на {pct}%.",
        "Встреча {kz_ru_gen} с министрами прошла в Акорде.",
        "Казахстану предстоит модернизировать энергосистему к {int} году.",
    ],
    "hostile": [
        "{ru_role} {ru_ru} заявил, что Казахстан будет следующим после Украины.",
        "{ru_ru} назвал {kz_ru_acc} марионеткой Запада.",
        "По словам {ru_ru_gen}, в Казахстане притесняют русских.",
        "{ru_ru} обвинил власти Казахстана в русофобии.",
        "{ru_role} {ru_ru} заявил, что Казахстан проявляет неблагодарность и забыл добро.",
        "«Северный Казахстан — это Южная Сибирь», — заявил {ru_ru}.",
        "{ru_ru} пригрозил Астане специальной военной операцией.",
    ],
    "denial": [
        "В МИД Казахстана опровергли эти сообщения, назвав их фейком.",
        "{kz_ru} отверг обвинения как беспочвенные.",
        "Официальный представитель МИД Казахстана Айбек Смадияров назвал видео монтажом.",
        "В Астане назвали эти утверждения дезинформацией.",
    ],
}

TARGET_KIND_WEIGHTS = {"neutral": 50, "hostile": 32, "denial": 18}

EN_TITLES = {
    "economy": ["{company} beats forecasts", "Markets steady as investors await rate decision",
                "Inflation in {country} eases"],
    "sport": ["{team} top the table", "{player} signs new deal"],
    "weather": ["Storm warning for {city}", "Heatwave grips {country}"],
    "tech": ["{company} unveils new products", "Regulators probe {tech}"],
    "world": ["{country} votes", "Talks resume in {city}"],
    "trap": ["Moscow steps up rhetoric against Kyiv", "Kremlin denies troop reports"],
    "target": ["Kazakhstan in focus", "Russian commentator targets Kazakhstan", "Astana responds to claims",
               "Regional news roundup"],
}
RU_TITLES = {
    "economy": ["Выручка {company} выросла", "Инфляция замедлилась"],
    "sport": ["{team} возглавил таблицу", "{player} продлил контракт"],
    "weather": ["Синоптики предупредили о ливнях", "Жара в {city_prep}"],
    "tech": ["{company} представила новинки", "Регулятор проверит сервисы"],
    "world": ["Выборы в {country_gen}", "Переговоры возобновятся"],
    "trap": ["В Кремле опровергли сообщения", "Москва и Киев обменялись обвинениями"],
    "target": ["Новости Казахстана", "В Москве снова заговорили о Казахстане", "Астана ответила на обвинения",
               "Обзор региональных новостей"],
}

EN_OUTLETS = [("RT", "rt.com"), ("The Astana Times", "astanatimes.com"), ("Radio Free Europe", "rferl.org"),
              ("Daily Courier", "dailycourier.example"), ("Global Herald", "globalherald.example"),
              ("Market Wire", "marketwire.example")]
RU_OUTLETS = [("ТАСС", "tass.ru"), ("РИА Новости", "ria.ru"), ("Регнум", "regnum.ru"), ("Лента.ру", "lenta.ru"),
              ("Tengrinews", "tengrinews.kz"), ("Вечерний вестник", "vestnik.example"),
              ("Городские новости", "gorod.example"), ("Interfax", "interfax.ru")]

# ---------------------------------------------------------------------------------------------
# People from the register (names only; roles in the templates are the generator's own)
# ---------------------------------------------------------------------------------------------


def _ru_gen(name: str) -> str:
    """Genitive of a Russian/Kazakh name as used in the templates (good enough for surnames)."""
    out = []
    for w in name.split(" "):
        parts = w.split("-")
        last = parts[-1]
        lw = last.lower()
        if lw.endswith(("ова", "ева", "ёва", "ина")):
            last = last[:-1] + "ой"
        elif lw.endswith(("ий", "ый")):
            last = last[:-2] + "ого"
        elif lw.endswith("ой"):
            last = last[:-2] + "ого"
        elif lw.endswith("й"):
            last = last[:-1] + "я"
        elif lw.endswith(("а", "я")):
            last = last[:-1] + ("и" if lw[-2:-1] in "гкхжчшщ" or lw.endswith("я") else "ы")
        elif lw[-1:] in "оеиуыэюё":
            pass
        else:
            last = last + "а"
        out.append("-".join(parts[:-1] + [last]))
    return " ".join(out)


def _people() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(English name, Russian name) pairs of Kazakh and Russian persons in the register."""
    kz, ru = [], []
    with open(REPO / "reference" / "people.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r.get("person_id") or r["person_id"].startswith("#") or r.get("entity_type") != "person":
                continue
            aliases = [a.strip() for a in (r.get("aliases") or "").split("|") if a.strip()]
            cyr = [a for a in aliases if any("а" <= c.lower() <= "я" for c in a) and " " in a]
            if not cyr:
                continue
            pair = (r["canonical_name"], cyr[0])
            if r["country"] == "KZ":
                kz.append(pair)
            elif r["country"] == "RU":
                ru.append(pair)
    return kz, ru


# ---------------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------------


class _Slots(dict):
    """format_map() mapping that draws a fresh value for every slot."""

    def __init__(self, rng: random.Random, words: dict, extra: dict):
        super().__init__()
        self.rng = rng
        self.words = words
        self.extra = extra

    def __missing__(self, key):
        r = self.rng
        if key == "pct":
            return f"{r.randint(1, 30)}.{r.randint(0, 9)}"
        if key == "num":
            return f"{r.randint(1, 90)}.{r.randint(1, 9)}"
        if key == "int":
            return str(r.randint(2, 40) * 10 if r.random() < 0.5 else r.randint(2, 40))
        if key == "score":
            return f"{r.randint(0, 4)}:{r.randint(0, 3)}"
        if key in self.extra:
            return self.extra[key]
        return r.choice(self.words[key])


def _weighted(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Generator:
    def __init__(self, seed: int = DEFAULT_SEED):
        self.rng = random.Random(seed)
        self.seed = seed
        self.kz, self.ru = _people()
        self.start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def _person_slots(self) -> dict:
        r = self.rng
        kz_en, kz_ru = r.choice(self.kz)
        ru_en, ru_ru = r.choice(self.ru)
        return {"kz_en": kz_en, "kz_ru": kz_ru, "kz_ru_gen": _ru_gen(kz_ru), "kz_ru_acc": _ru_gen(kz_ru),
                "ru_en": ru_en, "ru_ru": ru_ru, "ru_ru_gen": _ru_gen(ru_ru)}

    def document(self, i: int) -> dict:
        r = self.rng
        lang = "en" if r.random() < 0.5 else "ru"
        is_target = r.random() < TARGET_SHARE
        words = EN if lang == "en" else RU
        general = EN_GENERAL if lang == "en" else RU_GENERAL
        targ = EN_TARGET if lang == "en" else RU_TARGET
        titles = EN_TITLES if lang == "en" else RU_TITLES
        slots = _Slots(r, words, self._person_slots())
        size = r.randint(1000, 8000)
        topic = _weighted(r, GENERAL_WEIGHTS)
        kind = _weighted(r, TARGET_KIND_WEIGHTS) if is_target else None
        when = self.start + dt.timedelta(seconds=r.randint(0, 365 * 86400))
        if lang == "en":
            city = r.choice(["ASTANA", "ALMATY"]) if is_target and r.random() < 0.5 else r.choice(words["city"]).upper()
            dateline = f"{city}, {EN['month'][when.month - 1]} {when.day}, {when.year} — "
        else:
            dateline = f"{r.choice(words['city'])}, {when.day} {RU['month_gen'][when.month - 1]} {when.year} г. — "
        paras: list[str] = []
        sent_in_para: list[str] = []
        n = len(dateline.encode())
        k = 0
        while n < size:
            if is_target and (k == 0 or r.random() < 0.3):
                # mostly the document's kind, sometimes neutral background about the target
                tk = kind if k == 0 or r.random() < 0.7 else "neutral"
                s = r.choice(targ[tk]).format_map(slots)
            else:
                t = topic if r.random() < 0.75 else _weighted(r, GENERAL_WEIGHTS)
                s = r.choice(general[t]).format_map(slots)
            if k > 0 and r.random() < 0.25:
                slots.extra.update(self._person_slots())
            sent_in_para.append(s)
            n += len(s.encode()) + 1
            k += 1
            if len(sent_in_para) >= r.randint(2, 5):
                paras.append(" ".join(sent_in_para))
                sent_in_para = []
                n += 1
        if sent_in_para:
            paras.append(" ".join(sent_in_para))
        text = dateline + "\n\n".join(paras)
        title = r.choice(titles["target" if is_target else topic]).format_map(slots)
        outlet, domain = r.choice(EN_OUTLETS if lang == "en" else RU_OUTLETS)
        doc_id = f"bench-{self.seed}-{i:07d}"
        return {
            "doc_id": doc_id,
            "text": text,
            "title": title,
            "url": f"https://{domain}/news/{when:%Y/%m/%d}/{doc_id}",
            "outlet": outlet,
            # ingestion normally fills both; a few documents lack them so the fallbacks are exercised
            "published_at": None if r.random() < 0.05 else when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "language": None if r.random() < 0.02 else lang,
            "_target": is_target,
        }


SCHEMA = {"doc_id": pl.Utf8, "text": pl.Utf8, "title": pl.Utf8, "url": pl.Utf8, "outlet": pl.Utf8,
          "published_at": pl.Utf8, "language": pl.Utf8}


def generate(mb: float = DEFAULT_MB, seed: int = DEFAULT_SEED, with_truth: bool = False) -> pl.DataFrame:
    """A corpus of at least ``mb`` MB (10^6 bytes) of UTF-8 text; deterministic in (mb, seed)."""
    g = Generator(seed)
    want = int(mb * MB)
    rows: list[dict] = []
    total = 0
    i = 0
    while total < want:
        d = g.document(i)
        total += len(d["text"].encode())
        rows.append(d)
        i += 1
    df = pl.DataFrame(rows, schema={**SCHEMA, "_target": pl.Boolean}, orient="row")
    return df if with_truth else df.drop("_target")


def corpus_hash(df: pl.DataFrame) -> str:
    h = hashlib.sha256()
    for col in SCHEMA:
        for v in df[col].to_list():
            h.update(b"\x00" if v is None else v.encode() + b"\x01")
    return h.hexdigest()


def env_mb() -> float:
    return float(os.environ.get("BENCH_MB", DEFAULT_MB))


def corpus_path(mb: float | None = None, seed: int = DEFAULT_SEED, out_dir: Path = RESULTS_DIR) -> Path:
    """Path of the cached corpus for (seed, mb), generating it first when missing or stale."""
    mb = env_mb() if mb is None else mb
    out_dir.mkdir(parents=True, exist_ok=True)
    path, meta_path = out_dir / "corpus.parquet", out_dir / "corpus.json"
    want = {"seed": seed, "mb": mb, "version": GENERATOR_VERSION}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in want} == want:
            return path
    df = generate(mb, seed)
    tmp = out_dir / ".corpus.parquet.tmp"
    df.write_parquet(tmp, compression="zstd", row_group_size=8192)
    tmp.replace(path)
    n_bytes = int(df["text"].str.len_bytes().sum())
    meta_path.write_text(json.dumps({**want, "docs": df.height, "text_bytes": n_bytes,
                                     "sha256": corpus_hash(df)}, indent=1) + "\n")
    return path


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    p = corpus_path()
    print(p, json.loads((p.parent / "corpus.json").read_text()), f"{time.perf_counter() - t0:.1f}s")
