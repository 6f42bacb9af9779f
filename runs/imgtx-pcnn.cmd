imgtx train --arch pixelcnn --layers 8 --filters 64 --kernel 5 --batch 16 --lr 1e-3 --epochs 10 --epoch-images 4000 --val-limit 1000 --threads 1 --json -o runs/imgtx-pcnn.safetensors
