lpa train --data builtin --no-attention --optimizer adam --schedule cosine --epochs 20 --seed 1 --threads 1 -o runs/lpa-baseline.safetensors
