"""The warehouse writers and what is made from the warehouse: raw tables, the Parquet feed, the daily brief, the
analyst copy, and the CLI's extraction files. Imports ``core``, ``ingestion`` and ``indicators``; no Dagster."""
