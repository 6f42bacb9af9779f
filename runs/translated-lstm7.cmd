glimpse train --task translated --core lstm --learned-first --locator-hidden 128 --init models/ram/translated.safetensors --lr 1e-3 --warmup 2 --epochs 100 --seed 46 --threads 1 -o runs/translated-lstm7.safetensors
# stopped after epoch 33 of 100 to free a core for an lpa pilot, then resumed:
glimpse train --task translated --core lstm --learned-first --locator-hidden 128 --init models/ram/translated.safetensors --lr 1e-3 --warmup 2 --epochs 100 --seed 46 --threads 1 -o runs/translated-lstm7.safetensors --resume
