"""Module loggers' records reach the root logger once the Chalice app is imported (the Lambdas' handler is on
the root logger). Chalice's default configured the logger named after the app, "predictfluence" — the parent of
every predictfluence.* logger — to ERROR with propagate off: warnings such as the ETL's "creating … partitions
… before the load failed" were dropped in every Lambda (and from pytest's caplog in the whole suite)."""

from __future__ import annotations

import logging


def test_a_module_warning_reaches_the_root_logger_after_the_app_is_imported(caplog):
    import app  # noqa: F401 - importing it is what configured the loggers

    logging.getLogger("predictfluence.queries.partitions").warning("a warning from a module logger")
    assert "a warning from a module logger" in caplog.text
    assert logging.getLogger("predictfluence").propagate
