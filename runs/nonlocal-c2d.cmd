nonlocal train --blocks 0 --init runs/nonlocal-digits.safetensors --epochs 4 --threads 1 -q -o runs/nonlocal-c2d.safetensors
