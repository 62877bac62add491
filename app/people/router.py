from fastapi import APIRouter

router = APIRouter(prefix="/v1/people", tags=["people"])
