"""Field errors that carry a stable problem code.

A request field type that checks a value against a rule of its own (a code list, a
check digit) raises `coded_error`: the 422 names the field as every validation error
does, and also the rule's code, on the field and, when it is the only kind of error in
the request, as the problem's `code` (app/api/problems.py).
"""

from pydantic_core import PydanticCustomError

CODE_KEY = "problem_code"


def coded_error(code: str, message: str) -> PydanticCustomError:
    # The message is final text: Pydantic fills `{name}` placeholders from the context,
    # and the context holds only the code, which no message names.
    return PydanticCustomError(code, message, {CODE_KEY: code})
