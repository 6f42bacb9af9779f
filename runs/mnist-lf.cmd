glimpse train --task mnist --learned-first --epochs 150 --seed 1 --threads 1 -o runs/mnist-lf.safetensors
