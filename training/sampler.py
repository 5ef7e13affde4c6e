"""The per-source mixture as a batch sampler: each epoch draws ``weight x size`` rows of every training
source (subsampled or repeated), shuffles them and cuts length-bucketed batches.

The draws are those of the hand-written loop this replaced (one ``random.Random(seed)`` drawing epoch
after epoch), so a seed gives the batches it gave before the Trainer. An epoch's batches still depend only
on ``(seed, epoch)``: the generator's state at the start of each epoch is replayed (and kept), so a run
resumed at any step sees the batches an uninterrupted run would have seen (the Trainer calls
:meth:`MixtureBatchSampler.set_epoch`).
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
        self._states = [random.Random(seed).getstate()]  # the generator's state as each epoch starts
        size = len(epoch_mixture(self.sources, random.Random(0)))
        if size == 0:
            raise ValueError("no training rows: every source is empty, has weight 0 or has train: false")
        self._len = steps_per_epoch(size, batch_size)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _draw(self, rng: random.Random) -> list[list[int]]:
        mixture = epoch_mixture(self.sources, rng)
        return length_bucketed_batches(mixture, self.batch_size, rng, key=self.lengths.__getitem__)

    def batches(self, epoch: int) -> list[list[int]]:
        """Epoch ``epoch``'s batches (0-based): what ``random.Random(seed)`` draws after ``epoch`` earlier epochs."""
        rng = random.Random()
        while len(self._states) <= epoch:
            rng.setstate(self._states[-1])
            self._draw(rng)
            self._states.append(rng.getstate())
        rng.setstate(self._states[epoch])
        return self._draw(rng)

    def __iter__(self) -> Iterator[list[int]]:
        yield from self.batches(self.epoch)

    def __len__(self) -> int:
        return self._len
