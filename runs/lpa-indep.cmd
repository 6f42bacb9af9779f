lpa train --data builtin --head indep --optimizer adam --schedule cosine --epochs 8 --seed 1 --threads 1 -o runs/lpa-indep.safetensors
