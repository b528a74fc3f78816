"""The SQLite event log of a georisk home, made fit for runs over years of daily partitions.

A run over a range of days records one materialisation per day for every partitioned asset: a five-year backfill
is tens of thousands of events. Dagster's SQLite storage opens a database and commits twice per event (about 23 ms
here), so such a run spent over ten minutes on bookkeeping before its first step. This storage
- writes a batch of asset events in one transaction per database (Dagster hands batches over when
  DAGSTER_EVENT_BATCH_SIZE is set, which importing this module does for the process);
- records one "materialisation planned" event per asset with the run's partition subset, not one per day.
  Dagster's own switch for the latter says the cost: a failed run's days are not marked failed one by one; the
  run itself is failed and names them in its tags.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as db
from dagster import DagsterEventType, EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._core.storage.sqlalchemy_compat import db_select
from dagster_shared.serdes import serialize_value

# Read by the Dagster instance for every event it handles, in each process that opens this storage (the CLI, the
# webserver, the daemon and their run workers), so setting it here reaches all of them.
EVENT_BATCH_SIZE = "5000"
os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)

# Batched in one transaction; anything else goes through Dagster's own path, one event at a time.
_BATCHED = frozenset({DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION})


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that writes batches of asset events in one transaction per database."""

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)  # the parent builds itself, not its subclass

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        return True

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if len(events) < 2 or len({e.run_id for e in events}) != 1 or not all(
                e.is_dagster_event and e.dagster_event_type in _BATCHED and e.get_dagster_event().asset_key
                for e in events):
            super().store_event_batch(events)
            return
        rows = [self._event_to_row(e) for e in events]  # each event serialised once, for both databases
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        # The mirroring into the cross-run index of SqliteEventLogStorage.store_event, in one transaction. Inside
        # it no other writer can insert, so the batch's ids are the last len(rows) ids.
        with self.index_transaction() as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
            last = conn.execute(db_select([db.func.max(SqlEventLogStorageTable.c.id)])).scalar_one()
            ids = list(range(last - len(rows) + 1, last + 1))
            self._store_asset_event_tags(conn, list(events), ids)
            # each event overwrites its asset's summary row: the last one per asset is what remains
            latest = {e.get_dagster_event().asset_key: (e, i) for e, i in zip(events, ids, strict=True)}
            for event, event_id in latest.values():
                self._store_asset_event(conn, event, event_id)

    def _store_asset_check_evaluation_planned(self, event: EventLogEntry, event_id: int | None) -> None:
        """Dagster's rows, one per planned partition, in one executemany with the event serialised once (a
        range run over years plans thousands per check; the multi-row VALUES statement took 0.4 s each)."""
        planned = event.get_dagster_event().event_specific_data
        keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        common = dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, run_id=event.run_id,
                      execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                      evaluation_event=serialize_value(event),
                      evaluation_event_timestamp=self._event_insert_timestamp(event),
                      evaluation_event_storage_id=event_id)
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), [{**common, "partition": key} for key in keys])
