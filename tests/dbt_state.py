"""What appears in the repo's dbt/ folder while runs go on (issue 11: runs keep their dbt state under their home).

Other processes may parse the project or run older code meanwhile, so a test cannot ask that dbt/ stays as it was;
it asks that nothing named after its own runs appears there."""

from __future__ import annotations

import threading

from core.settings import DBT_PROJECT_DIR


class RepoDbtWatch:
    """Records every name that appears at the top of the repo's dbt/target and dbt/logs while it is open
    (dagster-dbt names an invocation's folder `<op>-<run id[:7]>-<random>`)."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _look(self) -> None:
        for top in (DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"):
            try:
                self.seen.update(f"{top.name}/{p.name}" for p in top.iterdir())
            except FileNotFoundError:
                pass

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._look()
            self._stop.wait(self.interval)

    def __enter__(self) -> RepoDbtWatch:
        self._look()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._look()

    def named_after(self, run_ids: list[str]) -> list[str]:
        return sorted(n for n in self.seen if any(f"-{rid[:7]}-" in n for rid in run_ids))
