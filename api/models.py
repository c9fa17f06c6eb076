"""Every table, imported in one place for Alembic and the test database."""

from sqlmodel import SQLModel

from api.auth.models import AuthSession, LoginAttempt, User
from api.supporters.models import SupporterOffer

metadata = SQLModel.metadata

__all__ = ["AuthSession", "LoginAttempt", "SupporterOffer", "User", "metadata"]
