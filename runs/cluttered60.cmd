glimpse train --task cluttered60 --learned-first --epochs 150 --seed 1 --threads 1 -o runs/cluttered60.safetensors
