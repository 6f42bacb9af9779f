imgtx eval --model runs/imgtx-pcnn.safetensors --threads 1 --json
