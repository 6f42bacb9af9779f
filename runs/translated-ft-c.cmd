glimpse train --task translated --learned-first --locator-hidden 128 --init models/ram/translated.safetensors --lr 3e-4 --epochs 30 --seed 2 --threads 1 -o runs/translated-ft-c.safetensors
