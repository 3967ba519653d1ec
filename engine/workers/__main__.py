"""``python -m engine.workers -c 4 -n w1@%h``: the ``engine worker`` command."""

from engine.workers.cli import worker

if __name__ == "__main__":
    worker()
