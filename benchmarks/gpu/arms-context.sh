# Sourced by spread.sh (launch NAME [overrides of configs/default.yaml]). At most 5 runs that keep weights.
# Context reading (training/context.py, docs/ablations.md sections 15-16), paired by seed on the v7 recipe's dev
# split, at batch 64 (lr and head lr x2) as in arms-batch64.sh. configs/default.yaml has own and dyads (sources 6
# and 7) at context 0.25, context_mode replace (v10). R: replace (v10's form), A: the copies added (v11's form),
# N: no context.
for s in 13 14; do
  launch R$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004
  launch A$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
    --data.sources.6.context_mode add --data.sources.7.context_mode add
done
launch N13 --data.split_seed 13 --train.seed 13 --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
  --data.sources.6.context 0 --data.sources.7.context 0
