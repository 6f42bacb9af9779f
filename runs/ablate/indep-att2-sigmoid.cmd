lpa ablate --only indep,att2,sigmoid --optimizer adam --epochs 2 --limit 8000 --test-limit 2000 --threads 1 --json -o runs/ablate
