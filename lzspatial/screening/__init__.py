"""Site screening: reading sites, the grid and plan indexes, screening, writing results, indicators."""

from lzspatial.screening.engine import screen, screen_xy
from lzspatial.screening.indicators import indicators, read_projects
from lzspatial.screening.results import ResultWriter, write_results
from lzspatial.screening.sites import read_sites

__all__ = [
    "ResultWriter",
    "indicators",
    "read_projects",
    "read_sites",
    "screen",
    "screen_xy",
    "write_results",
]
