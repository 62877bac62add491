"""Queries for seller settings; never commits."""

import uuid
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.reads import RowShape
from app.sellers.models import SellerSettings


class SellerSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_organisation(self, organisation_id: uuid.UUID) -> SellerSettings | None:
        stmt = select(SellerSettings).where(SellerSettings.organisation_id == organisation_id)
        return await self.session.scalar(stmt)

    async def read_for_organisation(
        self, shape: RowShape, organisation_id: uuid.UUID
    ) -> Row[Any] | None:
        """The settings' columns of `shape`, for the read path (app/api/reads.py). Who may
        read them is the service's check (the secretariat, an organisation it sees)."""
        stmt = select(*shape.columns(SellerSettings)).where(
            SellerSettings.organisation_id == organisation_id
        )
        return (await self.session.execute(stmt)).first()

    def add(self, settings: SellerSettings) -> None:
        self.session.add(settings)
