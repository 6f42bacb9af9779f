glimpse train --task cluttered100 --learned-first --epochs 150 --seed 1 --threads 1 -o runs/cluttered100.safetensors
