glimpse train --task translated --learned-first --init runs/translated-ft3.safetensors --lr 3e-4 --epochs 100 --seed 8 --threads 1 -o runs/translated-ft4.safetensors
