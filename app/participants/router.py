"""HTTP for participants: parse, call one service function, answer."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/meetings", tags=["participants"])
