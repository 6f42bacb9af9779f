lpa train --data builtin --optimizer adam --schedule cosine --epochs 20 --seed 1 --threads 1 -o runs/lpa-att.safetensors
