"""The dependencies every route uses: its database session and its caller."""

from app.api.session import SessionDep
from app.auth.authenticate import CurrentCaller as CallerDep

__all__ = ["CallerDep", "SessionDep"]
