# test figures of caption-sup3-ft (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-sup3-ft.safetensors --threads 2 --json
