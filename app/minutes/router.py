"""HTTP for minutes: parse, call one service function, answer."""

from fastapi import APIRouter

router = APIRouter(prefix="", tags=["minutes"])
