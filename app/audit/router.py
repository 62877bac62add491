from fastapi import APIRouter

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])
