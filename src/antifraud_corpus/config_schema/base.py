"""The building blocks of the config schemas."""

from __future__ import annotations

from typing import TypeAlias, TypeVar, Union

from msgspec import Struct, UnsetType

T = TypeVar("T")

Words: TypeAlias = list[str]
Regex: TypeAlias = str  # compiled (and checked) by the stage that uses it
Number: TypeAlias = float  # an int is accepted too
# A key a rule may leave out (`Omittable[bool] = UNSET`): its reader says what leaving it out means.
Omittable: TypeAlias = Union[T, UnsetType]  # noqa: UP007 - a generic alias needs Union


class Section(Struct, forbid_unknown_fields=True, frozen=True):
    """A mapping of named settings: every key declared, none unknown."""
