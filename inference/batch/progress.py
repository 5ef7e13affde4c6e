"""Progress: a tqdm bar (bytes of input, ETA, articles/s) on a TTY, plain log lines otherwise.

Chunks advance the bar (:meth:`Progress.update`); sentences advance it too (:meth:`Progress.sentences_done`,
called by the classifier's ``progress_hook`` after each encoder batch, see :func:`sentence_progress`),
so a record of 60,000 sentences, one chunk on its own, shows its sentences counting up (the bar's
text, and a log line every ``log_every_s``) instead of nothing until it is done.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("inference.batch")


class Progress:
    """Call :meth:`update` after each chunk. ``enabled=None`` picks the bar when stderr is a TTY."""

    def __init__(
        self,
        total_bytes: int,
        *,
        enabled: bool | None = None,
        log_every_s: float = 30.0,
        start_bytes: int = 0,
    ) -> None:
        self.total = max(total_bytes, 1)
        self.records = 0
        self.failed = 0
        self.sentences = 0  # sentences read by the encoder this run (windows of long ones count each)
        self._last_text = 0.0
        self.started = time.monotonic()
        self._last_log = self.started
        self._log_every = log_every_s
        self._bar: Any = None
        self._logging = enabled is not False
        if enabled is None:
            enabled = sys.stderr.isatty()
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.total,
                initial=start_bytes,
                unit="B",
                unit_scale=True,
                dynamic_ncols=True,
                desc="scoring",
            )
            self._logging = False

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.records / elapsed if elapsed > 0 else 0.0

    def update(self, records: int, failed: int, position: int) -> None:
        self.records += records
        self.failed += failed
        if self._bar is not None:
            self._bar.update(max(position - self._bar.n, 0))
            self._bar.set_postfix_str(self._text())
            return
        now = time.monotonic()
        if self._logging and now - self._last_log >= self._log_every:
            self._last_log = now
            done = position / self.total
            eta = (now - self.started) * (1 - done) / done if done > 0 else float("nan")
            log.info(
                "%s articles read this run (%.1f/s), %s failed, %s sentences, %.0f%% of input, ETA %s",
                f"{self.records:,}",
                self.rate,
                f"{self.failed:,}",
                f"{self.sentences:,}",
                100 * done,
                _duration(eta),
            )

    def sentences_done(self, n: int) -> None:
        """``n`` more sentences scored (inside a chunk: the articles are counted when it ends)."""
        self.sentences += n
        now = time.monotonic()
        if self._bar is not None:
            if now - self._last_text >= 0.5:  # redrawing the bar per batch would cost more than it shows
                self._last_text = now
                self._bar.set_postfix_str(self._text())
            return
        if self._logging and now - self._last_log >= self._log_every:
            self._last_log = now
            elapsed = now - self.started
            log.info(
                "%s sentences scored this run (%.1f/s), %s articles finished",
                f"{self.sentences:,}",
                self.sentences / elapsed if elapsed > 0 else 0.0,
                f"{self.records:,}",
            )

    def _text(self) -> str:
        return (
            f"{self.records:,} articles, {self.rate:,.1f} articles/s, {self.sentences:,} sentences, "
            f"{self.failed:,} failed"
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(max(self.total - self._bar.n, 0))
            self._bar.close()
            self._bar = None


def _duration(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "?"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


@contextlib.contextmanager
def sentence_progress(classifier: Any, progress: Progress) -> Iterator[None]:
    """While inside, the classifier reports its sentences to ``progress`` (a classifier without a
    ``progress_hook`` attribute, such as a test fake, reports only whole chunks)."""
    if not hasattr(classifier, "progress_hook"):
        yield
        return
    saved = classifier.progress_hook
    classifier.progress_hook = progress.sentences_done
    try:
        yield
    finally:
        classifier.progress_hook = saved
