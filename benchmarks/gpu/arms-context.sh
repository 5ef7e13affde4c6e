# Sourced by spread.sh (launch NAME [overrides of configs/default.yaml]). At most 5 runs that keep weights.
# Context reading (training/context.py, docs/ablations.md section 15) against none, paired by seed on the v7
# recipe's dev split, at batch 64 (lr and head lr x2) as in arms-batch64.sh. configs/default.yaml has
# own and dyads (sources 6 and 7) at context 0.25 since v10; the N arms turn it off.
for s in 13 14; do
  launch N$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
    --data.sources.6.context 0 --data.sources.7.context 0
done
for s in 13 14 15; do
  launch C$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004
done
