# test figures of caption-local-baseline (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-local-baseline.safetensors --threads 2 --json
