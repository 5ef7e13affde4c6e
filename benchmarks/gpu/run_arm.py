"""On the GPU machine: ``python -m training`` (same arguments), guarded against reading a zeroed embedding row.

Every call of the 250,037-row word embedding counts the token ids outside the bundle's kept rows (on the device,
no synchronisation per step); the count, the wall time and the peak GPU memory go to
``<output.dir>/device_run.json``. A count above 0 means the slim encoder missed a token the run read."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, ".")
BUNDLE = Path(".gpu-bundle")
kept = torch.from_numpy(np.load(BUNDLE / "enc" / "kept_ids.npy"))
counts: dict[torch.device, list] = {}


def guard(module: torch.nn.Module, args: tuple) -> None:
    if type(module) is not torch.nn.Embedding or module.num_embeddings < 200_000 or not args:
        return
    ids = args[0]
    if ids.device not in counts:
        mask = torch.zeros(module.num_embeddings, dtype=torch.bool, device=ids.device)
        mask[kept.to(ids.device)] = True
        counts[ids.device] = [mask, torch.zeros((), dtype=torch.long, device=ids.device), 0]
    entry = counts[ids.device]
    entry[1] += (~entry[0][ids]).sum()
    entry[2] += 1


torch.nn.modules.module.register_module_forward_pre_hook(guard)
out = Path(sys.argv[sys.argv.index("--output.dir") + 1])
started = time.time()
from training.cli import main  # noqa: E402

rc = main(sys.argv[1:])
info = {
    "rc": rc,
    "wall_s": round(time.time() - started, 1),
    "unkept_tokens": int(sum(int(c[1]) for c in counts.values())),
    "embedding_calls": sum(c[2] for c in counts.values()),
}
if torch.cuda.is_available():
    info["cuda_peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    info["gpu"] = torch.cuda.get_device_name()
(out / "device_run.json").write_text(json.dumps(info))
print("RUNINFO", json.dumps(info))
sys.exit(rc)
