# The two commands of README.md:
#   make demo   — builds Converge (release) and runs the main job
#   make test   — runs the test suite
# Both first look for OpenBLAS and install it when possible; Converge builds and runs without it.

SWIFT ?= swift

.PHONY: demo test bench deps build goldens

deps:
	@./scripts/ensure-openblas.sh

build: deps
	$(SWIFT) build -c release --product converge

demo: build
	.build/release/converge demo streamrec --output runs/streamrec

bench: build
	.build/release/converge bench

test: deps
	$(SWIFT) test

goldens:
	python3 scripts/make_goldens.py
