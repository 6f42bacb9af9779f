# the no-attention baseline on the same frozen encoder (pretrained on digit presence, 3 epochs), same budget as caption-frozen (6 epochs of 55,000 scenes)
caption train --attention none --encoder frozen --pretrain-epochs 3 --epochs 6 --threads 1 -q -o runs/caption-frozen-baseline.safetensors
