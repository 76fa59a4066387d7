"""A time budget per document: a rule that backtracks cannot stall a run.

The shipped rules are tested for near-linear cost (tests/test_linear.py), but a rule a user
adds in a `--config` folder can backtrack without bound (`(x+x+)+y` on a line of `x`). Python's
`re` engine checks for signals while it matches, so an interval timer's SIGALRM interrupts even
a runaway match: the document fails with one line naming the budget and the config file whose
rules were running, and the batch goes on. Signals reach only a process's main thread; where
the stages run in another thread, or a timer of the caller's is already running, the document
runs without a budget.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from ..config import Config
from ..errors import BudgetError, ConfigError

# The config file whose rules a stage runs, by module (the innermost stage on the stack names it).
_RULES_OF = {
    "antifraud_corpus.stages.formats": "formats.yaml",
    "antifraud_corpus.stages.repair": "ingest.yaml",
    "antifraud_corpus.stages.gloss": "ingest.yaml",
    "antifraud_corpus.stages.convert": "ingest.yaml",
    "antifraud_corpus.stages.clean": "clean.yaml",
    "antifraud_corpus.stages.pii": "pii.yaml",
    "antifraud_corpus.stages.metadata": "metadata.yaml",
    "antifraud_corpus.stages.segment": "segment.yaml",
    "antifraud_corpus.extract.modality": "modality.yaml",
    "antifraud_corpus.extract.actors": "actors.yaml",
    "antifraud_corpus.extract.agencies": "agencies.yaml",
    "antifraud_corpus.extract.measures": "measures.yaml",
    "antifraud_corpus.extract": "extract.yaml",
    "antifraud_corpus.extract.topic": "topic.yaml",
    "antifraud_corpus.check": "check.yaml",
}



def document_seconds(config: Config) -> float:
    """`ingest.yaml` `document_seconds`: the time one document may take (0: no limit).

    Raises:
        ConfigError: the value is not a number of seconds.
    """
    value = config["ingest"]["document_seconds"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 10**9:
        raise ConfigError(f"ingest.yaml: document_seconds: expected a number of seconds (0: no limit), got {value!r}")
    return float(value)


@contextmanager
def document_budget(config: Config, source: str) -> Iterator[None]:
    """Run the block within the document time budget of `config`.

    Raises:
        BudgetError: the block ran past the budget (raised where it was, a regex match included).
    """
    seconds = document_seconds(config)
    if (seconds <= 0 or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        yield
        return
    started = time.monotonic()

    def past_budget(frame: FrameType | None) -> Exception:
        return BudgetError(
            source, f"stopped after {time.monotonic() - started:.0f} s, past the {seconds:g} s a document may take "
                    f"(ingest.yaml document_seconds); {_suspect(frame)}")

    with interrupt_after(seconds, past_budget):
        yield


@contextmanager
def interrupt_after(seconds: float, error: Callable[[FrameType | None], Exception]) -> Iterator[None]:
    """Raise `error(frame running then)` in the block once it has run `seconds` (main thread only).

    The previous SIGALRM handler is restored, and the timer stopped, when the block ends.
    """
    def ring(_signum: int, frame: FrameType | None) -> None:
        raise error(frame)

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _suspect(frame: FrameType | None) -> str:
    """What to check: the rules of the stage that was running."""
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        for prefix, rules in _RULES_OF.items():
            if module == prefix or module.startswith(prefix + "."):
                return f"a rule in {rules} may backtrack: check the patterns you added there, or raise the budget"
        frame = frame.f_back
    return "a rule you added may backtrack: check your config's patterns, or raise the budget"
