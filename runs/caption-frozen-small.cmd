caption train --attention soft --encoder frozen --pretrain-epochs 2 --scenes 11000 --epochs 3 --threads 1 -q -o runs/caption-frozen-small.safetensors
