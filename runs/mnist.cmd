glimpse train --task mnist  --epochs 150 --seed 1 --threads 1 -o runs/mnist.safetensors
