#!/bin/bash
# On the GPU machine: set up from .gpu-bundle, train the arms of an arms file in parallel on the one GPU, and
# pack the runs that finished by the deadline into $OUT (one tar per run, plus logs.tgz).
#   DEADLINE=555 bash benchmarks/gpu/spread.sh benchmarks/gpu/arms-batch64.sh
ARMS=${1:?usage: spread.sh ARMS_FILE  (e.g. benchmarks/gpu/arms-batch64.sh)}
[ -f "$ARMS" ] || { echo "spread.sh: no arms file $ARMS (e.g. benchmarks/gpu/arms-batch64.sh)" >&2; exit 2; }
T0=$(date +%s); DEADLINE=${DEADLINE:-555}; OUT=${OUT:?OUT must name the folder that comes back}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false DIPLOSTANCE_CACHE=/tmp/dcache
mkdir -p logs runs
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cpus $(nproc): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
[ -n "${SKIP_PIP:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --target /tmp/site .gpu-bundle/wheels/*.whl || exit 3
export PYTHONPATH=/tmp/site:$PWD
if ! python3 -c "import datasets" 2> logs/datasets_err.txt; then
  echo "datasets did not import (tail below); falling back to .gpu-bundle/wheels-fallback"; tail -2 logs/datasets_err.txt
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site2 \
    .gpu-bundle/wheels-fallback/*.whl || exit 3
  export PYTHONPATH=/tmp/site2:/tmp/site:$PWD
fi
python3 -c "import torch, transformers, peft, datasets, pyarrow; print('versions: torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__, 'datasets', datasets.__version__, 'pyarrow', pyarrow.__version__, 'cuda', torch.cuda.is_available())" || exit 4
python3 benchmarks/gpu/prep.py || exit 5
echo "set up in $(( $(date +%s) - T0 )) s"
launch() { local name=$1; shift
  python3 benchmarks/gpu/run_arm.py configs/default.yaml --output.dir runs/$name "$@" > logs/$name.log 2>&1 &
  echo "$name" >> logs/arms; }
source "$ARMS"
last=0
while [ $(( $(date +%s) - T0 )) -lt "$DEADLINE" ] && [ "$(jobs -r | wc -l)" -gt 0 ]; do
  sleep 5
  now=$(( $(date +%s) - T0 ))
  if [ $(( now - last )) -ge 60 ]; then last=$now
    echo "t=${now}s running=$(jobs -r | wc -l) gpu=$(nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader)"
    for name in $(cat logs/arms); do echo "  $name: $(grep -o "'epoch': '[0-9.]*'" logs/$name.log | tail -1)"; done
  fi
done
echo "stopped at t=$(( $(date +%s) - T0 ))s with $(jobs -r | wc -l) run(s) unfinished"
kill $(jobs -p) 2>/dev/null; sleep 2
for name in $(cat logs/arms); do
  d=runs/$name
  [ -f $d/device_run.json ] && [ -f $d/heads.safetensors ] || continue
  tar -cf "$OUT/$name.tar" -C $d adapter heads.safetensors config.json README.md metrics.json \
    training_config.yaml data.json device_run.json && echo "packed $name: $(cat $d/device_run.json)"
done
tar -czf "$OUT/logs.tgz" logs
ls -la "$OUT"
