go run ./bench/imgtx_classify -model runs/imgtx-class2.safetensors -threads 1 -json
