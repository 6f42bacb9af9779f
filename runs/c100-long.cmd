glimpse train --task cluttered100 --learned-first --locator-hidden 128 --init models/ram/cluttered100.safetensors --lr 3e-4 --epochs 150 --seed 4 --threads 1 -o runs/c100-long.safetensors
