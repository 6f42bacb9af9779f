# test figures of caption-hard-sup-ft (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-hard-sup-ft.safetensors --threads 2 --json
