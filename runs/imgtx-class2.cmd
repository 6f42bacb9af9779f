# imgtx-class continued: its epoch-12 state (copied to runs/imgtx-class2.*) resumed to 30 epochs, the cosine restarting from 5e-4 and annealing to 0 at epoch 30;
# the question is whether more digits seen lift the share of recognisable class samples (58.0% at epoch 12)
imgtx train --arch transformer --attention local1d --layers 4 --embed 128 --heads 4 --ff 256 --dropout 0 --cond class --init models/imgtx/transformer.safetensors --batch 16 --lr 5e-4 --warmup 0 --epochs 30 --epoch-images 4000 --val-limit 1000 --threads 1 --json -o runs/imgtx-class2.safetensors --resume
