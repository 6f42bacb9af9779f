# test scores of caption-frozen-baseline: the 5,000 fixed test scenes, beam 3
caption eval --model runs/caption-frozen-baseline.safetensors --threads 1 -q --json
