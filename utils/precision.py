"""Which precision a model really computes in, and tolerances that follow it.

Keras keeps one *global* dtype policy (``keras.mixed_precision.set_global_policy``) and every
layer takes it when it is built. Two traps follow, and these helpers catch both:

* ``keras.backend.clear_session()`` resets the global policy to float32, so a script that sets
  ``mixed_bfloat16`` once and clears the session between models runs every model after the
  first in float32. :func:`set_precision` sets the policy again, and :func:`compute_dtypes`
  reads what the built layers will really compute in.
* Under a mixed policy the answers of a model differ from float32's in the third significant
  digit (bfloat16 keeps 8 bits of mantissa, float16 11). A check that compares a model's output
  with another computation must widen its tolerance accordingly: :func:`tolerance`.
"""

from __future__ import annotations

from typing import Any

PRECISIONS = ("float32", "bfloat16", "float16")


class PrecisionError(RuntimeError):
    """A model computes in another precision than the one it is labelled with."""


def policy_for(precision: str) -> str:
    """The Keras policy for a precision: 'float32' stays, 'bfloat16' -> 'mixed_bfloat16'."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r} is not one of {PRECISIONS}")
    return precision if precision == "float32" else f"mixed_{precision}"


def active_precision() -> str:
    """The compute dtype of the global policy: 'float32', 'bfloat16' or 'float16'."""
    import keras

    return str(keras.mixed_precision.global_policy().compute_dtype)


def set_precision(precision: str) -> str:
    """Set the global policy for ``precision`` and return the policy's name.

    Call it *after* ``keras.backend.clear_session()``, which resets the policy to float32.
    """
    import keras

    name = policy_for(precision)
    keras.mixed_precision.set_global_policy(name)
    return name


def _leaf_layers(model: Any) -> list:
    """Every layer of a model, nested models opened up, in order."""
    import keras

    leaves = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            leaves.extend(_leaf_layers(layer))
        else:
            leaves.append(layer)
    return leaves


def compute_dtypes(model: Any, *, skip_output: bool = True) -> dict[str, str]:
    """Compute dtype of every layer that does matrix work (it has a kernel), by layer name.

    The output layer is left out by default: it is kept in float32 on purpose (see
    :func:`check_output_float32`).
    """
    layers = [layer for layer in _leaf_layers(model) if layer.weights]
    if skip_output and layers:
        layers = layers[:-1]
    return {layer.name: str(layer.compute_dtype) for layer in layers}


def check_precision(model: Any, precision: str) -> None:
    """Raise :class:`PrecisionError` unless every matrix layer computes in ``precision``."""
    found = compute_dtypes(model)
    wrong = {name: dtype for name, dtype in found.items() if dtype != precision}
    if not found or wrong:
        raise PrecisionError(
            f"{model.name}: labelled {precision}, but "
            + (
                ", ".join(
                    f"{name} computes in {dtype}" for name, dtype in wrong.items()
                )
                if wrong
                else "it has no layer with weights"
            )
            + f" (global policy {_global_policy_name()})"
        )


def _global_policy_name() -> str:
    import keras

    return keras.mixed_precision.global_policy().name


def output_dtype(model: Any) -> str:
    """The dtype of a model's output tensor."""
    outputs = model.outputs if hasattr(model, "outputs") else [model.output]
    return str(outputs[0].dtype)


def check_output_float32(model: Any) -> None:
    """Stop with a clear message if a model's output is not float32.

    Under a mixed policy the layers compute in 16 bits, but the output layer must stay in
    float32 (``dtype="float32"`` on the last layer): a softmax or a sigmoid in 16 bits rounds
    probabilities near 0 and 1, and the loss computed from them is noisier.
    """
    from .checks import check_equal

    check_equal(
        f"{model.name}'s output dtype", output_dtype(model), "float32", "last layer"
    )


def tolerance(float32: float, bfloat16: float, float16: float | None = None) -> float:
    """The tolerance for the precision in use, e.g. ``tolerance(1e-4, bfloat16=2e-2)``.

    bfloat16 rounds to 8 significant bits and float16 to 11 (float32: 24), so a check that
    holds to 1e-4 in float32 needs a wider band under a mixed policy. ``float16`` defaults to
    the ``bfloat16`` tolerance (float16 rounds more finely, so that is never too tight).
    """
    precision = active_precision()
    if precision == "bfloat16":
        return float(bfloat16)
    if precision == "float16":
        return float(bfloat16 if float16 is None else float16)
    return float(float32)
