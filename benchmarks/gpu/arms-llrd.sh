# Sourced by spread.sh (launch NAME [overrides of configs/default.yaml]). At most 5 runs that keep weights.
# Layer-wise learning-rate decay (train.layer_decay, training/optim.py), paired by seed on the v7 recipe's dev
# split, at batch 64 (lr and head lr x2) as in arms-batch64.sh, without context copies (own and dyads, sources 6
# and 7, at context 0) so that only the decay differs. B: no decay, D: 0.9 (the rate
# docs/ablations.md section 18 tried on CAMEO alone), E: 0.8.
for s in 13 14; do
  launch B$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
    --data.sources.6.context 0 --data.sources.7.context 0
  launch D$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
    --data.sources.6.context 0 --data.sources.7.context 0 --train.layer_decay 0.9
done
launch E13 --data.split_seed 13 --train.seed 13 --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
  --data.sources.6.context 0 --data.sources.7.context 0 --train.layer_decay 0.8
