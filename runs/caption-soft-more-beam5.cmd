# test scores of caption-soft-more at beam 5: the 5,000 fixed test scenes
caption eval --model runs/caption-soft-more.safetensors --beam 5 --threads 1 -q --json
