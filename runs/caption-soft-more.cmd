# the embedded soft model (6 epochs) trained 3 epochs more with the same recipe and a fresh Adam at 3e-4 (cosine), to 9 epochs in all
caption train --attention soft --init models/caption/soft.safetensors --lr 3e-4 --epochs 3 --threads 1 -q -o runs/caption-soft-more.safetensors
