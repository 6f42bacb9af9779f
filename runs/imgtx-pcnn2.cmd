# the gated PixelCNN baseline brought to the transformer's budget (40,000 digits): imgtx-pcnn stopped after 5 of its 10 epochs (20,000 digits);
# this continues its best weights (= models/imgtx/pixelcnn.safetensors, epoch 5) for the 5 epochs left, with a fresh Adam and a cosine
# from 6e-4 (about where the first run's schedule stood at epoch 6) to 0
imgtx train --arch pixelcnn --layers 8 --filters 64 --kernel 5 --init models/imgtx/pixelcnn.safetensors --batch 16 --lr 6e-4 --warmup 0 --epochs 5 --epoch-images 4000 --val-limit 1000 --threads 1 --seed 2 --json -o runs/imgtx-pcnn2.safetensors
