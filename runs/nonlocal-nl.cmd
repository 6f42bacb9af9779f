nonlocal train --blocks 1 --init runs/nonlocal-digits.safetensors --epochs 4 --threads 1 -q -o runs/nonlocal-nl.safetensors
