"""The batches of an evaluation that one process takes."""


def shard_batches(total, batch, limit=0, shard=(0, 1)):
    """Yield (b, lo, hi) for the batches [lo, hi) of the first `limit`
    items of `total` (all when limit <= 0) that process rank of world
    takes: batch b goes to rank b mod world, as the Go evaluators number
    their batches (ram draws batch b's first locations from it)."""
    n = total if limit <= 0 else min(limit, total)
    rank, world = shard
    for b, lo in enumerate(range(0, n, batch)):
        if b % world == rank:
            yield b, lo, min(lo + batch, n)
