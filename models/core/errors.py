"""The one exception type a user can cause.

Pages show its message with ``st.error``; the CLI prints it and exits 1.
Anything else that escapes is a bug.
"""

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class ApprodoError(Exception):
    """An error caused by user input or by what the user may do, in Italian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NothingToSave(ApprodoError):
    """Nothing new to save (the text did not change): information for the user, not a fault of theirs."""


class PermissionDenied(ApprodoError):
    """The acting user may not see or change this."""

    def __init__(self, message: str = "Non hai i permessi per questa operazione."):
        super().__init__(message)


def parse_choice(choices: type[E], value: str, what: str) -> E:
    """`value` as one of `choices`, or an Italian error that lists them."""
    try:
        return choices(value)
    except ValueError:
        options = ", ".join(choice.value for choice in choices)
        raise ApprodoError(f"{what} «{value}» sconosciuto: usa uno tra {options}.") from None
