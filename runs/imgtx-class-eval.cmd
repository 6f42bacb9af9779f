imgtx eval --model runs/imgtx-class.safetensors --threads 1 --json
