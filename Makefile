# The two commands of the setup contract are `make demo` and `make test`; both install what
# is missing first (scripts/bootstrap.sh), so they work on a fresh machine.
VENV := .venv/bin

.PHONY: demo test lint bootstrap bench canary

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	@$(VENV)/engine demo

test:
	@bash scripts/bootstrap.sh --with-redis
	$(VENV)/ruff check engine sites tests bench
	$(VENV)/mypy engine
	$(VENV)/engine schema --check
	$(VENV)/python -m pytest -q

lint: bootstrap
	$(VENV)/ruff check engine sites tests bench
	$(VENV)/mypy engine

bench: bootstrap
	@$(VENV)/pip install -q -e '.[dev,bench]' && $(VENV)/python -m bench.run
