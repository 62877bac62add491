from fastapi import APIRouter

router = APIRouter(prefix="/v1/memberships", tags=["memberships"])
