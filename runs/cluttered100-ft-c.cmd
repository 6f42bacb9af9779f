glimpse train --task cluttered100 --learned-first --locator-hidden 128 --init models/ram/cluttered100.safetensors --lr 3e-4 --epochs 30 --seed 2 --threads 1 -o runs/cluttered100-ft-c.safetensors
