glimpse train --task cluttered100 --core lstm --learned-first --locator-hidden 128 --init runs/c100-lstm2.safetensors --lr 3e-4 --epochs 50 --seed 37 --threads 1 -o runs/c100-lstm3.safetensors
