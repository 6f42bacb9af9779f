imgtx eval --model runs/imgtx-upscale.safetensors --threads 1 --json
