# class-conditional local-1D transformer, warm-started from the embedded unconditional model (models/imgtx/transformer.safetensors); the class embedding starts at its random draw
imgtx train --arch transformer --attention local1d --layers 4 --embed 128 --heads 4 --ff 256 --dropout 0 --cond class --init models/imgtx/transformer.safetensors --batch 16 --lr 5e-4 --warmup 0 --epochs 5 --epoch-images 4000 --val-limit 1000 --threads 1 --json -o runs/imgtx-class.safetensors
# after 5 epochs 1,000 samples were not yet recognisable enough (see docs/experiments.md): the same run resumed to 12 epochs
# (the ended cosine restarts from 5e-4 and anneals to 0 at epoch 12)
imgtx train --arch transformer --attention local1d --layers 4 --embed 128 --heads 4 --ff 256 --dropout 0 --cond class --init models/imgtx/transformer.safetensors --batch 16 --lr 5e-4 --warmup 0 --epochs 12 --epoch-images 4000 --val-limit 1000 --threads 1 --json -o runs/imgtx-class.safetensors --resume
