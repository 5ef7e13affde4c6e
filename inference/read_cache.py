"""What the classifier read for items it has seen, so that an item repeated across calls is read once.

:meth:`StanceClassifier._read <inference.classifier.StanceClassifier._read>` reads a repeated item (the
same sentence with the same country spans) once within one call. A :class:`ReadCache` set as the
classifier's ``read_cache`` carries that across calls: the batch scorer sets one per chunk
(:func:`inference.batch.core.score_with_retry`), whose articles it passes in calls of ``batch_size``,
so a wire story printed by several papers of a chunk is read once. It holds at most ``max_items`` items
and drops the least recently used first, so its memory stays bounded however long the chunk.

A chunk is the unit a scoring run resumes from, and the cache lives and dies with it, so a resumed run
reads every chunk exactly as an uninterrupted one does (the same float digits).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_MAX_ITEMS = 5_000  # about 10 KB each (a dozen small tensors): some 50 MB at most


class ReadCache(Generic[V]):
    """A bounded least-recently-used map from an item's key to what the classifier read for it."""

    def __init__(self, max_items: int = DEFAULT_MAX_ITEMS) -> None:
        if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1:
            raise ValueError(f"max_items={max_items!r}; it must be a positive whole number")
        self.max_items = max_items
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> V | None:
        """The value stored for ``key`` (now the most recently used), or None."""
        value = self._items.get(key)
        if value is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: Hashable, value: V) -> None:
        """Store ``value`` for ``key``, dropping the least recently used items beyond ``max_items``."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
