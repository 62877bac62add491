from app.db import create_engine, create_sessionmaker, utcnow
from app.idempotency.service import purge_expired


async def purge(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await purge_expired(session, utcnow())
    finally:
        await engine.dispose()
