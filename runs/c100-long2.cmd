glimpse train --task cluttered100 --learned-first --locator-hidden 128 --init runs/c100-long.safetensors --lr 3e-4 --epochs 150 --seed 7 --threads 1 -o runs/c100-long2.safetensors
