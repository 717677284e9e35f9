"""`make bench`: one epoch of the lecture's MNIST CNN, the plain way vs notebook 02's way.

Plain way: NumPy arrays straight into ``fit`` with Keras's default batch size (32).
Notebook's way: a cached, shuffled, prefetched ``tf.data`` pipeline with batch 128.
Both use the same model, optimizer and data; each is warmed up on a few batches
first so graph tracing is not counted. Prints the time per epoch and the ratio.

Real MNIST comes from the data folder (DNN_DATA_DIR=... to point elsewhere);
with DNN_PROFILE=quick it runs on the offline stand-in (timings meaningless).
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import utils  # noqa: E402

NOTEBOOK_BATCH = 128


def lecture_cnn() -> keras.Model:
    """The lecture's CNN (104,202 parameters), as built in notebook 02."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(128, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])


def timed_epoch(fit_one_epoch, warm_up) -> float:
    warm_up()
    start = time.perf_counter()
    fit_one_epoch()
    return time.perf_counter() - start


def main() -> int:
    info = utils.setup_notebook(seed=0)
    (x, y), _ = utils.load_mnist()
    x = (x.astype("float32") / 255.0)[..., None]
    results = {}

    model = lecture_cnn()
    utils.check_params(model, 104_202)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    results["plain (NumPy arrays, batch 32)"] = timed_epoch(
        lambda: model.fit(x, y, epochs=1, verbose=0),
        lambda: model.fit(x[:32 * 20], y[:32 * 20], epochs=1, verbose=0))
    acc_plain = model.history.history["accuracy"][-1]

    model = lecture_cnn()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    train = utils.make_dataset(x, y, NOTEBOOK_BATCH, shuffle=True, seed=0)
    warm = utils.make_dataset(x[:NOTEBOOK_BATCH * 20], y[:NOTEBOOK_BATCH * 20], NOTEBOOK_BATCH)
    results[f"notebook (tf.data cache+prefetch, batch {NOTEBOOK_BATCH})"] = timed_epoch(
        lambda: model.fit(train, epochs=1, verbose=0),
        lambda: model.fit(warm, epochs=1, verbose=0))
    acc_nb = model.history.history["accuracy"][-1]

    (plain_name, plain), (nb_name, fast) = results.items()
    print(f"\nOne epoch of the lecture's CNN on {len(x):,} images ({info.device}):")
    print(f"  {plain_name:<45} {plain:7.1f} s   (train accuracy after 1 epoch {acc_plain:.4f})")
    print(f"  {nb_name:<45} {fast:7.1f} s   (train accuracy after 1 epoch {acc_nb:.4f})")
    print(f"  ratio notebook/plain: {fast / plain:.2f}  (target: at most 0.50)")
    if info.profile == "quick":
        print("  [quick profile: stand-in data; these timings say nothing about MNIST]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
