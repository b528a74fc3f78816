"""Extraction over a long window goes a chunk of whole days at a time (issue 12: memory holds one chunk)."""

from datetime import date, timedelta

from outputs.warehouse import chunk_days

FIRST, LAST = date(2024, 1, 1), date(2024, 1, 31)


def _covered(chunks):
    days = [a + timedelta(days=k) for a, b in chunks for k in range((b - a).days + 1)]
    return days == [FIRST + timedelta(days=k) for k in range((LAST - FIRST).days + 1)]


def test_chunks_are_whole_days_that_cover_the_window_without_overlap():
    counts = [(FIRST + timedelta(days=k), 7) for k in range(0, 31, 2)]  # every other day, 7 documents
    chunks = chunk_days(counts, FIRST, LAST, limit=20)
    assert _covered(chunks)
    held = [sum(n for d, n in counts if a <= d <= b) for a, b in chunks]
    assert all(h <= 20 + 6 for h in held) and len(chunks) == 6


def test_a_day_above_the_limit_ends_its_chunk_and_an_empty_window_is_one_chunk():
    big = date(2024, 1, 10)
    chunks = chunk_days([(date(2024, 1, 3), 5), (big, 100), (date(2024, 1, 20), 5)], FIRST, LAST, limit=50)
    assert _covered(chunks) and chunks[0] == (FIRST, big)
    assert chunk_days([], FIRST, LAST, limit=50) == [(FIRST, LAST)]
