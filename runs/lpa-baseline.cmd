# started as a 20-epoch run (epochs 1-2), then resumed after epoch 2 as an 8-epoch run:
lpa train --data builtin --no-attention --optimizer adam --schedule cosine --epochs 20 --seed 1 --threads 1 -o runs/lpa-baseline.safetensors
lpa train --data builtin --no-attention --optimizer adam --schedule cosine --epochs 8 --seed 1 --threads 1 -o runs/lpa-baseline.safetensors --resume
