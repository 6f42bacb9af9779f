# test scores of caption-frozen: the 5,000 fixed test scenes, beam 3
caption eval --model runs/caption-frozen.safetensors --threads 1 -q --json
