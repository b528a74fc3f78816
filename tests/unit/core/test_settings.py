"""The settings: every GEORISK_* variable read in one place, typed, with one-line errors naming the variable."""

import re
from pathlib import Path

import pytest

from core.settings import DEFAULT_START_DATE, VARIABLES, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_and_typed_values(tmp_path):
    s = Settings({})
    assert s.start_date == DEFAULT_START_DATE and s.network is False and s.schedule_hour_utc == 6
    assert s.home.root == Path("georisk_home").resolve()
    s = Settings({"GEORISK_HOME": str(tmp_path), "GEORISK_NETWORK": "Yes", "GEORISK_SCHEDULE_HOUR_UTC": "23",
                  "GEORISK_START_DATE": "2000-01-01", "GEORISK_SOURCES": str(tmp_path / "s.yaml")})
    assert s.home.root == tmp_path and s.network is True and s.schedule_hour_utc == 23
    assert s.start_date == "2000-01-01" and s.sources == tmp_path / "s.yaml"


@pytest.mark.parametrize(("name", "value", "attr"), [
    ("GEORISK_SCHEDULE_HOUR_UTC", "24", "schedule_hour_utc"),
    ("GEORISK_SCHEDULE_HOUR_UTC", "six", "schedule_hour_utc"),
    ("GEORISK_START_DATE", "2023-13-01", "start_date"),
    ("GEORISK_NETWORK", "maybe", "network"),
])
def test_a_bad_value_is_one_line_naming_the_variable(name, value, attr):
    with pytest.raises(SettingsError) as err:
        getattr(Settings({name: value}), attr)
    assert str(err.value).startswith(f"{name}={value!r}: ") and "\n" not in str(err.value)
    # the other settings still read: a bad schedule hour does not stop a command that never schedules
    assert Settings({name: value}).home is not None


def test_no_module_reads_a_georisk_variable_but_the_settings():
    reads = re.compile(r"(os\.environ(\.get)?\s*[\[(]\s*|getenv\(\s*)[\"']GEORISK_")
    offenders = [str(p.relative_to(ROOT)) for pkg in ("core", "ingestion", "indicators", "outputs", "orchestration",
                                                       "georisk")
                 for p in (ROOT / pkg).rglob("*.py")
                 if reads.search(p.read_text(encoding="utf-8")) and p != ROOT / "core" / "settings.py"]
    assert not offenders
    assert set(VARIABLES) >= {"GEORISK_HOME", "GEORISK_START_DATE", "GEORISK_SOURCES", "GEORISK_NETWORK",
                              "GEORISK_REFERENCE_DIR", "GEORISK_SCHEDULE_HOUR_UTC"}
