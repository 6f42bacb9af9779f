# pilot task (not the built-in task of this commit): largest whole digit: data.DefaultTextured() with MinScale 0.8, MaxScale 1.5, MinDistractors 1, MaxDistractors 3, MinWhole 1, MaxWhole 2, Margin 1.25 (Fragment 0.5, MaskDilate 2 unchanged)
lpa train --data builtin  --optimizer adam --schedule cosine --epochs 5 --seed 1 --threads 1 -o runs/lpa-big-att.safetensors
