glimpse train --task translated --learned-first --init models/ram/translated.safetensors --lr 3e-4 --epochs 100 --seed 3 --threads 1 -o runs/translated-ft2.safetensors
