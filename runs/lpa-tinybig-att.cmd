lpa train --data builtin:largest --widths 4,8,16,32,32 --optimizer adam --schedule cosine --epochs 8 --seed 1 --threads 1 -o runs/lpa-tinybig-att.safetensors
