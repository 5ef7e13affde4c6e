"""glibc's allocator: freed heap memory returned between chunks, batch blocks kept between batches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inference.allocator import release_free_memory


def test_release_free_memory_runs_and_reports_support() -> None:
    supported = release_free_memory()
    assert isinstance(supported, bool)
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert supported


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_release_free_memory_gives_back_freed_heap_pages() -> None:
    def anon_kb() -> int:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
        raise AssertionError("no RssAnon in /proc/self/status")

    # many mid-sized blocks (below the mmap threshold) freed except a few, which pins the heap top
    blocks = [bytearray(64 * 1024) for _ in range(2000)]
    keep = blocks[-1]
    del blocks
    before = anon_kb()
    if not release_free_memory():
        pytest.skip("no malloc_trim on this C library")
    assert anon_kb() < before - 32 * 1024, "at least 32 MB of the ~128 MB freed went back"
    del keep


class _FakeLibc:
    def __init__(self, accept: bool = True) -> None:
        self.calls: list[tuple[int, int]] = []
        self.accept = accept

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1 if self.accept else 0


@pytest.fixture
def fresh_allocator(monkeypatch: pytest.MonkeyPatch):
    """inference.allocator with no setting applied yet in this process, a fake glibc and a clean environment."""
    from inference import allocator

    libc = _FakeLibc()
    allocator.keep_batch_blocks.cache_clear()
    monkeypatch.setattr(allocator, "_glibc", lambda: libc)
    for name in (allocator.OPT_OUT, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    yield allocator, libc
    allocator.keep_batch_blocks.cache_clear()  # what the fake answered must not stand for this process


def test_keep_batch_blocks_raises_both_thresholds_once(fresh_allocator) -> None:
    allocator, libc = fresh_allocator
    assert allocator.keep_batch_blocks() is True
    assert libc.calls == [(-3, allocator.MMAP_THRESHOLD), (-1, allocator.TRIM_THRESHOLD)]
    assert allocator.MMAP_THRESHOLD >= 32 << 20, "above glibc's own dynamic ceiling, or nothing changes"
    assert allocator.keep_batch_blocks() is True
    assert len(libc.calls) == 2, "once per process"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIPLOSTANCE_KEEP_BLOCKS", "0"),
        ("DIPLOSTANCE_KEEP_BLOCKS", "off"),
        ("MALLOC_MMAP_THRESHOLD_", "131072"),
        ("MALLOC_TRIM_THRESHOLD_", "0"),
        ("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536"),
    ],
)
def test_keep_batch_blocks_leaves_the_users_choice(
    fresh_allocator, monkeypatch, name: str, value: str
) -> None:
    allocator, libc = fresh_allocator
    monkeypatch.setenv(name, value)
    assert allocator.user_chose_allocator() == name
    assert allocator.keep_batch_blocks() is False
    assert libc.calls == []


def test_keep_batch_blocks_ignores_unrelated_tunables_and_a_refusal(fresh_allocator, monkeypatch) -> None:
    allocator, libc = fresh_allocator
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0")
    monkeypatch.setenv("DIPLOSTANCE_KEEP_BLOCKS", "1")
    assert allocator.user_chose_allocator() is None
    libc.accept = False
    assert allocator.keep_batch_blocks() is False, "a refused mallopt is reported, not claimed"


def test_keep_batch_blocks_without_glibc(fresh_allocator, monkeypatch) -> None:
    allocator, _ = fresh_allocator
    monkeypatch.setattr(allocator, "_glibc", lambda: None)
    assert allocator.keep_batch_blocks() is False
    assert allocator.release_free_memory() is False


def test_load_classifier_on_the_cpu_keeps_batch_blocks(
    fresh_allocator, tiny_encoder: Path, tmp_path: Path
) -> None:
    from tests_helpers import tiny_stance_model

    from inference import load_classifier

    allocator, libc = fresh_allocator
    model, tokenizer = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tokenizer)
    load_classifier(out, device="cpu")
    assert libc.calls == [(-3, allocator.MMAP_THRESHOLD), (-1, allocator.TRIM_THRESHOLD)]
