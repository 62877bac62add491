"""HTTP for sign-in, refresh and sign-out; users and API keys have routers of their own,
included here so `app/main.py` registers one router for access."""

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.problems import problem_response, problem_responses
from app.api.responses import json_response
from app.api.routing import APIRouter
from app.api.session import TransactionsDep
from app.auth import service
from app.auth.api_keys_router import router as api_keys_router
from app.auth.authenticate import SignInSessionId
from app.auth.http import NO_STORE, client_address
from app.auth.schemas import PASSWORD_MAX_LENGTH, RefreshRequest, TokenResponse
from app.auth.users_router import router as users_router
from app.db import utcnow

router = APIRouter(tags=["access"])
_auth = APIRouter(prefix="/v1/auth", tags=["access"])

# RFC 6749 §5.1: answers that carry tokens must not be cached.


class SignInForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form (what /docs' "Authorize" sends), with the lengths capped:
    Argon2 would otherwise hash a password of any size."""

    def __init__(
        self,
        *,
        username: Annotated[
            str,
            Form(
                min_length=1,
                max_length=320,
                description="The user's e-mail address.",
                examples=["kari.nordmann@example.com"],
            ),
        ],
        password: Annotated[
            str,
            Form(
                min_length=1,
                max_length=PASSWORD_MAX_LENGTH,
                json_schema_extra={"format": "password"},
                examples=["correct horse battery staple"],
            ),
        ],
        # OAuth2 says "password"; left out, it is taken as said (a form has no null).
        # FastAPI reads an empty form field as left out, so the document allows "" too.
        grant_type: Annotated[str, Form(pattern="^(password)?$")] = "password",
        scope: Annotated[str, Form(max_length=200)] = "",
    ) -> None:
        super().__init__(grant_type=grant_type, username=username, password=password, scope=scope)


def _tokens(tokens: service.Tokens) -> Response:
    body = TokenResponse(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )
    return json_response(body, headers=NO_STORE)


@_auth.post(
    "/token",
    response_model=TokenResponse,
    summary="Sign in",
    description="The OAuth2 password flow: `username` is the e-mail address. Answers an "
    "access token (send it as `Authorization: Bearer …`) and a refresh token. 401 "
    "`invalid_credentials` for a wrong e-mail or password (the same answer for both), 401 "
    "`user_disabled` for a disabled user. Wrong passwords are limited per account and per "
    "client address: at the limit, 429 `too_many_sign_in_attempts` with `Retry-After`, "
    "`RateLimit` and `RateLimit-Policy` headers, before the password is checked. Concurrent "
    "sign-ins of one account or address beyond its limit wait their turn; 503 "
    "`sign_in_busy` with `Retry-After` if that takes over 30 seconds.",
    responses=problem_responses(400, 429, 503),
)
async def sign_in(
    request: Request, form: Annotated[SignInForm, Depends()], transactions: TransactionsDep
) -> Response:
    address = client_address(request)
    result = await service.sign_in(
        transactions, request.app.state.settings, form.username, form.password, address, utcnow()
    )
    if isinstance(result, service.Tokens):
        return _tokens(result)
    # Returned, not raised: the failure the limit counts has committed.
    return problem_response(result.problem(), headers=result.headers)


@_auth.post(
    "/refresh",
    response_model=TokenResponse,
    summary="Exchange a refresh token for new tokens",
    description="Answers a new access token and a new refresh token; the one sent is used "
    "up. 401 `invalid_refresh_token` for an unknown or already used token, `token_revoked` "
    "after sign-out, `token_expired` when the sign-in is older than its lifetime, "
    "`user_disabled` for a disabled user. Presenting the refresh token that was just "
    "replaced again ends the whole sign-in (RFC 9700 §4.14.2): 401 `refresh_token_reused`, "
    "and the newer refresh token and its access tokens stop working too (`token_revoked`).",
    responses=problem_responses(400),
)
async def refresh(request: Request, body: RefreshRequest, session: SessionDep) -> Response:
    settings = request.app.state.settings
    result = await service.refresh(session, settings, body.refresh_token, utcnow())
    if isinstance(result, service.Tokens):
        return _tokens(result)
    # Returned, not raised: the request's session commits the revocation of the sign-in.
    return problem_response(result.problem(), headers=result.headers)


@_auth.post(
    "/logout",
    status_code=204,
    summary="Sign out",
    description="Ends the sign-in of the access token sent: that token and its refresh "
    "token stop working (401 `token_revoked`). API keys have no sign-in (403; revoke the "
    "key instead).",
    responses=problem_responses(),
)
async def sign_out(
    session: SessionDep, caller: CallerDep, sign_in_session_id: SignInSessionId
) -> Response:
    await service.sign_out(session, caller, sign_in_session_id, utcnow())
    return Response(status_code=204)


router.include_router(_auth)
router.include_router(users_router)
router.include_router(api_keys_router)
