# caption-sup1-ft trained 2 epochs more with the attention supervision weight raised to 3 and a fresh Adam at 1e-4 (cosine): how high attention correctness goes when the loss leans on it
caption train --attention soft --attn-supervision 3 --init runs/caption-sup1-ft.safetensors --lr 1e-4 --epochs 2 --threads 1 -q -o runs/caption-sup3-ft.safetensors
