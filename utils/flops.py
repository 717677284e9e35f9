"""Count the floating-point operations of a Keras model, layer by layer.

A multiply-add is two FLOPs. Counted: convolutions (``Conv1D``, ``Conv2D``,
``Conv2DTranspose``, ``DepthwiseConv2D``), ``Dense`` and the recurrent layers
(``SimpleRNN``, ``LSTM``, ``GRU``, also inside ``Bidirectional``). Pooling,
activations, normalisation and the like are left out: they are a small share
of the work in these models and do not use the matrix units that set the
machine's peak. A training step costs about three forward passes (the forward
pass, then the gradients with respect to the inputs and to the weights).
"""

from __future__ import annotations

from typing import Any

import numpy as np

TRAINING_FACTOR = 3


def _spatial(shape: Any) -> int:
    """Positions in an output map: the product of the dimensions between batch and channels."""
    dims = [int(d) for d in tuple(shape)[1:-1]]
    return int(np.prod(dims)) if dims else 1


def layer_flops(layer: Any) -> int:
    """Forward-pass FLOPs of one layer for one example (0 for layers not counted)."""
    import keras

    name = type(layer).__name__
    if isinstance(layer, keras.layers.Bidirectional):
        steps, features = int(layer.input.shape[1]), int(layer.input.shape[-1])
        return sum(
            _recurrent_flops(type(d).__name__, steps, features, int(d.cell.units))
            for d in (layer.forward_layer, layer.backward_layer)
        )
    if isinstance(layer, (keras.Model, keras.Sequential)):
        return model_flops(layer)
    if name in ("Conv1D", "Conv2D", "Conv3D"):
        kernel = int(np.prod(layer.kernel.shape))  # k_h * k_w * c_in/groups * c_out
        return 2 * kernel * _spatial(layer.output.shape)
    if name == "Conv2DTranspose":
        # every input position spreads k_h * k_w * c_out values from c_in inputs
        return 2 * int(np.prod(layer.kernel.shape)) * _spatial(layer.input.shape)
    if name == "DepthwiseConv2D":
        return 2 * int(np.prod(layer.kernel.shape)) * _spatial(layer.output.shape)
    if name == "Dense":
        return 2 * int(np.prod(layer.kernel.shape)) * _spatial(layer.output.shape)
    if name in ("SimpleRNN", "LSTM", "GRU"):
        return _recurrent_flops(
            name,
            int(layer.input.shape[1]),
            int(layer.input.shape[-1]),
            int(layer.cell.units),
        )
    return 0


def _recurrent_flops(kind: str, steps: int, features: int, units: int) -> int:
    """Each step multiplies [input, previous output] by one weight matrix per gate."""
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    return 2 * steps * gates * units * (features + units)


def model_flops(model: Any) -> int:
    """Forward-pass FLOPs of a built Keras model for one example."""
    return int(sum(layer_flops(layer) for layer in model.layers))


def training_flops(model: Any) -> int:
    """FLOPs of one training example: three forward passes (see the module docstring)."""
    return TRAINING_FACTOR * model_flops(model)
