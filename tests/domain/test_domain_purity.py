"""The domain layer imports no web framework and no storage driver."""

import ast
import pathlib

import facilitator.domain

FORBIDDEN = {"flask", "flask_socketio", "flask_babel", "redis", "sqlite3", "eventlet", "werkzeug"}


def test_domain_imports_no_flask_redis_or_sqlite():
    root = pathlib.Path(facilitator.domain.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
