"""A set of 64-bit keys in one numpy array (open addressing, linear probing), added to and looked up a whole
array at a time.

Why not sorted arrays: a look-up in a sorted table of millions of keys is a binary search, some twenty reads
of which the last ten miss the cache; at a million documents (three million keys, in a few tables) looking up
a batch's keys cost 0.1 s, 22 s of the million's storing. Here a key is one or two reads of the slot its own
bits name. The keys are hashes already (uniform bits), so their low bits are the slot."""

from __future__ import annotations

import numpy as np

_EMPTY = np.uint64(0)
_STAND_IN = np.uint64(1)  # key 0 marks an empty slot: it is kept as 1 (a set of hashes may say "maybe" twice)
_MIN_SLOTS = 1 << 12


class KeySet:
    """Exact membership of uint64 keys (0 and 1 are one key). At most half the slots are used: 16-32 bytes a key."""

    def __init__(self) -> None:
        self._slots = np.zeros(_MIN_SLOTS, dtype=np.uint64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """A bool per key: is it in the set."""
        keys = _stand_in(keys)
        found = np.zeros(keys.size, dtype=bool)
        mask = np.uint64(self._slots.size - 1)
        active = np.arange(keys.size)
        at = keys & mask
        while active.size:  # a probe per round; half-empty slots make the rounds few
            held = self._slots[at]
            hit = held == keys[active]
            found[active[hit]] = True
            go_on = (held != _EMPTY) & ~hit
            active, at = active[go_on], (at[go_on] + np.uint64(1)) & mask
        return found

    def add(self, keys: np.ndarray) -> None:
        keys = _stand_in(keys)
        keys = np.unique(keys)
        keys = keys[~self.contains(keys)]
        if not keys.size:
            return
        if 2 * (self._size + keys.size) > self._slots.size:
            self._grow(self._size + keys.size)
        self._place(keys)
        self._size += keys.size

    def _grow(self, size: int) -> None:
        held = self._slots[self._slots != _EMPTY]
        self._slots = np.zeros(max(_MIN_SLOTS, 1 << (4 * size - 1).bit_length()), dtype=np.uint64)  # <= 1/4 full
        self._place(held)

    def _place(self, keys: np.ndarray) -> None:
        """Put distinct keys not in the set into free slots: each round, of the keys whose slot is free, one per
        slot takes it; the others move to the next slot."""
        mask = np.uint64(self._slots.size - 1)
        at = keys & mask
        while keys.size:
            free = np.flatnonzero(self._slots[at] == _EMPTY)
            _, first = np.unique(at[free], return_index=True)
            won = free[first]
            self._slots[at[won]] = keys[won]
            left = np.ones(keys.size, dtype=bool)
            left[won] = False
            keys, at = keys[left], (at[left] + np.uint64(1)) & mask


def _stand_in(keys: np.ndarray) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.uint64)
    return np.where(keys == _EMPTY, _STAND_IN, keys)
