import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import create_sessionmaker
from tests.mail.conftest import mail_settings, smtp_server

__all__ = ["mail_settings", "smtp_server"]


@pytest.fixture
async def sessions(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> async_sessionmaker[AsyncSession]:
    """Writing sessions on the test database, as the mail sender uses them."""
    return create_sessionmaker(engine)
