"""`make bench`: how close the notebooks' models come to what this machine can do.

1. The limit: the best FLOP rate of large kernels (square matrix multiplications and 3x3
   convolutions of VGG16's shapes, each larger than any layer of the workloads) in float32, and
   in bfloat16 where the CPU has instructions for it (AVX512_BF16 or AMX's tiles, which oneDNN
   reaches through convolutions more readily than through a plain matmul); on a GPU, float32,
   float16 and bfloat16. The peak is measured before and after the workloads and the better
   kept, so that a machine that warms up or was busy at the start does not lower it.
2. Each workload's achieved rate: FLOPs per example counted from the model's layers
   (`utils.flops`: convolution and dense multiply-adds; a training step is three forward passes),
   times examples per second measured over timed steps after a warm-up.

Prints one table (workload, precision, examples/s, GFLOP/s, % of the matching peak) and writes it
to results/<profile>/bench.json with the device and library versions; `make report` shows it.
Synthetic data: the timings do not depend on the dataset. About two minutes on 2 CPU cores
(`DNN_PROFILE=quick`: smaller sizes and fewer steps, seconds; its figures are not results).

Each row sets its own precision policy just before it builds its model, and checks that every
layer of the built model computes in that precision before timing it: a row can never run in
another precision than its label (`keras.backend.clear_session()` resets the global policy to
float32, which once made every bfloat16 row after the first a float32 row).
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time

import utils  # first: it loads TensorFlow without its start-up log lines

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils import pick  # noqa: E402
from utils.environment import cpu_bf16_support, cpu_description  # noqa: E402
from utils.flops import model_flops, training_flops  # noqa: E402
from utils.precision import check_precision, compute_dtypes, set_precision  # noqa: E402
from utils.data import locked, write_atomically  # noqa: E402
from utils.results import results_dir  # noqa: E402


def _best_rate(run, flops: float, repeats: int) -> float:
    """GFLOP/s of the fastest of ``repeats`` calls of ``run`` (after a warm-up call)."""
    run().numpy()  # warm-up: tracing, oneDNN's kernel choice, first touch of memory
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run().numpy()
        best = min(best, time.perf_counter() - start)
    return flops / best / 1e9


def peak_kernels() -> list[tuple[str, tuple]]:
    """The kernels tried for the peak: square matmuls and 3x3 convolutions of VGG16's shapes.

    On a CPU with AMX, oneDNN runs convolutions on the tile units while TensorFlow's plain
    matmul may not reach them, so a matmul alone underestimates the peak (VGG16 once measured
    146% of a matmul-only "peak"). Each kernel is at least as large as any layer of the
    workloads, so that none of them can beat the best kernel.
    """
    sizes = pick(full=(2048, 4096), quick=(1024,))
    convs = pick(
        full=((8, 112, 128), (8, 56, 256), (8, 28, 512)),
        quick=((8, 32, 128), (8, 16, 256)),
    )
    return [("matmul", (n,)) for n in sizes] + [("conv3x3", c) for c in convs]


def kernel_rate(kind: str, shape: tuple, dtype: str, repeats: int) -> float:
    """GFLOP/s of one peak kernel in ``dtype``."""
    if kind == "matmul":
        (n,) = shape
        a = tf.cast(tf.random.normal((n, n), seed=1), dtype)
        b = tf.cast(tf.random.normal((n, n), seed=2), dtype)
        run = tf.function(
            lambda: tf.reduce_sum(tf.cast(tf.matmul(a, b)[:1, :1], "float32"))
        )
        return _best_rate(run, 2 * n**3, repeats)
    batch, side, channels = shape
    x = tf.cast(tf.random.normal((batch, side, side, channels), seed=1), dtype)
    k = tf.cast(tf.random.normal((3, 3, channels, channels), seed=2), dtype)
    run = tf.function(
        lambda: tf.reduce_sum(
            tf.cast(tf.nn.conv2d(x, k, 1, "SAME")[:1, :1, :1, :1], "float32")
        )
    )
    return _best_rate(run, 2 * batch * side * side * 9 * channels**2, repeats)


def instruction_set(dtype: str, gpu: bool, flags: list[str]) -> str:
    """The instructions that do this precision's multiply-adds, as far as the flags tell."""
    if gpu:
        return "GPU" + (" tensor cores" if dtype != "float32" else "")
    if dtype == "bfloat16":
        if "amx_bf16" in flags:
            return "AMX tiles (amx_bf16)"
        return "AVX512_BF16" if "avx512_bf16" in flags else "emulated"
    return "AVX-512 FMA" if "avx512f" in flags else "AVX2 FMA"


def measure_peak(dtype: str, repeats: int | None = None) -> dict:
    """The best GFLOP/s over :func:`peak_kernels`, and which kernel gave it."""
    repeats = repeats or pick(full=5, quick=3)
    rates = {
        f"{kind} {'x'.join(map(str, shape))}": kernel_rate(kind, shape, dtype, repeats)
        for kind, shape in peak_kernels()
    }
    best = max(rates, key=rates.get)
    return {"gflop_per_s": rates[best], "kernel": best, "kernels": rates}


def lecture_cnn() -> keras.Model:
    """Notebook 02's CNN (104,202 parameters)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(128, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", dtype="float32"),
        ],
        name="mnist_cnn",
    )


def model_c(size: int = 128) -> keras.Model:
    """Notebook 03's model C: augmentation, five convolutions, dropout, one sigmoid unit."""
    layers = [
        keras.Input((size, size, 3)),
        keras.layers.RandomFlip("horizontal"),
        keras.layers.RandomRotation(0.1),
        keras.layers.RandomZoom(0.2),
        keras.layers.RandomTranslation(0.1, 0.1),
        keras.layers.Rescaling(1 / 255),
    ]
    for i, f in enumerate([32, 64, 128, 128, 128]):
        layers.append(keras.layers.Conv2D(f, 3, activation="relu"))
        if i < 4:
            layers.append(keras.layers.MaxPooling2D(2))
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid", dtype="float32"),
    ]
    return keras.Sequential(layers, name="model_c")


def lstm_forecaster() -> keras.Model:
    """Notebook 06's LSTM: 6 hours in, 24 out."""
    return keras.Sequential(
        [
            keras.Input((6, 1)),
            keras.layers.LSTM(16),
            keras.layers.Dense(24, dtype="float32"),
        ],
        name="lstm",
    )


def time_training(
    model: keras.Model, x: np.ndarray, y: np.ndarray, loss: str, batch: int, steps: int
) -> float:
    """Examples per second of model.fit on cached batches, after a warm-up epoch."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    ds = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .batch(batch)
        .cache()
        .repeat()
        .prefetch(2)
    )
    model.fit(
        ds, epochs=1, steps_per_epoch=max(2, steps // 4), verbose=0
    )  # tracing, warm caches
    start = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * batch / (time.perf_counter() - start)


def time_inference(model: keras.Model, x: np.ndarray, repeats: int) -> float:
    forward = tf.function(lambda t: model(t, training=False))
    forward(x).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        forward(x).numpy()
    return repeats * len(x) / (time.perf_counter() - start)


def workloads(rng: np.random.Generator) -> list[tuple]:
    """(name, builder, measure(model) -> examples/s, training?) for each workload."""
    cat_px, vgg_px = 128, pick(full=224, quick=64)
    steps = pick(full=1, quick=0.25)  # the quick profile times a quarter of the steps
    mnist_x = rng.random((128 * 8, 28, 28, 1), dtype="float32")
    mnist_y = rng.integers(0, 10, len(mnist_x))
    cats_x = rng.uniform(0, 255, (32 * 4, cat_px, cat_px, 3)).astype("float32")
    cats_y = rng.integers(0, 2, (len(cats_x), 1)).astype("float32")
    vgg_x = rng.uniform(-120, 140, (8, vgg_px, vgg_px, 3)).astype("float32")
    traffic_x = rng.random((32 * 16, 6, 1), dtype="float32")
    traffic_y = rng.random((len(traffic_x), 24), dtype="float32")
    return [
        (
            "02 CNN, training, batch 128",
            lecture_cnn,
            lambda m: time_training(
                m,
                mnist_x,
                mnist_y,
                "sparse_categorical_crossentropy",
                128,
                int(40 * steps),
            ),
            True,
        ),
        (
            f"03 model C, training, {cat_px} px, batch 32",
            lambda: model_c(cat_px),
            lambda m: time_training(
                m, cats_x, cats_y, "binary_crossentropy", 32, int(12 * steps)
            ),
            True,
        ),
        (
            f"04 VGG16 base, forward, {vgg_px} px, batch 8",
            lambda: keras.applications.VGG16(
                include_top=False,
                weights=None,
                input_tensor=keras.Input(shape=(vgg_px, vgg_px, 3)),
            ),
            lambda m: time_inference(m, vgg_x, 3),
            False,
        ),
        (
            "06 LSTM(16), training, batch 32",
            lstm_forecaster,
            lambda m: time_training(
                m, traffic_x, traffic_y, "mse", 32, int(200 * steps)
            ),
            True,
        ),
    ]


def measure_row(
    name: str, build, measure, training: bool, precision: str, peak: float
) -> dict:
    """One row: build the workload's model under ``precision``, check it, time it.

    The session is cleared first and the policy set after it (clearing resets the policy), and
    the built model must compute in ``precision`` in every layer but its float32 output layer,
    or :class:`utils.precision.PrecisionError` stops the bench.
    """
    keras.backend.clear_session()
    policy = set_precision(precision)
    keras.utils.set_random_seed(0)
    model = build()
    check_precision(model, precision)
    dtypes = sorted(set(compute_dtypes(model).values()))
    flops = training_flops(model) if training else model_flops(model)
    per_second = measure(model)
    gflops = flops * per_second / 1e9
    return {
        "workload": name,
        "precision": precision,
        "policy": policy,
        "compute_dtypes": dtypes,
        "examples_per_s": per_second,
        "gflop_per_example": flops / 1e9,
        "gflop_per_s": gflops,
        "percent_of_peak": 100 * gflops / peak,
    }


def bench_precisions(gpu: bool, bf16: bool) -> list[str]:
    """float32 always; float16 and bfloat16 on a GPU; bfloat16 on a CPU that has it."""
    if gpu:
        return ["float32", "float16", "bfloat16"]
    return ["float32", "bfloat16"] if bf16 else ["float32"]


def main() -> int:
    info = utils.setup_notebook(seed=0)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    bf16, why = cpu_bf16_support()
    cpu = cpu_description()
    precisions = bench_precisions(gpu, bf16)
    print(
        f"CPU: {cpu['model']} ({', '.join(cpu['flags']) or 'no bf16/AMX/AVX-512 flags'})"
    )
    print(
        f"bfloat16 on this CPU: {'yes' if bf16 else 'no'} ({why})"
        if not gpu
        else "GPU: float16 and bfloat16 too"
    )
    peaks = {p: measure_peak(p) for p in precisions}
    rows = []
    rng = np.random.default_rng(0)
    for precision in precisions:
        for name, build, measure, training in workloads(rng):
            row = measure_row(
                name,
                build,
                measure,
                training,
                precision,
                peaks[precision]["gflop_per_s"],
            )
            rows.append(row)
            print(
                f"  {name:<42} {precision:<9} {row['examples_per_s']:>10,.1f} /s "
                f"{row['gflop_per_s']:>8,.1f} GFLOP/s",
                flush=True,
            )
    keras.backend.clear_session()
    set_precision("float32")
    for p in precisions:  # again after the workloads: the better of the two is the peak
        again = measure_peak(p)
        if again["gflop_per_s"] > peaks[p]["gflop_per_s"]:
            peaks[p] = again
        peaks[p]["instructions"] = instruction_set(p, gpu, cpu["flags"])
        print(
            f"peak, {p}: {peaks[p]['gflop_per_s']:,.0f} GFLOP/s "
            f"({peaks[p]['kernel']}, {peaks[p]['instructions']})"
        )
    for r in rows:
        r["percent_of_peak"] = (
            100 * r["gflop_per_s"] / peaks[r["precision"]]["gflop_per_s"]
        )
    over = [r for r in rows if r["percent_of_peak"] > 100]
    print(
        "\n| workload | precision | examples/s | GFLOP/s | % of peak |\n|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['workload']} | {r['precision']} | {r['examples_per_s']:,.1f} | {r['gflop_per_s']:,.1f} | "
            f"{r['percent_of_peak']:.0f}% |"
        )
    out = results_dir() / info.profile / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = (
        json.dumps(
            {
                "device": info.device,
                "cpu": cpu,
                "versions": info.versions,
                "cores": os.cpu_count(),
                "bfloat16": {"supported": bf16 or gpu, "why": why},
                "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
                "peak_gflop_per_s": {p: v["gflop_per_s"] for p, v in peaks.items()},
                "peak": peaks,
                "workloads": rows,
                "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"
                ),
            },
            indent=2,
        )
        + "\n"
    )
    # a whole new table, written atomically: a killed run leaves the old one whole
    with locked(out):
        write_atomically(out, text.encode())
    print(f"wrote {out}")
    if over:  # a workload faster than the peak means the peak was not one
        names = ", ".join(f"{r['workload']} ({r['precision']})" for r in over)
        print(f"bench: the peak is not a peak: {names} above 100%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
