"""Web tests need the compiled Dutch catalog: build ``.mo`` files from the
committed ``.po`` files at collection time when they are missing or stale."""

from tests.browser.catalogs import compile_catalogs

compile_catalogs()
