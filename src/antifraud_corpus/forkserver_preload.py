"""Imported by a local cluster's forkserver before it forks any worker (`forkserver`).

An entry point, as `__main__` is: a forkserver only imports the modules it preloads, so the work is
done on import, and nowhere else is this module imported.
"""

import os

from .forkserver import CONFIG_ENV, prepare_for_workers

prepare_for_workers(os.environ.get(CONFIG_ENV))
