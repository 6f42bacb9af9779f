# one short fine-tune of the embedded soft model (11,000 scenes, Adam 3e-4, cosine) at lambda 0; test: first 1,000 scenes, beam 3
caption train --init models/caption/soft.safetensors --lambda 0 --epochs 1 --scenes 11000 --lr 3e-4 --threads 1 -q -o runs/caption-lambda0-ft.safetensors
caption eval --model runs/caption-lambda0-ft.safetensors --limit 1000 --threads 1 -q --json
