# test scores of caption-baseline-more: the 5,000 fixed test scenes, beam 3
caption eval --model runs/caption-baseline-more.safetensors --threads 1 -q --json
