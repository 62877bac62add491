"""HTTP for meeting-plans: parse, call one service function, answer."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/networks", tags=["meeting-plans"])
