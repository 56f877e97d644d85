# The two commands of README.md:
#   make demo   — builds Converge (release) and runs the main job
#   make test   — runs the test suite
# Both first look for OpenBLAS and install it when possible; Converge builds and runs without it.

SWIFT ?= swift
SHELL := /bin/bash

.PHONY: demo test bench deps build goldens

deps:
	@./scripts/ensure-openblas.sh
	@./scripts/ensure-onednn.sh

build: deps
	$(SWIFT) build -c release --product converge

demo: build
	.build/release/converge demo streamrec --output runs/streamrec

bench: build
	.build/release/converge bench

test: deps
	@set -o pipefail; $(SWIFT) test --disable-swift-testing 2>&1 | tee .build-test.log
	@awk '/Executed [0-9]+ tests?, with [0-9]+ failures?/ { n=$$2; f=$$5 } END { if (n != "") printf "%d passed, %d failed\n", n-f, f }' .build-test.log

goldens:
	python3 scripts/make_goldens.py
