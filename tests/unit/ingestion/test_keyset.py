"""ingestion.keyset.KeySet: exact membership of 64-bit keys, as a Python set of the same keys has it."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.keyset import KeySet

U64 = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.lists(U64, max_size=300), max_size=8), probes=st.lists(U64, max_size=200))
def test_a_key_set_answers_as_a_set_of_the_keys_added(batches, probes):
    keys, expected = KeySet(), set()
    for batch in batches:
        keys.add(np.array(batch, dtype=np.uint64))
        expected |= {k or 1 for k in batch}  # 0 is kept as 1
        assert len(keys) == len(expected)
    asked = [k for batch in batches for k in batch] + probes
    got = keys.contains(np.array(asked, dtype=np.uint64)).tolist()
    assert got == [(k or 1) in expected for k in asked]


def test_keys_that_share_their_low_bits_are_all_kept_and_found():
    """Keys that name the same slot (and its neighbours) probe on: none is lost, none is found twice."""
    rng = np.random.default_rng(7)
    crowded = (rng.integers(1, 2**40, size=5_000, dtype=np.uint64) << np.uint64(20)) | np.uint64(5)
    spread = rng.integers(1, 2**63, size=50_000, dtype=np.uint64)
    keys = KeySet()
    for part in (crowded[:2_500], spread, crowded[2_500:], crowded):  # grows twice, and sees repeats
        keys.add(part)
    assert len(keys) == len(np.unique(np.concatenate([crowded, spread])))
    assert keys.contains(crowded).all() and keys.contains(spread).all()
    absent = rng.integers(2**63, 2**64 - 1, size=10_000, dtype=np.uint64)
    assert not keys.contains(absent[~np.isin(absent, spread)]).any()
