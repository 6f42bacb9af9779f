glimpse train --task cluttered100 --core lstm --learned-first --locator-hidden 128 --init runs/c100-lstm6.safetensors --lr 3e-4 --epochs 60 --seed 47 --threads 1 -o runs/c100-lstm7.safetensors
