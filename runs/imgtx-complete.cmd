go run ./bench/imgtx_complete -json
