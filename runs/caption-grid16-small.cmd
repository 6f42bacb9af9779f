# the small joint recipe (3 epochs of 11,000 scenes) with three blocks, so a 16x16 grid of annotations (L = 256); test: first 1,000 scenes, beam 3
caption train --attention soft --widths 32,64,128 --convs 2,2,2 --scenes 11000 --epochs 3 --threads 1 -q -o runs/caption-grid16-small.safetensors
caption eval --model runs/caption-grid16-small.safetensors --limit 1000 --threads 1 -q --json
