# the embedded baseline (6 epochs) trained 3 epochs more, as caption-soft-more, so that both have 9 epochs
caption train --attention none --init models/caption/baseline.safetensors --lr 3e-4 --epochs 3 --threads 1 -q -o runs/caption-baseline-more.safetensors
