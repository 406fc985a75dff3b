"""The one cattrs converter between wire JSON and the models, and its public entry points."""

from __future__ import annotations

from typing import TypeVar

import cattrs

from .._exceptions import InvalidArgumentError, ResponseValidationError
from ..models import WireModel
from ..models._json import JSONValue
from ._structure import WireValueError, register_structure_hooks
from ._unstructure import Misfit, register_unstructure_hooks

__all__ = ["from_wire", "to_wire"]

M = TypeVar("M", bound=WireModel)

_converter = cattrs.Converter(forbid_extra_keys=False)
register_structure_hooks(_converter)
register_unstructure_hooks(_converter)


def from_wire(cls: type[M], data: object) -> M:
    """Parse a decoded JSON body into ``cls``.

    Unknown keys are ignored and unknown enum values kept as strings; keys
    that arrived as ``null`` are remembered in ``explicit_nulls``. A value of
    the wrong shape raises :class:`ResponseValidationError` naming its path.
    """
    try:
        return _converter.structure(data, cls)
    except RecursionError:
        raise ResponseValidationError(
            model=cls.__name__, path="$", reason="it is nested too deeply"
        ) from None
    except WireValueError as exc:
        path = "$" + "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in reversed(exc.path)
        )
        raise ResponseValidationError(model=cls.__name__, path=path, reason=exc.reason) from exc


def to_wire(model: WireModel) -> dict[str, JSONValue]:
    """Serialize a model to JSON-ready data.

    Fields left at ``None`` are omitted, except those named in the model's
    ``explicit_nulls``, which are sent as ``null``. A value of the wrong type
    raises :class:`InvalidArgumentError` naming its field.
    """
    try:
        result: dict[str, JSONValue] = _converter.unstructure(model, type(model))
    except Misfit as misfit:
        path = "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in reversed(misfit.path)
        )
        raise InvalidArgumentError(
            f"{type(model).__name__}{path}: {misfit.reason}", code="InvalidModel", target=path[1:]
        ) from None
    return result
