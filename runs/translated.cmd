glimpse train --task translated --learned-first --epochs 150 --seed 1 --threads 1 -o runs/translated.safetensors
