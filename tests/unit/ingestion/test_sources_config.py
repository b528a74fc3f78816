"""config/sources.yaml and its loader: the real file validates, mistakes name their key."""

from __future__ import annotations

import copy

import pytest
import yaml
from source_fakes import FIXTURES

from ingestion.sources.config import (
    ALIGNMENTS,
    DEFAULT_CONFIG_PATH,
    ConfigError,
    host_allowed,
    load_config,
    load_outlets,
    parse_config,
)

TEST_CONFIG = FIXTURES / "sources_test.yaml"


def test_the_project_config_loads_and_every_source_is_labelled():
    cfg = load_config(DEFAULT_CONFIG_PATH)
    outlets = load_outlets()
    kinds = {s.kind for s in cfg.sources}
    assert kinds == {"rss", "official", "telegram_export", "gdelt", "drop_folder"}
    for s in cfg.sources:
        if s.kind in ("rss", "official"):
            assert s.country and s.alignment in ALIGNMENTS, s.id
            assert s.outlet_id in outlets, s.id
            assert s.url and s.url.startswith(("http://", "https://")), s.id
            assert s.allows(s.url), s.id
        if s.kind == "official":
            assert s.doc_type == "official_statement" and s.issuing_body, s.id
    ids = {s.id for s in cfg.sources}
    assert {"tass_en", "tass_ru", "ria_ru", "rt_en", "izvestia", "lenta", "regnum", "eadaily", "kazinform_ru",
            "tengrinews", "vlast_kz", "orda_kz", "azattyq_ru", "kaztag", "astana_times", "kremlin_en", "akorda_ru",
            "mfa_kz", "mid_ru", "eurasianet", "rferl_kz", "pravda_ua_en", "gdelt_kz_ru", "telegram_exports",
            "drop_folder"} <= ids
    # Alignment as the register has it: Russian state media, Kazakh independents, official bodies.
    assert (cfg.get("tass_en").country, cfg.get("tass_en").alignment) == ("RU", "state")
    assert (cfg.get("vlast_kz").country, cfg.get("vlast_kz").alignment) == ("KZ", "independent")
    assert (cfg.get("kremlin_en").country, cfg.get("kremlin_en").alignment) == ("RU", "official_body")
    assert cfg.get("tass_en").outlet == "TASS"


def test_network_policy_and_the_allowlist():
    cfg = load_config(DEFAULT_CONFIG_PATH)
    n = cfg.network
    assert n.user_agent.startswith("georisk/")
    assert n.interval_for("api.gdeltproject.org") == 5.0
    assert n.concurrency_for("api.gdeltproject.org") == 1
    assert n.interval_for("en.kremlin.ru") == 3.0  # a subdomain takes its parent's entry
    assert n.interval_for("tass.ru") == n.per_host_interval_s
    hosts = cfg.allowed_hosts()
    assert {"api.gdeltproject.org", "tass.com", "kremlin.ru", "akorda.kz"} <= hosts
    # disabled sources are not contacted
    assert "gov.kz" not in hosts and "gov.kz" in cfg.allowed_hosts(include_disabled=True)
    assert host_allowed("en.kremlin.ru", hosts) and not host_allowed("notkremlin.ru", hosts)
    assert not host_allowed("example.com", hosts) and not host_allowed(None, hosts)


def test_client_policy_carries_the_network_keys():
    cfg = load_config(DEFAULT_CONFIG_PATH)
    pol = cfg.client_policy()
    assert pol.user_agent == cfg.network.user_agent
    assert pol.interval_for("api.gdeltproject.org") == 5.0
    assert pol.max_retries == cfg.network.retries
    assert pol.allowed_hosts == set(cfg.allowed_hosts())


def test_a_test_config_points_at_loopback():
    cfg = load_config(TEST_CONFIG)
    assert cfg.allowed_hosts() == frozenset({"127.0.0.1"})
    assert [s.id for s in cfg.enabled()] == ["tass_en", "orda_kz", "kremlin_en", "akorda_ru", "gdelt_kz_ru",
                                             "telegram_exports", "drop_folder"]
    assert [s.id for s in cfg.enabled({"telegram_export"})] == ["telegram_exports"]
    tg = cfg.get("telegram_exports")
    assert tg.channels[0].username == "rybar" and tg.channels[0].name == "Rybar"


def _base() -> dict:
    return yaml.safe_load(TEST_CONFIG.read_text(encoding="utf-8"))


def _bad(mutate) -> ConfigError:
    data = copy.deepcopy(_base())
    mutate(data)
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    return e.value


@pytest.mark.parametrize(("mutate", "key", "words"), [
    (lambda d: d["sources"][0].update(kind="atom"), "sources[0] (tass_en).kind", "must be one of"),
    (lambda d: d["sources"][0].update(fetch_article=True), "sources[0] (tass_en).fetch_article",
     "did you mean 'fetch_articles'"),
    (lambda d: d["sources"][0].pop("url"), "sources[0] (tass_en).url", "required"),
    (lambda d: d["sources"][0].update(url="ftp://127.0.0.1/feed"), "sources[0] (tass_en).url", "http(s) URL"),
    (lambda d: d["sources"][0].update(outlet_id="tas"), "sources[0] (tass_en).outlet_id", "did you mean 'tass'"),
    (lambda d: d["sources"][0].update(alignment="independent"), "sources[0] (tass_en).alignment", "contradicts"),
    (lambda d: d["sources"][0].update(alignment="hostile"), "sources[0] (tass_en).alignment", "must be one of"),
    (lambda d: d["sources"][0].update(country="Russia"), "sources[0] (tass_en).country", "ISO 3166"),
    (lambda d: d["sources"][1].update(id="tass_en"), "sources[1].id", "earlier source"),
    (lambda d: d["sources"][4].update(max_records=500), "sources[4] (gdelt_kz_ru).max_records", "250"),
    (lambda d: d["sources"][4].pop("query"), "sources[4] (gdelt_kz_ru).query", "required"),
    (lambda d: d["sources"][5].update(path="../../etc"), "sources[5] (telegram_exports).path", ".."),
    (lambda d: d["sources"][3].update(link_pattern="(unclosed"), "sources[3] (akorda_ru).link_pattern", "regular"),
    (lambda d: d["sources"][0].update(allowed_hosts=["http://127.0.0.1/"]), "sources[0] (tass_en).allowed_hosts[0]",
     "host name"),
    (lambda d: d["network"].update(per_host_interval_s="fast"), "network.per_host_interval_s", "number"),
    (lambda d: d["network"].update(timeout=3), "network.timeout", "unknown key"),
    (lambda d: d["network"]["hosts"].update({"api.gdeltproject.org": {"interval": 5}}),
     "network.hosts.api.gdeltproject.org.interval", "did you mean 'interval_s'"),
    (lambda d: d.update(sources={"tass_en": {}}), "sources", "list"),
])
def test_a_bad_config_names_the_key(mutate, key, words):
    err = _bad(mutate)
    assert err.key == key, str(err)
    assert words in str(err)


def test_bad_yaml_says_where(tmp_path):
    p = tmp_path / "sources.yaml"
    p.write_text("network:\n  user_agent: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d"):
        load_config(p)
