# caption-sup5-ft against caption-sup3-ft on the 1,000 validation scenes (the choice), then its test figures (5,000 fixed scenes, beam 3)
caption eval --model runs/caption-sup3-ft.safetensors --split val --threads 2 --json
caption eval --model runs/caption-sup5-ft.safetensors --split val --threads 2 --json
caption eval --model runs/caption-sup5-ft.safetensors --threads 2 --json
