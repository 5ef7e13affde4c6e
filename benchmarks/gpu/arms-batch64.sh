# Sourced by spread.sh (launch NAME [overrides of configs/default.yaml]). At most 7 runs: $OUT returns 8 files.
# Each run's model tar is about 11.5 MB and $OUT returns at most 64 MiB, so keep to 5 runs that keep weights.
# Batch 64 (lr and head lr x2) for 4 and 6 epochs, seeds 13-15 on the v7 recipe's dev split (split seed 13).
for s in 13 14 15; do
  launch A$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004
done
for s in 13 14; do
  launch B$s --data.split_seed 13 --train.seed $s --train.batch_size 64 --train.lr 0.001 --train.head_lr 0.004 \
    --train.epochs 6
done
