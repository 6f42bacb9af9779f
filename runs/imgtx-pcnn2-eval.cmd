imgtx eval --model runs/imgtx-pcnn2.safetensors --threads 1 --json
