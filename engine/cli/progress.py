"""Progress of long commands on stderr: a live display on a terminal, one line per step when
piped (a CI log or ``2> file`` gets a readable history instead of redraw sequences).

The events are the runner's (``engine.runner.progress``): login, the list of accounts, each
account's transactions and holdings, the end of the sync. Commands feed them in through
``SyncOptions.progress`` or ``engine.runner.progress.observing``; ``--quiet`` turns it off.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from engine.runner.progress import ProgressEvent


class ProgressDisplay:
    """Use as ``with ProgressDisplay(title) as show:`` and pass ``show`` as the observer.

    On a terminal: a spinner with the current stage, and a permanent line per finished
    account stage. Piped: one plain line per finished step. ``enabled=False``: nothing.
    """

    def __init__(self, title: str, *, enabled: bool = True,
                 console: Console | None = None) -> None:
        self.title = title
        self.enabled = enabled
        self.console = console or Console(stderr=True, highlight=False)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def live(self) -> bool:
        return self.enabled and self.console.is_terminal

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self._progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[title]}"),
                                      TextColumn("{task.description}"), TimeElapsedColumn(),
                                      console=self.console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task("starting", total=None, title=self.title)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def step(self, text: str) -> None:
        """A step of the command itself (``comparing with the recording``...)."""
        if not self.enabled:
            return
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)
        else:
            click.echo(f"{self.title}: {text}", err=True)

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        text = event.describe()
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)
            if event.status != "start":
                self._progress.console.print(("✗ " if event.status == "failed" else "✓ ")
                                             + text, markup=False,
                                             style="red" if event.status == "failed" else None)
        elif event.status != "start":
            click.echo(text, err=True)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Stop redrawing while the user types (a one-time code prompt)."""
        if self._progress is None:
            yield
            return
        self._progress.stop()
        try:
            yield
        finally:
            self._progress.start()


__all__ = ["ProgressDisplay"]
