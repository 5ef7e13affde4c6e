"""The per-source mixture as a batch sampler: each epoch draws ``weight x size`` rows of every training
source (subsampled or repeated), shuffles them and cuts length-bucketed batches.

An epoch's batches depend only on ``(seed, epoch)``, so a run resumed at any step sees the batches an
uninterrupted run would have seen (the Trainer calls :meth:`MixtureBatchSampler.set_epoch`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from torch.utils.data import Sampler

from .batching import epoch_mixture, length_bucketed_batches, steps_per_epoch


class MixtureBatchSampler(Sampler[list[int]]):
    """Batches of row indices into the concatenated training table.

    ``sources``: per training source, its row indices and its weight; ``lengths``: per row, the length
    that orders rows into buckets (the text length in characters, as before the Trainer).
    """

    def __init__(
        self,
        sources: Sequence[tuple[Sequence[int], float]],
        lengths: Sequence[int],
        batch_size: int,
        seed: int,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size}; it must be at least 1")
        self.sources = [(list(rows), weight) for rows, weight in sources]
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.epoch = 0
        size = len(epoch_mixture(self.sources, random.Random(0)))
        if size == 0:
            raise ValueError("no training rows: every source is empty, has weight 0 or has train: false")
        self._len = steps_per_epoch(size, batch_size)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def batches(self, epoch: int) -> list[list[int]]:
        rng = random.Random(f"{self.seed}:{epoch}")
        mixture = epoch_mixture(self.sources, rng)
        return length_bucketed_batches(mixture, self.batch_size, rng, key=self.lengths.__getitem__)

    def __iter__(self) -> Iterator[list[int]]:
        yield from self.batches(self.epoch)

    def __len__(self) -> int:
        return self._len
