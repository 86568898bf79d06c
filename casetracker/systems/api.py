"""`GET /api/v1/systems`: the inventory for integrations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from casetracker.extensions import db
from casetracker.people.auth import token_required
from casetracker.systems import service
from casetracker.systems.models import System
from casetracker.systems.schemas import SystemListSchema, SystemQuerySchema

bp = Blueprint(
    "systems_api", __name__, url_prefix="/api/v1", description="Systems that hold personal data"
)


def system_view(system: System) -> dict:
    return {
        "id": system.id,
        "name": system.name,
        "owner": system.owner.email,
        "contexts": system.contexts,
        "rights": system.rights,
        "instructions": system.instructions,
        "active": system.active,
        "retired_at": system.retired_at,
    }


@bp.route("/systems")
class Systems(MethodView):
    decorators = (token_required,)

    @bp.arguments(SystemQuerySchema, location="query")
    @bp.response(200, SystemListSchema)
    def get(self, query):
        """List the systems that hold personal data, by name."""
        systems = service.inventory(db.session, include_retired=query["include_retired"])
        return {"items": [system_view(system) for system in systems]}
