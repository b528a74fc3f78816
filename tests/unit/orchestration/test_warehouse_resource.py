"""Dagster's assets open the warehouse with DuckDB's memory capped (core.warehouse.MEMORY_LIMIT): with
DuckDB's default (80% of the machine), the first checkpoint after a million-document load held 4.4 GB."""

from core.settings import Home


def test_the_assets_warehouse_connection_has_duckdbs_memory_capped(tmp_path):
    from orchestration.resources import build_resources

    home = Home(tmp_path / "h").ensure()
    with build_resources(home)["duckdb"].get_connection() as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
        assert limit == "953.6 MiB"  # 1 GB as DuckDB shows it
        assert con.execute("select current_database()").fetchone()[0] == home.warehouse.stem
