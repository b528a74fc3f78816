"""Extraction benchmark: a synthetic news corpus (``bench.generate``) and the throughput run (``bench.run``)."""
