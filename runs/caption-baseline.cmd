caption train --attention none --epochs 7 --threads 1 -q -o runs/caption-baseline.safetensors
# stopped after epoch 3, resumed with --epochs 6 (the cosine schedule re-aimed at epoch 6)
caption train --attention none --epochs 6 --threads 1 -q -o runs/caption-baseline.safetensors --resume
