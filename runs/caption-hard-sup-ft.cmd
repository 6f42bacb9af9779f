# the 6-epoch hard-attention model (embedded at 0270eed) trained 3 epochs more with attention supervision of weight 1 and a fresh Adam at 3e-4 (cosine), the recipe of caption-sup1-ft: 9 epochs in all
git show 0270eed:models/caption/hard.safetensors > runs/caption-hard6.safetensors
caption train --attention hard --attn-supervision 1 --init runs/caption-hard6.safetensors --lr 3e-4 --epochs 3 --threads 1 -q -o runs/caption-hard-sup-ft.safetensors
