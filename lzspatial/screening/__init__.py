"""Site screening: reading sites, the grid and plan indexes, screening, writing results, indicators.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.screening.dask import screen_dask
    from lzspatial.screening.engine import answer_basis, screen, screen_xy
    from lzspatial.screening.indicators import indicators, read_projects
    from lzspatial.screening.results import ResultWriter, write_results
    from lzspatial.screening.sites import read_sites
    from lzspatial.screening.stream import screen_file, screen_iter

_EXPORTS = {
    "answer_basis": "lzspatial.screening.engine",
    "ResultWriter": "lzspatial.screening.results",
    "indicators": "lzspatial.screening.indicators",
    "read_projects": "lzspatial.screening.indicators",
    "read_sites": "lzspatial.screening.sites",
    "screen": "lzspatial.screening.engine",
    "screen_xy": "lzspatial.screening.engine",
    "screen_file": "lzspatial.screening.stream",
    "screen_iter": "lzspatial.screening.stream",
    "screen_dask": "lzspatial.screening.dask",
    "write_results": "lzspatial.screening.results",
}
__all__ = [
    "answer_basis",
    "ResultWriter",
    "indicators",
    "read_projects",
    "read_sites",
    "screen",
    "screen_xy",
    "screen_dask",
    "screen_file",
    "screen_iter",
    "write_results",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
