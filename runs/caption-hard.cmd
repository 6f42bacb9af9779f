caption train --attention hard --epochs 7 --threads 1 -q -o runs/caption-hard.safetensors
# stopped after epoch 2, resumed with --epochs 6 (the cosine schedule re-aimed at epoch 6)
caption train --attention hard --epochs 6 --threads 1 -q -o runs/caption-hard.safetensors --resume
