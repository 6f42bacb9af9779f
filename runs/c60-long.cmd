glimpse train --task cluttered60 --learned-first --locator-hidden 128 --init models/ram/cluttered60.safetensors --lr 3e-4 --epochs 150 --seed 4 --threads 1 -o runs/c60-long.safetensors
