"""``python -m engine`` is the same as the ``engine`` command."""

from engine.cli import main

main()
