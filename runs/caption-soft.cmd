caption train --attention soft --epochs 7 --threads 1 -q -o runs/caption-soft.safetensors
# stopped after epoch 2, resumed with --epochs 6 (the cosine schedule re-aimed at epoch 6)
caption train --attention soft --epochs 6 --threads 1 -q -o runs/caption-soft.safetensors --resume
