"""bench.results: the benchmarks' JSON collected into one results file and one markdown table, the table written
between its markers and nowhere else; bench.proc.step_peaks: a Dagster step's peak from memory samples."""
import json
import sys
from pathlib import Path

import pytest

# bench/ is a repo-root package run with `python -m bench.results`, not an installed one
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.proc import step_peaks  # noqa: E402
from bench.results import (  # noqa: E402
    BEGIN,
    DBT,
    END,
    FEED,
    OTHER_ROWS,
    SCALE_ROWS,
    SCALE_SIZES,
    SOURCES,
    collect,
    render,
    replace_block,
    write,
)

MACHINE = {"cpus": 3, "cpu": "Test CPU", "memory_mb": 6144, "python": "3.11.9", "duckdb": "9.1", "polars": "9.2",
           "dagster": "9.3", "platform": "TestOS", "date": "2030-01-02T03:04:05+00:00", "commit": "c0ffee"}


def step(seconds, peak, child=0.0, **extra):
    return {"seconds": seconds, "peak_mb": peak, "child_peak_mb": child, **extra}


def scale(documents=12_345, days=7):
    steps = {"document_signals": step(3.3, 700), DBT: step(8.5, 900, 410, dbt_elapsed_seconds=6.7),
             FEED: step(1.5, 820)}
    day_steps = {DBT: step(2.5, 600, 333, dbt_elapsed_seconds=1.25), FEED: step(0.5, 610)}
    return {"command": "python -m bench.scale 12345 --days 7", "date": "2030-01-01T00:00:00+00:00",
            "documents": documents, "days": days, "ingest": {"seconds": 7.5, "peak_mb": 1234},
            "materialize": {"seconds": 40.25, "peak_mb": 1500}, "steps": steps,
            "day": {"date": "2024-03-08", "documents": 50, "materialize": {"seconds": 9.0, "peak_mb": 640},
                    "steps": day_steps}}


def history():
    day_runs = [{DBT: step(s, 500, p)} for s, p in ((4.0, 300), (6.0, 350), (5.0, 320))]
    return {"command": "python -m bench.history --per-day 2",
            "sparse": {"seconds": 61.5, "peak_mb": 777},
            "ratio": {"ratio": 1.234,
                      "short": {"history_days": 30, "day_run_median_seconds": 20.0},
                      "long": {"history_days": 400, "history_documents": 800, "day_run_median_seconds": 24.68,
                               "history_build_steps": {DBT: step(30.0, 900, 456, dbt_elapsed_seconds=25.0)},
                               "day_run_steps": day_runs}}}


def extraction():
    return {"command": "BENCH_MB=5 BENCH_RUNS=1 python -m bench.run",
            "throughput_mb_s": {"georisk": 15.94, "georisk_cli": 3.21},
            "seconds": {"georisk": 0.3137, "georisk_cli": 1.557}, "peak_mb": {"bench_process": 987, "georisk_cli": 654}}


def by_key(results):
    return {(m["benchmark"], m["key"]): m for m in results["measurements"]}


def row(md, label):
    (line,) = [ln for ln in md.splitlines() if ln.startswith(f"| {label} |")]
    return [c.strip() for c in line.strip("|").split("|")][1:]


def test_nothing_run_shows_not_run_with_the_command_that_would_run_it():
    results = collect({}, MACHINE)
    assert {m["status"] for m in results["measurements"]} == {"not run"}
    md = render(results)
    for _, label, _ in SCALE_ROWS:
        assert row(md, label) == ["not run"] * len(SCALE_SIZES)
    for _, _, label, _ in OTHER_ROWS:
        assert row(md, label) == ["not run"]
    for name, command in SOURCES.items():
        assert f"`bench_results/{name}.json` (not run): `{command}`" in md


def test_scale_figures_are_formatted_from_the_input():
    data = scale()
    results = collect({"scale_10k": data}, MACHINE)
    m = by_key(results)
    assert m[("scale_10k", "ingest")]["value"] == pytest.approx(data["documents"] / data["ingest"]["seconds"])
    assert m[("scale_100k", "ingest")]["status"] == "not run"
    md = render(results)
    head = md.split("| --- |")[0].splitlines()[-1]
    assert f"{data['documents']:,} documents over {data['days']} days" in head
    assert row(md, "ingestion: `georisk ingest --from`")[0] == (
        f"{data['documents'] / data['ingest']['seconds']:,.0f} docs/s · 7.5 s · peak 1,234 MB")
    dbt = data["steps"][DBT]
    # dbt's row: the step's time and all processes' peak, then dbt's own process's peak and its own time
    assert row(md, "… `dbt build` of the whole history")[0] == (
        f"{dbt['seconds']:,.1f} s · peak {dbt['peak_mb']} MB · dbt process {dbt['child_peak_mb']} MB, "
        f"dbt's own {dbt['dbt_elapsed_seconds']:,.1f} s")
    assert row(md, "… feed export of the whole history")[0] == "1.5 s · peak 820 MB"
    assert row(md, "… extraction step")[0] == "3.3 s · peak 700 MB"


def test_a_figure_an_older_file_lacks_is_not_recorded():
    old = scale()
    del old["day"], old["steps"]
    old["steps_seconds"] = {DBT: 8.5}
    m = by_key(collect({"scale_100k": old}, MACHINE))
    assert m[("scale_100k", "ingest")]["status"] == "ok"
    assert m[("scale_100k", "dbt_all")]["status"] == "not recorded"
    assert m[("scale_100k", "run_day")]["status"] == "not recorded"
    assert row(render(collect({"scale_100k": old}, MACHINE)), "… `dbt build` of the whole history")[1] == "not recorded"


def test_each_measurement_names_the_command_that_produced_it():
    no_command = extraction()
    del no_command["command"]
    results = collect({"scale_1m": scale(), "history": history(), "extraction": no_command}, MACHINE)
    for m in results["measurements"]:
        expected = {"scale_1m": scale()["command"], "history": history()["command"],
                    "extraction": "not recorded"}.get(m["benchmark"], SOURCES[m["benchmark"]])
        assert m["command"] == expected, m


def test_history_and_extraction_rows():
    h, e = history(), extraction()
    md = render(collect({"history": h, "extraction": e}, MACHINE))
    assert row(md, "one day's run, long history against short")[0].startswith(f"{h['ratio']['ratio']:.2f}×")
    assert "with 400 days against 20.0 s with 30" in row(md, "one day's run, long history against short")[0]
    assert row(md, "`dbt build` over the whole long history")[0].startswith("30.0 s · peak 900 MB · 400 days, 800")
    # the day runs' median time and highest peaks
    day = row(md, "`dbt build` for one day, long history behind")[0]
    assert day.startswith("5.0 s · peak 500 MB · median of 3") and day.endswith("dbt process 350 MB")
    assert row(md, "extraction in-process (`extract()`), one core")[0].startswith("15.9 MB/s · 0.3 s · peak 987 MB")
    assert row(md, "extraction CLI (`georisk extract`), one core")[0].startswith("3.2 MB/s · 1.6 s · peak 654 MB")
    assert row(md, "sparse five-year history, empty home: `georisk materialize`")[0] == "61.5 s · peak 777 MB"


def test_the_machine_is_stated():
    md = " ".join(render(collect({}, MACHINE)).split())  # the paragraph is wrapped
    for value in ("3 CPUs (Test CPU)", "6.0 GB", "TestOS", "Python 3.11.9", "DuckDB 9.1", "polars 9.2",
                  "Dagster 9.3", "commit c0ffee", MACHINE["date"]):
        assert value in md


def test_the_block_is_replaced_and_nothing_else():
    head, tail = "# T\r\n\ntrailing space  \n\n", "\nafter\n\n  no final newline"
    text = head + BEGIN + "\nold table\n" + END + tail
    once = replace_block(text, "\nnew\n")
    assert once == head + BEGIN + "\nnew\n" + END + tail
    assert replace_block(once, "\nnew\n") == once


@pytest.mark.parametrize("text", ["no markers", f"{BEGIN} only", f"{END} before {BEGIN}",
                                  f"{BEGIN}{END}{BEGIN}{END}"])
def test_markers_missing_twice_or_reversed_are_refused(text):
    with pytest.raises(ValueError, match="expected one"):
        replace_block(text, "x")


def test_write_makes_results_json_and_keeps_the_document_outside_the_markers(tmp_path):
    (tmp_path / "scale_10k.json").write_text(json.dumps(scale()))
    head, tail = b"# Benchmarks\r\n\r\n| a | b |\r\n\r\n", b"\r\n\r\n## Rest\r\nkept\r\n"
    doc = tmp_path / "benchmarks.md"
    doc.write_bytes(head + BEGIN.encode() + b"\n" + END.encode() + tail)
    results = write(tmp_path, doc)
    assert json.loads((tmp_path / "results.json").read_text()) == results
    assert results["benchmarks"]["scale_10k"]["status"] == "ok"
    new = doc.read_bytes()
    assert new.startswith(head + BEGIN.encode()) and new.endswith(END.encode() + tail)
    assert "12,345 documents" in new.decode()


def test_a_broken_file_stops_with_one_line_naming_it(tmp_path):
    (tmp_path / "history.json").write_text("{not json")
    with pytest.raises(SystemExit, match=r"cannot read .*history\.json"):
        write(tmp_path, None)


def test_step_peaks_from_samples():
    # (time, MB in the command's process, in its children, in its largest child): b runs dbt, up to 400 MB
    samples = [(9.9, 100, 40, 40), (10.5, 150, 40, 40), (11.9, 120, 40, 40), (12.5, 130, 440, 400),
               (14.9, 100, 90, 50), (15.05, 90, 0, 0)]
    peaks = step_peaks({"a": (10.0, 12.0), "b": (12.0, 15.0), "short": (15.0, 15.01)}, samples)
    assert peaks["a"] == {"seconds": 2.0, "peak_mb": 190, "child_peak_mb": 40}
    assert peaks["b"] == {"seconds": 3.0, "peak_mb": 570, "child_peak_mb": 400}
    # too short to be sampled: the samples either side
    assert peaks["short"]["peak_mb"] == 190
    assert step_peaks({"x": (1.0, 2.0)}, [])["x"]["peak_mb"] is None
