# test figures of caption-sup1-ft (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-sup1-ft.safetensors --threads 2 --json
