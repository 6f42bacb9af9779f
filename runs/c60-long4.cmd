glimpse train --task cluttered60 --learned-first --locator-hidden 128 --init runs/c60-long3.safetensors --lr 3e-4 --epochs 100 --seed 12 --threads 1 -o runs/c60-long4.safetensors
