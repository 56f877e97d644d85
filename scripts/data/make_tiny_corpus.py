#!/usr/bin/env python3
"""Writes Sources/ConvergeExamples/Resources/tiny-corpus.txt: the text `converge demo transformer`
trains its character-level language models on.

The text is generated here from a small probabilistic grammar of English-like sentences (a
fixed seed, so the file is reproducible byte for byte); it contains no third-party text and is
released under CC0 1.0 with the rest of the generated data (see TINY-CORPUS-LICENSE.txt). The
grammar has agreement (a/an, singular verbs), nested clauses, quoted speech and numbered
lines, so a model has short- and long-range structure to learn.
"""
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Sources" / "ConvergeExamples" / "Resources" / "tiny-corpus.txt"

NOUNS = ["fox", "owl", "river", "miller", "queen", "sailor", "garden", "lantern", "orchard", "raven",
         "baker", "island", "tower", "clock", "wolf", "hare", "shepherd", "harbor", "meadow", "candle"]
ADJECTIVES = ["old", "quiet", "bright", "little", "grey", "patient", "wild", "golden", "early", "humble"]
VERBS = ["watches", "follows", "remembers", "guards", "finds", "answers", "calls", "carries", "keeps", "leaves"]
PLACES = ["by the water", "under the hill", "at the edge of the wood", "in the morning", "after the rain",
          "before the bells", "near the old road", "when the wind turns"]
SAYINGS = ["slow work is still work", "the road knows its own way", "a small light goes far",
           "every door was once a tree", "the tide returns what it takes"]


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def noun_phrase(rng):
    noun = rng.choice(NOUNS)
    if rng.random() < 0.5:
        adj = rng.choice(ADJECTIVES)
        return f"{article(adj)} {adj} {noun}" if rng.random() < 0.5 else f"the {adj} {noun}"
    return f"{article(noun)} {noun}" if rng.random() < 0.4 else f"the {noun}"


def clause(rng, depth=0):
    s = f"{noun_phrase(rng)} {rng.choice(VERBS)} {noun_phrase(rng)}"
    if depth < 2 and rng.random() < 0.3:
        s += f" that {rng.choice(VERBS)} {noun_phrase(rng)}"
    if rng.random() < 0.4:
        s += " " + rng.choice(PLACES)
    return s


def sentence(rng):
    r = rng.random()
    if r < 0.15:
        speaker = noun_phrase(rng)
        return f'{speaker[0].upper() + speaker[1:]} says, "{rng.choice(SAYINGS).capitalize()}."'
    if r < 0.3:
        return f"{clause(rng).capitalize()}, and {clause(rng)}."
    return f"{clause(rng).capitalize()}."


def main():
    rng = random.Random(20261201)
    lines = []
    verse = 1
    while sum(len(l) + 1 for l in lines) < 120_000:
        lines.append(f"{verse}. " + " ".join(sentence(rng) for _ in range(rng.randint(1, 3))))
        verse += 1
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes, {len(lines)} lines)")


if __name__ == "__main__":
    main()
