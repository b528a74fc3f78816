"""`georisk`: ingest, extract, materialise, and read the index, from the terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.errors import GeoriskError
from core.settings import SAMPLE_CORPUS, home

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="georisk: a daily, evidence-backed Kazakhstan tension index from news, statements and Telegram.")
# soft_wrap: a message stays one line however narrow the terminal (or pipe) is.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on failure.")] = False):
    _state["debug"] = debug


def _day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise GeoriskError(f"{flag} wants a date as YYYY-MM-DD, not {value!r}") from None


@app.command()
def extract(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.jsonl", help="Documents, one JSON object a line.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for signals.jsonl and documents.jsonl.")],
):
    """Find hostile mentions, accusations, denials and threats in documents (contracts/extract.md)."""
    from indicators.extract import extract as run_extract
    from outputs.extract_io import read_input, write_output

    if not input_path.is_file():
        raise GeoriskError(f"no such input file: {input_path}")
    docs, bad = read_input(input_path)
    for b in bad:
        err.print(f"{input_path}:{b.line_number}: skipped: {b.reason}", markup=False, highlight=False)
    with err.status(f"Extracting signals from {docs.height} documents"):
        result = run_extract(docs)
    write_output(result, out_dir)
    err.print(f"{docs.height} documents, {result.signals.height} signals -> {out_dir}/signals.jsonl"
              + (f"; {len(bad)} lines skipped" if bad else ""), highlight=False)
    if bad:
        raise typer.Exit(1)


@app.command()
def ingest(
    from_path: Annotated[Path | None, typer.Option("--from", help="A .jsonl file, or a folder of .txt/.html/.jsonl files.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Collect this day (YYYY-MM-DD) from every configured source.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="With --date: skip feeds, official pages and GDELT.")] = False,
):
    """Store documents in the warehouse under GEORISK_HOME (deduplicated, rejects recorded)."""
    from core import warehouse

    h = home().ensure()
    if (from_path is None) == (day is None):
        raise GeoriskError("give either --from PATH or --date YYYY-MM-DD")
    if day is not None:
        _ingest_day(h, _day(day, "--date"), network=not offline)
        return
    from ingestion.bulk import store_in_batches
    from ingestion.files import read_path

    if not from_path.exists():
        raise GeoriskError(f"no such file or folder: {from_path}")

    def rejected(r) -> None:
        where = f"{r.source_path}:{r.line_number}" if r.line_number else r.source_path
        err.print(f"rejected {where} ({r.stage}): {r.reason}", markup=False, highlight=False)

    with warehouse.connect(h.warehouse, warehouse.bulk_config()) as con, \
            err.status(f"Reading {from_path}") as status:
        def progress(done: int, total: int) -> None:
            status.update(f"Storing {from_path}: {done:,} of {total:,} documents")

        items = read_path(from_path, source="file", workers=os.cpu_count() or 1)  # parsing on every core
        result = store_in_batches(con, items, progress=progress, on_reject=rejected)
    out.print(f"stored {result.stored}, updated {result.updated}, rejected {result.rejected}, "
              f"duplicates {result.duplicates}  ->  {h.warehouse}", highlight=False)


def _ingest_day(h, day: date, network: bool) -> None:
    from core import warehouse
    from ingestion.daily import ingest_window, sources_config_path
    from ingestion.sources.config import ConfigError

    try:
        with warehouse.connect(h.warehouse) as con, err.status(f"Collecting {day} from the configured sources"):
            report = ingest_window(con, h.root, day, day, network=network)
    except ConfigError as e:
        raise GeoriskError(f"{sources_config_path()}: {e}") from None
    t = Table("source", "kind", "documents", "rejects", "note", title=f"Sources for {day}", title_justify="left")
    for sid, summary in sorted(report.sources.items()):
        note = summary.failed or "; ".join(summary.notes[:2])
        t.add_row(sid, summary.kind, str(summary.documents), str(summary.rejects), escape(note or ""))
    Console(stderr=True, width=None if err.is_terminal else 150).print(t)
    r = report.result
    out.print(f"stored {r.stored}, updated {r.updated}, rejected {r.rejected}, duplicates {r.duplicates}, "
              f"near-duplicates {r.near_duplicates}  ->  {h.warehouse}", highlight=False)


@app.command()
def materialize(
    from_day: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to_day: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
):
    """Run the Dagster asset graph (ingest, extract, dbt, feed, publish) for the days with documents."""
    from orchestration.partitions import covering_range

    from .runner import days_with_documents, run_daily_job

    h = home().ensure()
    first, last = _day(from_day, "--from"), _day(to_day, "--to")
    if (first is None) != (last is None):
        raise GeoriskError("give both --from and --to, or neither (then: every day with documents)")
    if first is not None and last < first:
        raise GeoriskError(f"--to {last} is before --from {first}")
    if first is None:
        span = covering_range(days_with_documents(h))
        if span is None:
            raise GeoriskError(f"no documents in {h.warehouse} or {h.inbox}; run `georisk ingest --from PATH` first")
        first, last = span
    with err.status(f"Materialising {first} .. {last}") as status:
        result = run_daily_job(h, first, last, report=lambda msg: status.update(f"{first} .. {last}: {msg}"))
        done = sum(e.event_type_value == "STEP_SUCCESS" for e in result.all_events)
    out.print(f"materialised {first} .. {last} in one run ({done} steps, run {result.run_id[:8]})", highlight=False)
    out.print(f"published {h.published}", highlight=False)


def _published_connection(memory_limit: str = "2GB"):
    """The published copy, read-only, and able to read nothing but its own tables.

    `enable_external_access: False` stops file readers, COPY, ATTACH, INSTALL and LOAD, but DuckDB still
    lets them read the database's own file (read_blob, read_text, `from 'georisk.duckdb'`); so once the
    file is open, the local file system is switched off for this instance (the open database keeps its
    handle), and the configuration is locked so that no statement can switch anything back. No temp
    directory: nothing spills to disk, a query over `memory_limit` fails with DuckDB's out-of-memory error."""
    import duckdb

    path = home().published
    if not path.exists():
        raise GeoriskError(f"no published warehouse at {path}; run `georisk materialize` first")
    con = duckdb.connect(str(path), read_only=True, config={
        "enable_external_access": False, "autoinstall_known_extensions": False,
        "autoload_known_extensions": False, "memory_limit": memory_limit, "temp_directory": ""})
    try:
        # Not settable in the connect config ("before the database is started"), so set here, then locked.
        con.execute("set disabled_filesystems = 'LocalFileSystem'")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


_INDEX_COLUMNS = ["tension_index", "tension_level", "document_count", "is_low_confidence", "hostile_mention_count",
                  "accusation_count", "threat_count", "denial_count", "threat_subindex", "act_claim_subindex",
                  "tension_index_ma7", "tension_index_ma30", "tension_zscore_90d", "methodology_version"]


def _index_rows(first: date | None, last: date | None) -> list[dict]:
    lo, hi = first or date(1900, 1, 1), last or date(2999, 12, 31)
    with _published_connection() as con:
        days = con.execute(
            f"select index_date, {', '.join(_INDEX_COLUMNS)} from marts.tension_index_daily "
            "where index_date between ? and ? order by index_date", [lo, hi]).fetchall()
        drivers = con.execute(
            "select index_date, sentence, kind, speaker_name, doc_id, url, weighted_score "
            "from marts.tension_index_drivers where index_date between ? and ? order by index_date, driver_rank",
            [lo, hi]).fetchall()
    by_day: dict[date, list[dict]] = {}
    for d, sentence, kind, speaker, doc_id, url, weight in drivers:
        by_day.setdefault(d, []).append({"sentence": sentence, "kind": kind, "speaker": speaker,
                                         "doc_id": doc_id, "url": url, "weight": round(weight, 4)})
    rows = []
    for d, *values in days:
        v = dict(zip(_INDEX_COLUMNS, values, strict=True))
        rows.append({
            "date": d.isoformat(), "index": v["tension_index"], "level": v["tension_level"],
            "documents": v["document_count"], "low_confidence": v["is_low_confidence"],
            "hostile_mentions": v["hostile_mention_count"], "accusations": v["accusation_count"],
            "threats": v["threat_count"], "denials": v["denial_count"], "threat_subindex": v["threat_subindex"],
            "act_claim_subindex": v["act_claim_subindex"], "ma7": v["tension_index_ma7"],
            "ma30": v["tension_index_ma30"], "zscore_90d": v["tension_zscore_90d"],
            "methodology_version": v["methodology_version"], "drivers": by_day.get(d, []),
        })
    return rows


@app.command()
def index(
    from_day: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to_day: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
):
    """The tension index by day, with its level and top drivers (from the published copy)."""
    rows = _index_rows(_day(from_day, "--from"), _day(to_day, "--to"))
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["date", "index", "level", "documents", "low_confidence", "top_driver", "top_driver_url"])
        for r in rows:
            top = r["drivers"][0] if r["drivers"] else {}
            w.writerow([r["date"], r["index"], r["level"], r["documents"], r["low_confidence"],
                        top.get("sentence"), top.get("url")])
    elif fmt == "table":
        # A pipe gets rich's 80 columns by default: give the evidence room there too.
        Console(width=None if out.is_terminal else 150).print(_index_table(rows))
    else:
        raise GeoriskError(f"--format must be table, json or csv, not {fmt!r}")


def _index_table(rows: list[dict]) -> Table:
    t = Table(title="Kazakhstan tension index (reference period = 100)", title_justify="left")
    t.add_column("date", no_wrap=True, min_width=10)
    t.add_column("index", justify="right", no_wrap=True, min_width=5)
    t.add_column("level", no_wrap=True, min_width=8)
    t.add_column("docs", justify="right", no_wrap=True, min_width=4)
    t.add_column("top evidence (speaker)", no_wrap=True, overflow="ellipsis", max_width=100)
    colours = {"critical": "bold red", "high": "red", "elevated": "yellow", "calm": "green"}
    for r in rows:
        if not r["documents"]:
            continue
        top = r["drivers"][0] if r["drivers"] else None
        evidence = f"{' '.join(top['sentence'].split())} ({top['speaker'] or 'outlet'})" if top else ""
        level = r["level"] + (" (low conf.)" if r["low_confidence"] else "")
        t.add_row(r["date"], f"{r['index']:.0f}" if r["index"] is not None else "-",
                  f"[{colours.get(r['level'], '')}]{level}[/]", str(r["documents"]), escape(evidence))
    return t


_READ_ONLY = {"SELECT", "EXPLAIN"}
_MEMORY = r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)"
# C0/C1 control characters but tab and newline: a cell holding ESC [ ... must not drive the terminal.
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement.")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS",
                                           help="Stop the query after this many seconds.")] = 60.0,
    memory_limit: Annotated[str, typer.Option("--memory-limit", help="DuckDB's memory limit, e.g. 2GB.")] = "2GB",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Output at most this many rows.")] = 10_000,
):
    """Run one read-only statement on the published analyst copy (its tables only: no files)."""
    import re

    import duckdb

    if fmt not in ("table", "csv", "json"):
        raise GeoriskError(f"--format must be table, csv or json, not {fmt!r}")
    if not 0 < timeout <= 1e6:
        raise GeoriskError(f"--timeout wants a number of seconds above 0 (and at most 1e6), not {timeout:g}")
    if max_rows < 1:
        raise GeoriskError(f"--max-rows wants a number of rows above 0, not {max_rows}")
    memory_limit = memory_limit.strip()
    # Checked here: DuckDB takes "-1GB" for no limit at all.
    if not re.fullmatch(_MEMORY, memory_limit, re.IGNORECASE):
        raise GeoriskError(f"--memory-limit wants a size such as 512MB or 2GB, not {memory_limit!r}")
    try:
        con = _published_connection(memory_limit)
    except duckdb.Error as e:
        raise GeoriskError(f"cannot open the published copy: {str(e).splitlines()[0]}") from None
    with con:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as e:
            raise GeoriskError(f"cannot parse the query: {str(e).splitlines()[0]}") from None
        if len(statements) != 1:
            raise GeoriskError(f"give exactly one statement, not {len(statements)}")
        kind = statements[0].type.name
        if kind not in _READ_ONLY:
            raise GeoriskError(f"only reads are allowed in georisk query (SELECT), not {kind}")
        cols, data = _fetch_limited(con, sql, timeout, memory_limit, max_rows + 1)
    cut = len(data) > max_rows
    data = data[:max_rows]
    if fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(cols, r, strict=True)) for r in data], default=str,
                                    ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        w.writerows(data)
        sys.stdout.write(buf.getvalue())
    else:
        from rich.text import Text

        def literal(v) -> Text:
            # A Text is never read as markup or emoji codes (`:x:`, `[bold]`); control characters are shown escaped.
            s = "" if v is None else str(v)
            return Text(re.sub(_CONTROL, lambda m: m.group().encode("unicode_escape").decode(), s))

        t = Table()
        for c in cols:
            t.add_column(literal(c))
        for r in data:
            t.add_row(*(literal(v) for v in r))
        Console(width=None if out.is_terminal else 200, markup=False, emoji=False, highlight=False).print(t)
        err.print(f"{len(data)} rows", highlight=False)
    if cut:
        err.print(f"only the first {max_rows} rows: the query returned more (raise --max-rows or add a LIMIT)",
                  markup=False, highlight=False)


def _fetch_limited(con, sql: str, timeout: float, memory_limit: str, rows: int) -> tuple[list[str], list[tuple]]:
    """Column names and up to `rows` rows of `sql`, streamed (never more than that is materialised), interrupted
    after `timeout` seconds; DuckDB's errors as one line."""
    import threading

    import duckdb

    stopped = threading.Event()

    def stop():
        stopped.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop)
    timer.daemon = True
    timer.start()
    try:
        res = con.execute(sql)
        return [d[0] for d in res.description], res.fetchmany(rows)
    except duckdb.InterruptException:
        if stopped.is_set():
            raise GeoriskError(f"query stopped after {timeout:g} s (the --timeout limit)") from None
        raise GeoriskError("query interrupted") from None
    except duckdb.PermissionException as e:
        raise GeoriskError("reading files is not allowed in georisk query, only the tables of the published copy "
                           f"({str(e).splitlines()[0]})") from None
    except duckdb.OutOfMemoryException as e:
        raise GeoriskError(f"query ran out of memory (the --memory-limit of {memory_limit}): "
                           f"{str(e).splitlines()[0]}; add a LIMIT, filter or aggregate") from None
    except duckdb.Error as e:
        raise GeoriskError(str(e).splitlines()[0]) from None
    finally:
        timer.cancel()
        timer.join()  # an interrupt already under way ends before the connection closes


@app.command()
def brief(
    day: Annotated[str, typer.Option("--date", help="The day, YYYY-MM-DD.")],
    open_it: Annotated[bool, typer.Option("--open", help="Open the page in the system's browser.")] = False,
):
    """Write the day's brief (briefs/DAY.html with its charts, DAY.md, DAY.png) from the published copy."""
    from outputs.brief import write_briefs
    from outputs.brief_html import write_html_brief, write_index

    h = home().ensure()
    d = _day(day, "--date")
    with _published_connection() as con:
        path = write_html_brief(con, h.briefs, d)
        if path is None:
            raise GeoriskError(f"no documents on {d} in {h.published}; nothing to brief")
        write_briefs(con, h.briefs, d, d)
    write_index(h.briefs)
    out.print(str(path), highlight=False, markup=False)
    if open_it:
        _open_in_browser(path)


def _open_in_browser(path: Path) -> None:
    import os
    import webbrowser

    # Without a display, webbrowser falls back to a console browser that would take over the terminal.
    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    try:
        opened = not headless and webbrowser.open(path.resolve().as_uri())
    except (webbrowser.Error, OSError):
        opened = False
    if not opened:
        err.print(f"no browser to open it here; open {path} yourself", markup=False, highlight=False)


def latest_brief(h) -> Path | None:
    """The newest day's HTML brief in the home, if any."""
    found = []
    for p in h.briefs.glob("*.html"):
        try:
            found.append((date.fromisoformat(p.stem), p))
        except ValueError:
            continue
    return max(found)[1] if found else None


@app.command()
def demo():
    """Put the bundled sample corpus in the drop folder, run the daily job over its days, print the index."""
    import shutil

    h = home().ensure()
    target = h.inbox / "sample_corpus"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SAMPLE_CORPUS, target, ignore=shutil.ignore_patterns("README.md"))
    out.print(f"sample corpus copied to the drop folder {target}", highlight=False)
    materialize(None, None)
    index(None, None, "table")
    out.print(f"warehouse (pipeline only): {h.warehouse}\nanalyst copy: {h.published}\n"
              f"Parquet feed: {h.feed}\nbriefs: {h.briefs / 'index.html'}", highlight=False)
    latest = latest_brief(h)
    out.print(f"Latest brief: {latest.resolve() if latest else 'none (no day with documents)'}",
              highlight=False, markup=False)


def main() -> None:
    import warnings

    # Dagster marks single-run backfill policies as beta; a user of the CLI cannot act on that.
    warnings.filterwarnings("ignore", module=r"dagster(\..*)?$")
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview).*")
    warnings.filterwarnings("ignore", message=r".*is superseded and its usage is discouraged.*")
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except GeoriskError as e:
        if _state["debug"]:
            raise
        err.print(f"error: {e}", markup=False, highlight=False)
        sys.exit(2)
    except RuntimeError as e:
        from indicators.model import ModelMissing

        if _state["debug"] or not isinstance(e, ModelMissing):
            raise
        err.print(f"error: {e}", markup=False, highlight=False)
        sys.exit(2)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the one-line face of an unexpected failure
        if _state["debug"]:
            raise
        import click

        if isinstance(e, click.ClickException):
            e.show()
            sys.exit(e.exit_code)
        tb = e.__traceback__
        while tb and tb.tb_next:
            tb = tb.tb_next
        where = f" ({Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})" if tb else ""
        err.print(f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}{where}; "
                  "rerun with --debug for the traceback", markup=False, highlight=False)
        sys.exit(1)
