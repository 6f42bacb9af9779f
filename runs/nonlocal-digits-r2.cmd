nonlocal train --mode 2d --task digits --blocks 0 --epochs 3 --threads 1 -q -o runs/nonlocal-digits-r2.safetensors
