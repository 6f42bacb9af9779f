glimpse train --task mnist --learned-first --init models/ram/mnist.safetensors --lr 3e-4 --epochs 100 --seed 2 --threads 1 -o runs/mnist-ft.safetensors
