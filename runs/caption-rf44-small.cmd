# the small joint recipe (3 epochs of 11,000 scenes) with one convolution in blocks 3 and 4 (receptive field 44 px instead of 68); test: first 1,000 scenes, beam 3
caption train --attention soft --convs 2,2,1,1 --scenes 11000 --epochs 3 --threads 1 -q -o runs/caption-rf44-small.safetensors
caption eval --model runs/caption-rf44-small.safetensors --limit 1000 --threads 1 -q --json
