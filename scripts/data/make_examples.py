#!/usr/bin/env python3
"""Writes the small data of three example recipes (seeded: numpy default_rng, so the committed
files are exactly what this script produces):

- examples/housing/{train,test}.csv: regression. Price (in $1000s) of synthetic houses from area,
  rooms, age, distance to the centre and a categorical neighbourhood; about 5% of the `age` and
  `distance` cells are empty (the recipe imputes the median).
- examples/penguins/{train,test}.csv: tabular multi-class with string labels (Adelie, Chinstrap,
  Gentoo) from four measurements and a categorical island; a few empty measurement cells.
- examples/shapes/{train,test}.csv: 8×8 grey images as 64 pixel columns p0…p63 with a string label
  (circle: a filled disc, cross: the two diagonals, square: an outline), drawn at random positions and sizes with pixel noise: a small CNN task.

Usage: python3 scripts/data/make_examples.py
"""
import csv
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2] / "examples"


def write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def cell(v, digits=3):
    return "" if v is None else f"{v:.{digits}f}"


def housing(rng, n):
    hoods = ["harbor", "hills", "downtown", "suburb"]
    premium = {"harbor": 80.0, "hills": 40.0, "downtown": 60.0, "suburb": 0.0}
    rows = []
    for _ in range(n):
        area = rng.uniform(50, 250)
        rooms = int(np.clip(round(area / 35 + rng.normal(0, 0.7)), 1, 8))
        age = rng.uniform(0, 80)
        distance = rng.uniform(0.5, 25)
        hood = hoods[rng.integers(0, 4)]
        price = 1.8 * area + 12 * rooms - 0.9 * age + 150 * np.exp(-distance / 6) + premium[hood] + rng.normal(0, 12)
        rows.append([cell(area, 1), rooms, None if rng.random() < 0.05 else cell(age, 1),
                     None if rng.random() < 0.05 else cell(distance, 2), hood, cell(price / 100, 3)])
    return [[("" if v is None else v) for v in r] for r in rows]


def penguins(rng, n):
    species = {  # bill length, bill depth, flipper length (mm), body mass (g); island weights
        "Adelie": ((38.8, 2.7), (18.3, 1.2), (190, 6.5), (3700, 460), [0.35, 0.35, 0.30]),
        "Chinstrap": ((48.8, 3.3), (18.4, 1.1), (196, 7.1), (3730, 380), [0.0, 1.0, 0.0]),
        "Gentoo": ((47.5, 3.1), (15.0, 1.0), (217, 6.5), (5080, 500), [1.0, 0.0, 0.0]),
    }
    islands = ["Biscoe", "Dream", "Torgersen"]
    names = list(species)
    rows = []
    for _ in range(n):
        name = names[rng.integers(0, 3)]
        bl, bd, fl, bm, w = species[name]
        values = [rng.normal(*bl), rng.normal(*bd), rng.normal(*fl), rng.normal(*bm)]
        values = [None if rng.random() < 0.03 else v for v in values]
        island = islands[rng.choice(3, p=w)]
        rows.append([cell(values[0], 1), cell(values[1], 1), cell(values[2], 0), cell(values[3], 0), island, name])
    return rows


def shapes(rng, n):
    names = ["circle", "cross", "square"]
    rows = []
    yy, xx = np.mgrid[0:8, 0:8]
    for _ in range(n):
        k = rng.integers(0, 3)
        size = rng.integers(2, 4)  # half-extent 2..3
        cy, cx = rng.integers(size, 8 - size + 1), rng.integers(size, 8 - size + 1)
        img = np.zeros((8, 8))
        if names[k] == "circle":
            d = np.sqrt((yy - cy + 0.5) ** 2 + (xx - cx + 0.5) ** 2)
            img[d < size - 0.2] = 1
        elif names[k] == "square":
            inside = (np.abs(yy - cy + 0.5) <= size) & (np.abs(xx - cx + 0.5) <= size)
            inner = (np.abs(yy - cy + 0.5) <= size - 1) & (np.abs(xx - cx + 0.5) <= size - 1)
            img[inside & ~inner] = 1
        else:
            dy, dx = np.abs(yy - cy + 0.5), np.abs(xx - cx + 0.5)
            img[(np.abs(dy - dx) < 0.6) & (dy <= size)] = 1
        img = np.clip(img + rng.normal(0, 0.15, (8, 8)), 0, 1)
        rows.append([f"{v:.2f}" for v in img.ravel()] + [names[k]])
    return rows


rng = np.random.default_rng(11)
header = ["area", "rooms", "age", "distance", "neighborhood", "price"]
write(ROOT / "housing" / "train.csv", header, housing(rng, 600))
write(ROOT / "housing" / "test.csv", header, housing(rng, 150))
header = ["bill_length", "bill_depth", "flipper_length", "body_mass", "island", "species"]
write(ROOT / "penguins" / "train.csv", header, penguins(rng, 450))
write(ROOT / "penguins" / "test.csv", header, penguins(rng, 120))
header = [f"p{i}" for i in range(64)] + ["label"]
write(ROOT / "shapes" / "train.csv", header, shapes(rng, 600))
write(ROOT / "shapes" / "test.csv", header, shapes(rng, 150))
print("wrote examples/housing, examples/penguins, examples/shapes")
