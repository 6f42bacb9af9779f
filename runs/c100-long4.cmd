glimpse train --task cluttered100 --learned-first --locator-hidden 128 --init runs/c100-long3.safetensors --lr 3e-4 --epochs 80 --seed 13 --threads 1 -o runs/c100-long4.safetensors
