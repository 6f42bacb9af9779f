# soft attention with attention supervision (weight 1) on an encoder of shorter reach (one convolution in every block: each annotation sees about 40 pixels instead of the whole scene), 6 epochs from scratch, the recipe of caption-soft otherwise
caption train --attention soft --attn-supervision 1 --convs 1,1,1,1 --epochs 6 --threads 1 -q -o runs/caption-local-sup.safetensors
