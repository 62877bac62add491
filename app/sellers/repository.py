"""Queries for seller settings; never commits."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.sellers.models import SellerSettings


class SellerSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_organisation(self, organisation_id: uuid.UUID) -> SellerSettings | None:
        stmt = select(SellerSettings).where(SellerSettings.organisation_id == organisation_id)
        return await self.session.scalar(stmt)

    def add(self, settings: SellerSettings) -> None:
        self.session.add(settings)
