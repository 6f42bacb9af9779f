# the 6-epoch soft model (embedded at 341d590) trained 3 epochs more with attention supervision of weight 1 (the recipe of caption-soft-more otherwise), 9 epochs in all
git show 341d590:models/caption/soft.safetensors > runs/caption-soft6.safetensors
caption train --attention soft --attn-supervision 1 --init runs/caption-soft6.safetensors --lr 3e-4 --epochs 3 --threads 1 -q -o runs/caption-sup1-ft.safetensors
