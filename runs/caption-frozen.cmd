# soft attention on the encoder pretrained on digit presence (3 epochs) and then frozen, at the embedded models' budget (6 epochs of 55,000 scenes)
caption train --attention soft --encoder frozen --pretrain-epochs 3 --epochs 6 --threads 1 -q -o runs/caption-frozen.safetensors
