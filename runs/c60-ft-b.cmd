glimpse train --task cluttered60 --learned-first --full-reinforce --init models/ram/cluttered60.safetensors --lr 3e-4 --epochs 20 --seed 2 --threads 1 -o runs/c60-ft-b.safetensors
