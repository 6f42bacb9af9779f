# test figures of caption-local-sup (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-local-sup.safetensors --threads 2 --json
