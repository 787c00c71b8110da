"""Browser fixtures shared by the web-map test modules (defined in ``test_browser.py``)."""

from __future__ import annotations

from .test_browser import browser, open_page

__all__ = ["browser", "open_page"]
