# The two commands of README.md:
#   make demo   — builds Converge (release) and runs the main job
#   make test   — runs the test suite
# Both first look for OpenBLAS and install it when possible; Converge builds and runs without it.

SWIFT ?= swift
SHELL := /bin/bash

.PHONY: demo test bench deps build goldens install uninstall fuzz

# `make install` puts `converge` on the PATH: the executable and the resource bundle of the
# examples (the digits data that `converge demo digits` reads) go to $(PREFIX)/lib/converge,
# with a link to the executable in $(PREFIX)/bin. Override PREFIX (e.g. PREFIX=$$HOME/.local)
# to install without root; DESTDIR stages the files for a package.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib/converge
BUNDLE = $(wildcard .build/release/Converge_ConvergeExamples.resources .build/release/Converge_ConvergeExamples.bundle)

deps:
	@./scripts/ensure-openblas.sh
	@./scripts/ensure-onednn.sh
	@./scripts/ensure-openmpi.sh

build: deps
	$(SWIFT) build -c release --product converge

demo: build
	.build/release/converge demo streamrec --output runs/streamrec

bench: build
	.build/release/converge bench

test: deps
	@set -o pipefail; $(SWIFT) test --disable-swift-testing 2>&1 | tee .build-test.log
	@awk '/Executed [0-9]+ tests?, with / { n=$$2; s=0; f=0; if ($$7 == "skipped") { s=$$5; f=$$9 } else { f=$$5 } } END { if (n != "") { printf "%d passed, %d failed", n-f-s, f; if (s > 0) printf ", %d skipped (see the NOTICE lines above)", s; printf "\n" } }' .build-test.log

goldens:
	python3 scripts/make_goldens.py

# Each libFuzzer target for FUZZ_SECONDS seconds (scripts/fuzz.sh; not part of `make test`).
FUZZ_SECONDS ?= 30
fuzz:
	FUZZ_SEED=$${FUZZ_SEED:-1} ./scripts/fuzz.sh $(FUZZ_SECONDS)

install: build
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(LIBDIR)"
	install -m 755 .build/release/converge "$(DESTDIR)$(LIBDIR)/converge"
	rm -rf "$(DESTDIR)$(LIBDIR)"/Converge_ConvergeExamples.*
	cp -R $(BUNDLE) "$(DESTDIR)$(LIBDIR)/"
	ln -sf "$(LIBDIR)/converge" "$(DESTDIR)$(BINDIR)/converge"
	@echo "installed $(BINDIR)/converge ($$("$(DESTDIR)$(LIBDIR)/converge" --version))"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/converge"
	rm -rf "$(DESTDIR)$(LIBDIR)"
