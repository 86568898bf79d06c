import pytest


@pytest.fixture
def runner_cli(app):
    return app.test_cli_runner()
