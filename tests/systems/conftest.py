"""Systems fixtures: the dashboard's people and signed-in client."""

from tests.dashboard.conftest import dana, mateo, priya, tomasz, web  # noqa: F401
