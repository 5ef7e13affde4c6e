"""Progress: a tqdm bar (bytes of input, ETA, articles/s) on a TTY, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
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
            self._bar.set_postfix_str(
                f"{self.records:,} articles, {self.rate:,.1f} articles/s, {self.failed:,} failed"
            )
            return
        now = time.monotonic()
        if self._logging and now - self._last_log >= self._log_every:
            self._last_log = now
            done = position / self.total
            eta = (now - self.started) * (1 - done) / done if done > 0 else float("nan")
            log.info(
                "%s articles read this run (%.1f/s), %s failed, %.0f%% of input, ETA %s",
                f"{self.records:,}",
                self.rate,
                f"{self.failed:,}",
                100 * done,
                _duration(eta),
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
