glimpse train --task cluttered60 --core lstm --learned-first --locator-hidden 128 --init runs/c60-lstm.safetensors --lr 3e-4 --epochs 80 --seed 35 --threads 1 -o runs/c60-lstm2.safetensors
