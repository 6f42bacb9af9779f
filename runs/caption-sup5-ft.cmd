# caption-sup3-ft trained 1 epoch more with the attention supervision weight raised to 5 and a fresh Adam at 1e-4 (cosine): 12 epochs in all
caption train --attention soft --attn-supervision 5 --init runs/caption-sup3-ft.safetensors --lr 1e-4 --epochs 1 --threads 1 -q -o runs/caption-sup5-ft.safetensors
