# the no-attention baseline on the same shorter-reach encoder as caption-local-sup, same budget (6 epochs)
caption train --attention none --convs 1,1,1,1 --epochs 6 --threads 1 -q -o runs/caption-local-baseline.safetensors
