imgtx eval --model runs/imgtx-class2.safetensors --threads 1 --json
