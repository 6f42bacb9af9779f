glimpse train --task translated --learned-first --init runs/translated-ft4.safetensors --lr 3e-4 --epochs 80 --seed 11 --threads 1 -o runs/translated-ft5.safetensors
