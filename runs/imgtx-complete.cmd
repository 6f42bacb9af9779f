go run ./bench/imgtx_classify -json
