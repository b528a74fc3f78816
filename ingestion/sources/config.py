"""config/sources.yaml: the network policy the HTTP client follows and the sources the adapters read.

`load_config(path)` reads and validates the file into frozen dataclasses; any mistake raises ConfigError naming
the key (``sources[3] (tass_en).kind: ...``). See config/README.md for every key."""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG_PATH = REPO_ROOT / "config" / "sources.yaml"
DEFAULT_OUTLETS_PATH = REPO_ROOT / "reference" / "outlets.csv"

KINDS = ("rss", "official", "telegram_export", "gdelt", "drop_folder")
DOC_TYPES = ("article", "official_statement", "telegram_post")
ALIGNMENTS = ("state", "state_aligned", "independent", "official_body")
DEFAULT_DOC_TYPE = {"rss": "article", "official": "official_statement", "telegram_export": "telegram_post",
                    "gdelt": "article", "drop_folder": None}
# Kinds that read the network (need `url`) and kinds that read a folder under GEORISK_HOME (need `path`).
URL_KINDS = ("rss", "official", "gdelt")
PATH_KINDS = ("telegram_export", "drop_folder")
# Kinds whose documents all come from one publisher: country and alignment must be given.
SINGLE_OUTLET_KINDS = ("rss", "official")
GDELT_MAX_RECORDS = 250

_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANG = re.compile(r"^[a-z]{2}$")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$|^\d{1,3}(?:\.\d{1,3}){3}$")


class ConfigError(ValueError):
    """A bad config/sources.yaml: the message starts with the key at fault."""

    def __init__(self, key: str, problem: str, origin: str | None = None):
        self.key = key
        self.problem = problem
        self.origin = origin
        where = f"{origin}: " if origin else ""
        super().__init__(f"{where}{key}: {problem}")


@dataclass(frozen=True)
class Outlet:
    outlet_id: str
    name: str
    aliases: tuple[str, ...]
    domain: str
    country: str | None
    alignment: str | None
    language: str | None


def load_outlets(path: Path = DEFAULT_OUTLETS_PATH) -> dict[str, Outlet]:
    """reference/outlets.csv by outlet_id."""
    out: dict[str, Outlet] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            oid = (row.get("outlet_id") or "").strip()
            if not oid:
                continue
            out[oid] = Outlet(
                outlet_id=oid, name=row["name"].strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                domain=(row.get("domain") or "").strip().lower(),
                country=(row.get("country") or "").strip() or None,
                alignment=(row.get("alignment") or "").strip() or None,
                language=(row.get("language") or "").strip() or None,
            )
    return out


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def host_allowed(host: str | None, allowed: Iterable[str]) -> bool:
    """`host` is one of `allowed` or a subdomain of one ("www.tass.ru" is allowed by "tass.ru")."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


@dataclass(frozen=True)
class HostPolicy:
    interval_s: float | None = None
    concurrency: int | None = None


@dataclass(frozen=True)
class NetworkPolicy:
    """What the HTTP client (ingestion/http.py) must do; the adapters never sleep or retry themselves."""

    user_agent: str = "georisk/0.1 (research; +https://example.org/georisk)"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 60.0
    retries: int = 3  # further attempts after the first, for connect errors, timeouts and retry_statuses
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    respect_retry_after: bool = True
    max_retry_after_s: float = 120.0
    per_host_concurrency: int = 2
    per_host_interval_s: float = 1.0
    hosts: Mapping[str, HostPolicy] = field(default_factory=dict)
    max_body_bytes: int = 5_000_000  # on the wire
    max_decompressed_bytes: int = 20_000_000
    max_redirects: int = 5
    allowed_schemes: tuple[str, ...] = ("https", "http")
    conditional_requests: bool = True  # ETag / Last-Modified revalidation of feeds
    source_workers: int = 1  # sources collect_day runs at once (each source still goes host by host)

    def _host_policy(self, host: str) -> HostPolicy | None:
        host = host.lower()
        best = None
        for name, pol in self.hosts.items():
            if (host == name or host.endswith("." + name)) and (best is None or len(name) > len(best[0])):
                best = (name, pol)
        return best[1] if best else None

    def interval_for(self, host: str) -> float:
        """Seconds between two requests to `host` (the most specific `hosts` entry, else the default)."""
        pol = self._host_policy(host)
        return pol.interval_s if pol and pol.interval_s is not None else self.per_host_interval_s

    def concurrency_for(self, host: str) -> int:
        pol = self._host_policy(host)
        return pol.concurrency if pol and pol.concurrency is not None else self.per_host_concurrency


@dataclass(frozen=True)
class TelegramChannel:
    """How to label one exported channel: `match` is the export's `name` or its numeric `id`."""

    match: str
    username: str | None = None
    outlet_id: str | None = None
    name: str | None = None
    country: str | None = None
    alignment: str | None = None


@dataclass(frozen=True)
class SourceConfig:
    id: str
    kind: str
    name: str
    enabled: bool = True
    url: str | None = None
    path: str | None = None
    outlet_id: str | None = None
    outlet: str | None = None  # the publisher's name for Document.outlet: the register's name, else `name`
    country: str | None = None
    alignment: str | None = None
    language: str | None = None  # a hint, used only when the text's language cannot be detected
    doc_type: str | None = None
    fetch_articles: bool = True
    allowed_hosts: tuple[str, ...] = ()
    issuing_body: str | None = None
    link_pattern: str | None = None  # official listing pages: which links are statements (regex)
    max_items: int = 60
    min_text_chars: int = 200
    query: str | None = None  # gdelt
    max_records: int = GDELT_MAX_RECORDS  # gdelt
    channels: tuple[TelegramChannel, ...] = ()  # telegram_export

    def resolved_path(self, home_root: Path) -> Path:
        p = Path(self.path or "")
        return p if p.is_absolute() else Path(home_root) / p

    def allows(self, url: str | None) -> bool:
        return host_allowed(host_of(url), self.allowed_hosts)


@dataclass(frozen=True)
class SourcesConfig:
    network: NetworkPolicy
    sources: tuple[SourceConfig, ...]
    outlets: Mapping[str, Outlet] = field(default_factory=dict, repr=False)
    version: int = 1
    origin: str | None = None

    def get(self, source_id: str) -> SourceConfig:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def enabled(self, kinds: Iterable[str] | None = None) -> list[SourceConfig]:
        kinds = set(kinds) if kinds is not None else None
        return [s for s in self.sources if s.enabled and (kinds is None or s.kind in kinds)]

    def allowed_hosts(self, include_disabled: bool = False) -> frozenset[str]:
        """Every host the client may contact: the union of the (enabled) sources' allowed_hosts. A host
        allows its subdomains too (see host_allowed)."""
        return frozenset(h for s in self.sources if s.enabled or include_disabled for h in s.allowed_hosts)

    def client_policy(self):
        """The ingestion.http.ClientPolicy for this configuration: the network keys, and allowed_hosts() as the
        hosts the client may contact."""
        from ..http import ClientPolicy

        n = self.network
        return ClientPolicy(
            user_agent=n.user_agent, allowed_hosts=set(self.allowed_hosts()),
            connect_timeout_s=n.connect_timeout_s, read_timeout_s=n.read_timeout_s,
            total_timeout_s=n.total_timeout_s, max_retries=n.retries, backoff_base_s=n.backoff_base_s,
            backoff_max_s=n.backoff_max_s, retry_after_max_s=n.max_retry_after_s,
            per_host_concurrency=n.per_host_concurrency, min_interval_s=n.per_host_interval_s,
            host_intervals={h: p.interval_s for h, p in n.hosts.items() if p.interval_s is not None},
            host_concurrency={h: p.concurrency for h, p in n.hosts.items() if p.concurrency is not None},
            retry_statuses=frozenset(n.retry_statuses),
            max_body_bytes=n.max_body_bytes, max_decompressed_bytes=n.max_decompressed_bytes,
            max_redirects=n.max_redirects,
        )

    def outlet_for_host(self, host: str | None) -> tuple[str | None, str | None, str | None]:
        """(outlet name, country, alignment) for a page on `host`: a source with an outlet that allows the
        host, else the outlet register's domain; (None, None, None) when nobody publishes there."""
        if not host:
            return None, None, None
        for s in sorted(self.sources, key=lambda s: s.id):
            if s.kind in SINGLE_OUTLET_KINDS and s.outlet_id and host_allowed(host, s.allowed_hosts):
                return s.outlet, s.country, s.alignment
        for o in self.outlets.values():
            if o.domain and host_allowed(host, [o.domain]):
                return o.name, o.country, o.alignment
        return None, None, None


# --- loading -------------------------------------------------------------------------------------------------

_NETWORK_KEYS = {f for f in NetworkPolicy.__dataclass_fields__}
_SOURCE_KEYS = {f for f in SourceConfig.__dataclass_fields__} - {"outlet"}
_CHANNEL_KEYS = {f for f in TelegramChannel.__dataclass_fields__}


def load_config(path: Path | str = DEFAULT_CONFIG_PATH, outlets_path: Path | str = DEFAULT_OUTLETS_PATH
                ) -> SourcesConfig:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError("(file)", f"cannot read: {e.strerror or e}", str(path)) from e
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError("(file)", f"not valid YAML{at}: {getattr(e, 'problem', e)}", str(path)) from e
    return parse_config(data, outlets=load_outlets(Path(outlets_path)), origin=str(path))


def parse_config(data: Any, outlets: Mapping[str, Outlet] | None = None, origin: str | None = None
                 ) -> SourcesConfig:
    """Validate an already-parsed YAML document. `outlets` defaults to reference/outlets.csv."""
    if outlets is None:
        outlets = load_outlets()
    if not isinstance(data, dict):
        raise ConfigError("(top level)", "must be a mapping with `network` and `sources`", origin)
    _unknown(data, {"version", "network", "sources"}, "(top level)", origin)
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError("version", f"only version 1 is understood, got {version!r}", origin)
    network = _network(data.get("network") or {}, origin)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list):
        raise ConfigError("sources", "must be a list of source definitions", origin)
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_sources):
        src = _source(item, i, outlets, origin)
        if src.id in seen:
            raise ConfigError(f"sources[{i}].id", f"{src.id!r} is used by an earlier source", origin)
        seen.add(src.id)
        sources.append(src)
    return SourcesConfig(network=network, sources=tuple(sources), outlets=dict(outlets), version=1, origin=origin)


def _unknown(d: dict, allowed: set[str], where: str, origin: str | None) -> None:
    for k in d:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}.{k}" if where != "(top level)" else str(k), f"unknown key{hint}", origin)


def _num(v: Any, key: str, origin, *, integer: bool = False, minimum: float = 0.0) -> float | int:
    ok = isinstance(v, int) if integer else isinstance(v, int | float)
    if isinstance(v, bool) or not ok or v < minimum:
        kind = "an integer" if integer else "a number"
        raise ConfigError(key, f"must be {kind} >= {minimum:g}, got {v!r}", origin)
    return v


def _bool(v: Any, key: str, origin) -> bool:
    if not isinstance(v, bool):
        raise ConfigError(key, f"must be true or false, got {v!r}", origin)
    return v


def _str(v: Any, key: str, origin, *, required: bool = False) -> str | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise ConfigError(key, "is required", origin)
        return None
    if not isinstance(v, str):
        raise ConfigError(key, f"must be a string, got {type(v).__name__} {v!r}", origin)
    return v.strip()


def _network(d: Any, origin) -> NetworkPolicy:
    if not isinstance(d, dict):
        raise ConfigError("network", "must be a mapping", origin)
    _unknown(d, _NETWORK_KEYS, "network", origin)
    kw: dict[str, Any] = {}
    for k, v in d.items():
        key = f"network.{k}"
        if k == "user_agent":
            kw[k] = _str(v, key, origin, required=True)
        elif k in ("retries", "per_host_concurrency", "max_body_bytes", "max_decompressed_bytes",
                   "max_redirects", "source_workers"):
            kw[k] = _num(v, key, origin, integer=True,
                         minimum=1 if k in ("per_host_concurrency", "max_body_bytes", "max_decompressed_bytes",
                                            "source_workers") else 0)
        elif k in ("respect_retry_after", "conditional_requests"):
            kw[k] = _bool(v, key, origin)
        elif k == "retry_statuses":
            if not isinstance(v, list) or not all(isinstance(s, int) and 400 <= s <= 599 for s in v):
                raise ConfigError(key, f"must be a list of HTTP status codes 400..599, got {v!r}", origin)
            kw[k] = tuple(v)
        elif k == "allowed_schemes":
            if not isinstance(v, list) or not v or not all(s in ("http", "https") for s in v):
                raise ConfigError(key, f"must be a non-empty list of 'https'/'http', got {v!r}", origin)
            kw[k] = tuple(v)
        elif k == "hosts":
            kw[k] = _hosts(v, origin)
        else:
            kw[k] = float(_num(v, key, origin))
    pol = NetworkPolicy(**kw)
    for k in ("connect_timeout_s", "read_timeout_s", "total_timeout_s"):
        if getattr(pol, k) <= 0:
            raise ConfigError(f"network.{k}", "must be greater than 0", origin)
    return pol


def _hosts(v: Any, origin) -> dict[str, HostPolicy]:
    if not isinstance(v, dict):
        raise ConfigError("network.hosts", "must be a mapping of host name to {interval_s, concurrency}", origin)
    out = {}
    for host, pol in v.items():
        key = f"network.hosts.{host}"
        h = str(host).lower()
        if not _HOST.match(h):
            raise ConfigError(key, "is not a host name", origin)
        if not isinstance(pol, dict):
            raise ConfigError(key, "must be a mapping with interval_s and/or concurrency", origin)
        _unknown(pol, {"interval_s", "concurrency"}, key, origin)
        out[h] = HostPolicy(
            interval_s=float(_num(pol["interval_s"], f"{key}.interval_s", origin)) if "interval_s" in pol else None,
            concurrency=int(_num(pol["concurrency"], f"{key}.concurrency", origin, integer=True, minimum=1))
            if "concurrency" in pol else None,
        )
    return out


def _source(d: Any, i: int, outlets: Mapping[str, Outlet], origin) -> SourceConfig:
    where = f"sources[{i}]"
    if not isinstance(d, dict):
        raise ConfigError(where, "must be a mapping", origin)
    sid = d.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise ConfigError(f"{where}.id", f"must be lower-case letters, digits and '_', got {sid!r}", origin)
    where = f"sources[{i}] ({sid})"
    _unknown(d, _SOURCE_KEYS, where, origin)

    def k(name: str) -> str:
        return f"{where}.{name}"

    kind = d.get("kind")
    if kind not in KINDS:
        raise ConfigError(k("kind"), f"must be one of {', '.join(KINDS)}, got {kind!r}", origin)
    name = _str(d.get("name"), k("name"), origin, required=True)
    url = _str(d.get("url"), k("url"), origin)
    path = _str(d.get("path"), k("path"), origin)
    if kind in URL_KINDS:
        if not url:
            raise ConfigError(k("url"), f"is required for kind {kind}", origin)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(k("url"), f"must be an http(s) URL, got {url!r}", origin)
        if path:
            raise ConfigError(k("path"), f"is not used by kind {kind} (it reads `url`)", origin)
    else:
        if not path:
            raise ConfigError(k("path"), f"is required for kind {kind} (relative to GEORISK_HOME)", origin)
        if ".." in Path(path).parts:
            raise ConfigError(k("path"), "must not climb out of GEORISK_HOME with '..'", origin)
        if url:
            raise ConfigError(k("url"), f"is not used by kind {kind} (it reads `path`)", origin)

    outlet_id = _str(d.get("outlet_id"), k("outlet_id"), origin)
    reg = None
    if outlet_id:
        reg = outlets.get(outlet_id)
        if reg is None:
            close = difflib.get_close_matches(outlet_id, sorted(outlets), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(k("outlet_id"), f"{outlet_id!r} is not in reference/outlets.csv{hint}", origin)
    country = _str(d.get("country"), k("country"), origin)
    if country is not None and not _COUNTRY.match(country):
        raise ConfigError(k("country"), f"must be an ISO 3166 alpha-2 code like 'KZ', got {country!r}", origin)
    alignment = _str(d.get("alignment"), k("alignment"), origin)
    if alignment is not None and alignment not in ALIGNMENTS:
        raise ConfigError(k("alignment"), f"must be one of {', '.join(ALIGNMENTS)}, got {alignment!r}", origin)
    if kind in SINGLE_OUTLET_KINDS:
        if not country and not (reg and reg.country):
            raise ConfigError(k("country"), f"is required for kind {kind}", origin)
        if not alignment:
            raise ConfigError(k("alignment"), f"is required for kind {kind}", origin)
    if reg and alignment and reg.alignment and alignment != reg.alignment:
        raise ConfigError(k("alignment"), f"{alignment!r} contradicts reference/outlets.csv, which says "
                                          f"{reg.alignment!r} for {outlet_id!r}", origin)
    if reg and country and reg.country and country != reg.country:
        raise ConfigError(k("country"), f"{country!r} contradicts reference/outlets.csv, which says "
                                        f"{reg.country!r} for {outlet_id!r}", origin)
    language = _str(d.get("language"), k("language"), origin)
    if language is not None and not _LANG.match(language):
        raise ConfigError(k("language"), f"must be an ISO 639-1 code like 'ru', got {language!r}", origin)
    doc_type = _str(d.get("doc_type"), k("doc_type"), origin) or DEFAULT_DOC_TYPE[kind]
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise ConfigError(k("doc_type"), f"must be one of {', '.join(DOC_TYPES)}, got {doc_type!r}", origin)

    hosts_raw = d.get("allowed_hosts")
    hosts: list[str] = []
    if hosts_raw is not None:
        if not isinstance(hosts_raw, list):
            raise ConfigError(k("allowed_hosts"), "must be a list of host names", origin)
        for j, h in enumerate(hosts_raw):
            hv = str(h).strip().lower().rstrip(".") if isinstance(h, str) else None
            if not hv or not _HOST.match(hv):
                raise ConfigError(f"{where}.allowed_hosts[{j}]", f"is not a host name: {h!r}", origin)
            hosts.append(hv)
    if url:
        uh = host_of(url)
        if uh and not host_allowed(uh, hosts):
            hosts.insert(0, uh)

    link_pattern = _str(d.get("link_pattern"), k("link_pattern"), origin)
    if link_pattern:
        try:
            re.compile(link_pattern)
        except re.error as e:
            raise ConfigError(k("link_pattern"), f"is not a valid regular expression: {e}", origin) from e
    query = _str(d.get("query"), k("query"), origin)
    if kind == "gdelt" and not query:
        raise ConfigError(k("query"), "is required for kind gdelt", origin)
    max_records = int(_num(d.get("max_records", GDELT_MAX_RECORDS), k("max_records"), origin, integer=True,
                           minimum=1))
    if max_records > GDELT_MAX_RECORDS:
        raise ConfigError(k("max_records"), f"GDELT returns at most {GDELT_MAX_RECORDS} records, got {max_records}",
                          origin)

    channels = _channels(d.get("channels"), k("channels"), outlets, origin)
    if channels and kind != "telegram_export":
        raise ConfigError(k("channels"), "is only used by kind telegram_export", origin)

    return SourceConfig(
        id=sid, kind=kind, name=name, enabled=_bool(d.get("enabled", True), k("enabled"), origin),
        url=url, path=path, outlet_id=outlet_id,
        outlet=(reg.name if reg else name) if kind in SINGLE_OUTLET_KINDS else (reg.name if reg else None),
        country=country or (reg.country if reg else None), alignment=alignment or (reg.alignment if reg else None),
        language=language, doc_type=doc_type,
        fetch_articles=_bool(d.get("fetch_articles", True), k("fetch_articles"), origin),
        allowed_hosts=tuple(dict.fromkeys(hosts)),
        issuing_body=_str(d.get("issuing_body"), k("issuing_body"), origin),
        link_pattern=link_pattern,
        max_items=int(_num(d.get("max_items", 60), k("max_items"), origin, integer=True, minimum=1)),
        min_text_chars=int(_num(d.get("min_text_chars", 200), k("min_text_chars"), origin, integer=True)),
        query=query, max_records=max_records, channels=channels,
    )


def _channels(v: Any, key: str, outlets: Mapping[str, Outlet], origin) -> tuple[TelegramChannel, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ConfigError(key, "must be a list of {match, username, country, alignment, ...}", origin)
    out = []
    for j, c in enumerate(v):
        ck = f"{key}[{j}]"
        if not isinstance(c, dict):
            raise ConfigError(ck, "must be a mapping", origin)
        _unknown(c, _CHANNEL_KEYS, ck, origin)
        match = c.get("match")
        if isinstance(match, int) and not isinstance(match, bool):
            match = str(match)
        match = _str(match, f"{ck}.match", origin, required=True)
        username = _str(c.get("username"), f"{ck}.username", origin)
        if username and not re.fullmatch(r"[A-Za-z0-9_]{4,64}", username.lstrip("@")):
            raise ConfigError(f"{ck}.username", f"is not a Telegram username: {username!r}", origin)
        oid = _str(c.get("outlet_id"), f"{ck}.outlet_id", origin)
        if oid and oid not in outlets:
            raise ConfigError(f"{ck}.outlet_id", f"{oid!r} is not in reference/outlets.csv", origin)
        country = _str(c.get("country"), f"{ck}.country", origin)
        if country is not None and not _COUNTRY.match(country):
            raise ConfigError(f"{ck}.country", f"must be an ISO 3166 alpha-2 code, got {country!r}", origin)
        alignment = _str(c.get("alignment"), f"{ck}.alignment", origin)
        if alignment is not None and alignment not in ALIGNMENTS:
            raise ConfigError(f"{ck}.alignment", f"must be one of {', '.join(ALIGNMENTS)}, got {alignment!r}",
                              origin)
        reg = outlets.get(oid) if oid else None
        out.append(TelegramChannel(
            match=match, username=username.lstrip("@") if username else None, outlet_id=oid,
            name=_str(c.get("name"), f"{ck}.name", origin) or (reg.name if reg else None),
            country=country or (reg.country if reg else None),
            alignment=alignment or (reg.alignment if reg else None),
        ))
    return tuple(out)
