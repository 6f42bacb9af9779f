glimpse train --task cluttered60 --learned-first --locator-hidden 128 --init runs/c60-long2.safetensors --lr 3e-4 --epochs 150 --seed 9 --threads 1 -o runs/c60-long3.safetensors
