# pilot task (not the built-in task of this commit): data.DefaultTextured() with MinScale 1.0, MaxScale 1.3, MinDistractors 3, MaxDistractors 6 (Fragment 0.5, MaskDilate 2 unchanged), built from a worktree
lpa train --data builtin  --optimizer adam --schedule cosine --epochs 8 --seed 1 --threads 1 -o runs/lpa-hard-att.safetensors
