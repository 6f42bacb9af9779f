# test scores of caption-soft-more at beam 1: the 5,000 fixed test scenes
caption eval --model runs/caption-soft-more.safetensors --beam 1 --threads 1 -q --json
