#!/usr/bin/python3
"""Golden corpus BLEU-1..4 for pkg/caption, computed with NLTK's corpus_bleu.

Writes testdata/caption/bleu_fixtures.json (relative to the repository root,
or to the path given as the first argument). TestBLEUMatchesNLTK in
pkg/caption loads it, so the Go test needs no Python.

Needs NLTK (Debian: apt-get install -y python3-nltk). Run from the
repository root:

    /usr/bin/python3 bench/caption_fixtures/bleu_fixtures.py

BLEU-n uses uniform weights 1/n and no smoothing (NLTK's method0). Where an
n-gram order has no match NLTK substitutes the smallest normal float for that
precision, so it returns a number below 1e-76 instead of 0 (and warns); the
warnings are silenced here and the Go side returns exactly 0.
"""

import json
import os
import sys
import warnings

import nltk
from nltk.translate.bleu_score import corpus_bleu

WEIGHTS = [(1.0,), (0.5, 0.5), (1 / 3, 1 / 3, 1 / 3), (0.25, 0.25, 0.25, 0.25)]


def s(text):
    """Tokens of a space-separated sentence ("" is the empty sentence)."""
    return text.split()


# Each fixture: name, candidates (one per image), references (a list per image).
FIXTURES = [
    ("exact match", [s("a red 3 above a large blue 7")], [[s("a red 3 above a large blue 7")]]),
    ("no match", [s("one two three four")], [[s("five six seven eight nine")]]),
    (
        "short candidate (brevity penalty)",
        [s("a red 3 above")],
        [[s("a red 3 above a large blue 7"), s("a small red 3 above a 7 on the left")]],
    ),
    (
        "long candidate (no brevity penalty)",
        [s("a red 3 above a large blue 7 and a green 1 on the right at the top")],
        [[s("a red 3 above a large blue 7"), s("a red 3 above a 7")]],
    ),
    (
        "closest reference length tie goes to the shorter",
        [s("a b c d e")],
        [[s("a b c d"), s("a b c d e f"), s("x y z")]],
    ),
    (
        "references of different lengths",
        [s("the cat sat on the mat today"), s("there is a dog here")],
        [
            [s("the cat is on the mat"), s("there is a cat on the mat right now"), s("a cat sat")],
            [s("a dog is here"), s("there is a brown dog over here in the yard")],
        ],
    ),
    (
        "repeated words are clipped",
        [s("the the the the the the the")],
        [[s("the cat is on the mat"), s("there is a cat on the mat")]],
    ),
    (
        "clipping by the best reference per n-gram",
        [s("a a a b b c c c c")],
        [[s("a a b c"), s("a b b b c c"), s("c c c a")]],
    ),
    (
        "multi-sentence corpus",
        [
            s("two digits : a red 3 and a blue 7"),
            s("a small green 1 on the left"),
            s("a 4 to the right of a white 9 and a 2"),
        ],
        [
            [s("two digits : a blue 7 and a red 3"), s("a red 3 above a large blue 7"), s("a 3 on the left and a 7 at the bottom")],
            [s("a small green 1 on the left"), s("the digit 1 in green"), s("one digit : a 1 at the top")],
            [s("a 9 to the left of a 4 and a 2"), s("three digits : a 4 , a white 9 and a purple 2")],
        ],
    ),
    (
        "unicode tokens",
        [s("un chat très mignon sur le tapis 🐱"), s("猫 が マット の 上 に いる")],
        [
            [s("un chat mignon est sur le tapis 🐱"), s("le chat très mignon dort")],
            [s("猫 が マット の 上 に 座って いる"), s("マット の 上 の 猫")],
        ],
    ),
    (
        "candidates shorter than the n-gram order",
        [s("a 3"), s("red"), s("a large blue 7 above a 1")],
        [[s("a 3 on the left")], [s("a red 5")], [s("a large blue 7 above a 1")]],
    ),
    (
        "unigram matches only",
        [s("7 3 blue a red")],
        [[s("a red 3 above a blue 7")]],
    ),
    (
        "bigram matches but no trigram",
        [s("a red 7 blue 3 above")],
        [[s("a red 3 above a blue 7")]],
    ),
    (
        "an empty candidate in the corpus",
        [s(""), s("a green 1 at the top")],
        [[s("a 5")], [s("a green 1 at the top"), s("a 1 on the left")]],
    ),
    (
        "NLTK documentation example",
        [
            s("It is a guide to action which ensures that the military always obeys the commands of the party"),
            s("he read the book because he was interested in world history"),
        ],
        [
            [
                s("It is a guide to action that ensures that the military will forever heed Party commands"),
                s("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
                s("It is the practical guide for the army always to heed the directions of the party"),
            ],
            [s("he was interested in world history because he read the book")],
        ],
    ),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("testdata", "caption", "bleu_fixtures.json")
    fixtures = []
    for name, cands, refs in FIXTURES:
        assert len(cands) == len(refs), name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = [float(corpus_bleu(refs, cands, weights=w)) for w in WEIGHTS]
        fixtures.append({"name": name, "candidates": cands, "references": refs, "bleu": scores})
    doc = {
        "generator": "bench/caption_fixtures/bleu_fixtures.py",
        "nltk_version": nltk.__version__,
        "fixtures": fixtures,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(fixtures)} fixtures to {out}")


if __name__ == "__main__":
    main()
