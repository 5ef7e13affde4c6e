"""The report as a browser shows it: headless Chromium (Debian's ``chromium`` package) screenshots
``report.html``. Skipped, with the reason, where no Chromium is installed.

The screenshot in ``docs/report.png`` was made with :func:`screenshot` on ``make run``'s output::

    python -c "import sys; sys.path.insert(0, 'tests'); from test_report_browser import screenshot; \\
        screenshot('out/examples/report.html', 'docs/report.png')"
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch.api import report, score

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)


def screenshot(page: str | Path, png: str | Path, width: int = 1280, height: int = 2600) -> Path:
    """Render ``page`` in headless Chromium and save a PNG of the first ``height`` pixels."""
    if CHROMIUM is None:
        raise RuntimeError("no chromium on PATH; install it with: apt-get install -y chromium")
    png = Path(png).resolve()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                Path(page).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": profile},
        )
    return png


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium)"
)
def test_report_renders_in_a_browser(tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    out = tmp_path / "out"
    score(
        write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(60)]),
        out,
        classifier=FakeClassifier(),
        progress=False,
    )
    png = screenshot(report(out)["html"], tmp_path / "shot.png", height=1600)
    pixels = mpimg.imread(png)
    assert pixels.shape[:2] == (1600, 1280)
    # The page drew something: many distinct colours (the figure), not a blank or error page.
    flat = (pixels[..., :3].reshape(-1, 3) * 255).astype(int)
    assert len({tuple(p) for p in flat[::97]}) > 50
