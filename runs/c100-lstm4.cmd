glimpse train --task cluttered100 --core lstm --learned-first --locator-hidden 128 --init runs/c100-lstm3.safetensors --lr 3e-4 --epochs 30 --seed 41 --threads 1 -o runs/c100-lstm4.safetensors
