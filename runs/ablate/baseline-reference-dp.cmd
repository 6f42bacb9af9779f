lpa ablate --only baseline,reference,dp --optimizer adam --epochs 2 --limit 8000 --test-limit 2000 --threads 1 --json -o runs/ablate
