# test scores of caption-soft-more: the 5,000 fixed test scenes, beam 3
caption eval --model runs/caption-soft-more.safetensors --threads 1 -q --json
