# The two commands of the setup contract are `make demo` and `make test`; both install what
# is missing first (scripts/bootstrap.sh), so they work on a fresh machine.
VENV := .venv/bin

.PHONY: demo test lint bootstrap bench canary mutations

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	@$(VENV)/engine demo

# Lint, types, schema, the secret audit of the recorded fixtures, the whole test suite (which
# also replays every recorded scenario), then the canary's JUnit and HTML reports in out/.
test:
	@bash scripts/bootstrap.sh --with-redis
	$(VENV)/ruff check engine sites tests bench scripts
	$(VENV)/mypy engine
	$(VENV)/engine schema --check
	$(VENV)/engine audit fixtures
	$(VENV)/python -m pytest -q
	$(VENV)/engine canary --junit out/canary.xml --html out/canary.html

canary: bootstrap
	$(VENV)/engine canary --junit out/canary.xml --html out/canary.html

# The mutation corpus (scripts/mutation_corpus.py, issue 15): every committed fixture changed
# the ways real sites change (several hundred mutations), judged by check, replay in the real
# browser, the canary and --suggest; prints the figures per site and overall and writes every
# verdict to out/mutations.json. About an hour on a quiet machine; the suite runs --quick.
mutations: bootstrap
	$(VENV)/python scripts/mutation_corpus.py --json out/mutations.json

lint: bootstrap
	$(VENV)/ruff check engine sites tests bench scripts
	$(VENV)/mypy engine

bench: bootstrap
	@$(VENV)/pip install -q -e '.[dev,bench]' && $(VENV)/python -m bench.run

# Faults on a real fleet (docs/workers.md): 50 syncs on two workers, three runs (no fault, one
# worker SIGKILLed mid-sync, a Redis restart); prints times, jobs lost and jobs run twice.
.PHONY: chaos
chaos:
	@bash scripts/bootstrap.sh --with-redis
	$(VENV)/python -m tests.workers.chaos --jobs 50
