"""The executable's exit without interpreter teardown loses nothing: threads, atexit handlers, buffered output."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exit_without_teardown_keeps_threads_handlers_and_buffers(tmp_path):
    out = tmp_path / "late.txt"
    proc = _python(
        f"""
        import atexit, logging, sys, threading, time
        from inference.cli import exit_without_teardown

        def late_write():
            time.sleep(0.2)
            with open({str(out)!r}, "w") as f:
                f.write("written by a non-daemon thread")

        threading.Thread(target=late_write).start()
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor(2)  # never shut down: its idle workers must not hang the exit
        pool.submit(time.sleep, 0.05)
        atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
        logging.basicConfig(stream=sys.stderr, format="%(message)s")
        logging.getLogger("t").warning("logged")
        sys.stdout.write("no newline, still buffered")
        exit_without_teardown(3)
        print("never reached")
        """
    )
    assert proc.returncode == 3
    assert proc.stdout == "no newline, still buffered"
    assert "atexit ran" in proc.stderr and "logged" in proc.stderr
    assert out.read_text() == "written by a non-daemon thread"


def test_run_exits_with_the_commands_code_either_way():
    code = """
        import sys
        from inference.cli import run
        sys.argv = ["diplostance", "score", "/nonexistent/archive.jsonl", "--out", "/nonexistent/out"]
        run()
        """
    fast = _python(code)
    normal = _python(code, env={"DIPLOSTANCE_FAST_EXIT": "0"})
    for proc in (fast, normal):
        assert proc.returncode == 2
        assert "/nonexistent/archive.jsonl" in proc.stderr
