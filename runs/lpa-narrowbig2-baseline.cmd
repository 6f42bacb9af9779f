lpa train --data builtin:largest --no-attention --widths 8,16,32,64,64 --optimizer adam --schedule cosine --epochs 8 --seed 2 --threads 1 -o runs/lpa-narrowbig2-baseline.safetensors
