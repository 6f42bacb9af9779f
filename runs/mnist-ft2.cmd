glimpse train --task mnist --learned-first --init runs/mnist-ft.safetensors --lr 3e-4 --epochs 100 --seed 3 --threads 1 -o runs/mnist-ft2.safetensors
