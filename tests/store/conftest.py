"""Fixtures for the store contract: one ``store_factory`` per backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from facilitator.store.base import Store
from facilitator.store.redis import RedisStore
from facilitator.store.sqlite import SQLiteStore
from tests.redis_fixtures import clean_redis_url, redis_url  # noqa: F401

BACKENDS = ["sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest, tmp_path) -> Iterator[Callable[[], Store]]:
    """Opens stores on one fresh backend; several calls share the data, as workers would."""
    opened: list[Store] = []
    if request.param == "sqlite":
        path = str(tmp_path / "store.db")

        def make() -> Store:
            opened.append(SQLiteStore(path))
            return opened[-1]
    else:
        url = request.getfixturevalue("clean_redis_url")

        def make() -> Store:
            opened.append(RedisStore.from_url(url))
            return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: Callable[[], Store]) -> Store:
    return store_factory()
