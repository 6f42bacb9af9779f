imgtx eval --model runs/imgtx-tx.safetensors --threads 2 --json
