"""Training plumbing: an efficient input path and a learning-rate schedule.

Both are short on purpose; notebook 02 explains them line by line.
"""

from __future__ import annotations

import math
import time
from typing import Any

import keras
import numpy as np
import tensorflow as tf


def make_dataset(
    x: np.ndarray | dict[str, np.ndarray],
    y: np.ndarray,
    batch_size: int,
    shuffle: bool = False,
    seed: int = 0,
) -> Any:
    """A ``tf.data`` pipeline: cache in memory, shuffle each epoch (training), batch, prefetch.

    Caching keeps the converted arrays in memory so each epoch only batches
    them; prefetching prepares the next batch while the current one trains.
    """
    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:  # over every row: len(y), since x may be a dict of named inputs
        ds = ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def adam_cosine(peak_learning_rate: float, epochs: int, steps_per_epoch: int) -> Any:
    """Adam whose learning rate falls from ``peak_learning_rate`` to 0 along a cosine."""
    schedule = keras.optimizers.schedules.CosineDecay(
        peak_learning_rate, decay_steps=epochs * steps_per_epoch
    )
    return keras.optimizers.Adam(learning_rate=schedule)


def steps_per_epoch(n_samples: int, batch_size: int) -> int:
    return math.ceil(n_samples / batch_size)


class EpochTimes(keras.callbacks.Callback):
    """A Keras callback that keeps the wall time of every epoch in ``.seconds``."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)
