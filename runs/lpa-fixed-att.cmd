lpa train --data builtin --limit 10000 --renders 1 --optimizer adam --schedule cosine --epochs 30 --seed 1 --val-limit 2000 --threads 1 -o runs/lpa-fixed-att.safetensors
