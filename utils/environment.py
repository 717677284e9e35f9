"""The setup cell's one call: seeds, plot style, versions, profile and device."""

from __future__ import annotations

import os
import platform
import random
import sys
import warnings
from dataclasses import dataclass

import numpy as np

from .profile import get_profile

QUICK_BANNER = (
    "QUICK PROFILE: small stand-in data and few epochs, made to check that every cell runs.\n"
    "Its numbers are NOT results; run with DNN_PROFILE=full (the default) for the real thing."
)


@dataclass
class RunInfo:
    """What the setup cell found; kept so results can record where they came from."""

    profile: str
    seed: int
    device: str
    gpu: bool  # a GPU was found
    mixed_precision: bool
    versions: dict
    accelerator: bool = (
        False  # take the accelerator branches (a GPU, or DNN_DEVICE=gpu)
    )
    precision: str = "float32"  # the Keras dtype policy in use


_RUN: RunInfo | None = None

PROFILE_SAID = {
    "full": "full, the lecture's datasets and epochs (DNN_PROFILE=quick for a fast check)",
    "quick": "quick, small stand-in data and a few epochs (DNN_PROFILE=full for real)",
}


def in_colab() -> bool:
    """True inside Google Colab (checked without importing google.colab)."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def set_plot_style() -> None:
    """One plot style for the whole collection."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (7, 4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": "gray",
            "legend.frameon": False,
        }
    )


def cpu_bf16_support(cpuinfo: str = "/proc/cpuinfo") -> tuple[bool, str]:
    """Does this CPU have bfloat16 matrix instructions (AVX512_BF16 or AMX), and how we know."""
    try:
        with open(cpuinfo) as f:
            flags = next(
                (
                    line.split(":", 1)[1].split()
                    for line in f
                    if line.startswith("flags")
                ),
                [],
            )
    except OSError:
        return False, "no /proc/cpuinfo to read the CPU's flags from"
    found = [flag for flag in ("avx512_bf16", "amx_bf16") if flag in flags]
    if found:
        return True, "the CPU reports " + " and ".join(found)
    return False, "the CPU reports neither avx512_bf16 nor amx_bf16"


SPEED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16")


def cpu_description(cpuinfo: str = "/proc/cpuinfo") -> dict:
    """The CPU's model name and which of the flags that set its matrix speed it reports."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = value.split()
                    break
    except OSError:
        pass
    return {"model": model, "flags": [flag for flag in SPEED_FLAGS if flag in flags]}


def choose_mixed_precision(
    gpus: list, simulated_gpu: bool = False
) -> tuple[str | None, str]:
    """The mixed-precision policy for DNN_MIXED_PRECISION=1 on this machine, and why.

    A GPU of compute capability 7.0 or more (tensor cores) gets ``mixed_float16``; a CPU with
    bfloat16 instructions gets ``mixed_bfloat16``; anything else stays in float32 (``None``),
    since emulated half precision is slower than float32.
    """
    import tensorflow as tf

    if simulated_gpu:
        return "mixed_float16", "DNN_DEVICE=gpu: the policy of a GPU with tensor cores"
    if gpus:
        try:
            capability = tf.config.experimental.get_device_details(gpus[0]).get(
                "compute_capability"
            )
        except Exception:  # details are optional
            capability = None
        if capability and tuple(capability) >= (7, 0):
            return (
                "mixed_float16",
                f"GPU compute capability {capability[0]}.{capability[1]} has float16 tensor cores",
            )
        return (
            None,
            f"GPU compute capability {capability} is below 7.0: float16 would not be faster",
        )
    bf16, why = cpu_bf16_support()
    if bf16:
        return "mixed_bfloat16", why
    return None, why + ": bfloat16 would be emulated, so float32 is faster"


DEVICE_CHOICES = ("auto", "gpu", "cpu")


def device_choice() -> str:
    """``DNN_DEVICE``: 'auto' (the default: what the machine has), 'gpu' or 'cpu'.

    'gpu' makes the notebooks take the branches they take on an accelerator even on a CPU
    (slowly; the tests use it in the quick profile so that every GPU branch runs in CI);
    'cpu' hides any GPU, so a machine with one runs the CPU branches.
    """
    raw = os.environ.get("DNN_DEVICE", "").strip().lower() or "auto"
    if raw not in DEVICE_CHOICES:
        raise ValueError(
            f"DNN_DEVICE={raw!r}: use 'auto' (what this machine has), 'gpu' (take the "
            "accelerator branches, even on a CPU) or 'cpu' (hide any GPU)"
        )
    return raw


PRECISION_CHOICES = {
    "": None,
    "0": None,
    "false": None,
    "no": None,
    "off": None,
    "float32": None,
    "1": "auto",
    "true": "auto",
    "yes": "auto",
    "on": "auto",
    "auto": "auto",
    "bfloat16": "mixed_bfloat16",
    "mixed_bfloat16": "mixed_bfloat16",
    "float16": "mixed_float16",
    "mixed_float16": "mixed_float16",
}


def precision_choice() -> str | None:
    """``DNN_MIXED_PRECISION``: None (float32), 'auto' (1: the machine's fast policy), or a policy.

    '1' picks what this machine runs fast (:func:`choose_mixed_precision`); 'bfloat16' or
    'float16' force that policy on any machine (emulated, slow, where the hardware lacks it).
    """
    raw = os.environ.get("DNN_MIXED_PRECISION", "").strip().lower()
    if raw not in PRECISION_CHOICES:
        raise ValueError(
            f"DNN_MIXED_PRECISION={raw!r}: use 1 (the fast policy for this machine), "
            "bfloat16 or float16 (force one), or 0 (float32, the default)"
        )
    return PRECISION_CHOICES[raw]


FLOAT16_MAX = 65_504.0  # the largest finite float16


def _configure_device(
    float16: bool = True, bfloat16_on_cpu: bool = False
) -> tuple[str, bool, bool, str, str]:
    """Find the device, apply DNN_DEVICE and DNN_MIXED_PRECISION.

    Returns (device description, accelerator branches?, GPU found?, policy name, a sentence
    saying which precision and why).
    """
    import tensorflow as tf
    import keras

    choice = device_choice()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus and choice == "cpu":
        try:
            tf.config.set_visible_devices([], "GPU")
            gpus = []
        except RuntimeError:  # the GPU is already in use in this process
            pass
    if gpus:
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except (
                RuntimeError
            ):  # already initialised in this process: leave it as it is
                pass
        try:
            name = tf.config.experimental.get_device_details(gpus[0]).get(
                "device_name", gpus[0].name
            )
        except Exception:  # details are optional
            name = gpus[0].name
        device = f"GPU: {name} ({len(gpus)} found; memory growth on)"
    else:
        cores, cpu = os.cpu_count() or 1, cpu_description()
        flags = [f for f in cpu["flags"] if f in ("avx512_bf16", "amx_bf16")]
        device = (
            f"CPU only ({cores} cores, {cpu['model']}"
            + "".join(f", {f}" for f in flags)
            + ")"
        )
        if choice == "cpu":
            device += "; DNN_DEVICE=cpu: any GPU is hidden"
        if in_colab():
            device += (
                "\n  No GPU in this Colab runtime: Runtime > Change runtime type > "
                "Hardware accelerator: GPU, then run the notebook again."
            )
    accelerator = bool(gpus) or choice == "gpu"
    if accelerator:
        # float32 means float32: Ampere and later GPUs would otherwise multiply float32
        # matrices in TF32 (11 significant bits), which the float32 checks do not allow for
        tf.config.experimental.enable_tensor_float_32_execution(False)
    if accelerator and not gpus:
        device += (
            "; DNN_DEVICE=gpu: taking the GPU branches on this CPU (slow: for tests)"
        )
    wanted = precision_choice()
    unset = not os.environ.get("DNN_MIXED_PRECISION", "").strip()
    policy, said = (
        "float32",
        "float32 (set DNN_MIXED_PRECISION=1 for 16-bit arithmetic)",
    )
    if not unset and wanted is None:  # DNN_MIXED_PRECISION=0
        asked = os.environ["DNN_MIXED_PRECISION"].strip()
        said = f"float32 (DNN_MIXED_PRECISION={asked} asks for it)"
    if unset and bfloat16_on_cpu and not accelerator and get_profile() == "full":
        bf16, why = (
            cpu_bf16_support()
        )  # measured for the notebooks that ask (README, "Speed")
        if bf16:
            wanted, said = (
                "mixed_bfloat16",
                (
                    f"mixed_bfloat16, the full profile's default for this notebook on a CPU "
                    f"with bfloat16 ({why}), where it runs faster; DNN_MIXED_PRECISION=0 "
                    "keeps float32"
                ),
            )
    if wanted == "auto":
        chosen, why = choose_mixed_precision(
            gpus, simulated_gpu=accelerator and not gpus
        )
        if chosen:
            policy, said = (
                chosen,
                f"{chosen} ({why}); the output layers stay in float32",
            )
        else:
            said = f"float32. DNN_MIXED_PRECISION is set, but {why}."
    elif wanted and said.startswith("mixed_bfloat16, the full"):
        policy = wanted
    elif wanted:
        policy = wanted
        said = (
            f"{policy} (DNN_MIXED_PRECISION asks for it; where the hardware lacks it, it "
            "is emulated and slower than float32)"
        )
    if policy == "mixed_float16" and not float16:
        policy = "float32"
        said = (
            "float32. DNN_MIXED_PRECISION would give mixed_float16 here, but this notebook's "
            f"inputs go beyond float16's largest value ({FLOAT16_MAX:,.0f}), so it stays in "
            "float32"
        )
    keras.mixed_precision.set_global_policy(policy)
    if accelerator and not gpus and policy == "mixed_float16":
        if compile_with_xla_as_on_a_gpu():
            said += "; XLA compiles the models, as on a GPU"
    return device, accelerator, bool(gpus), policy, said


def compile_with_xla_as_on_a_gpu(enable: bool = True) -> bool:
    """Make ``compile(jit_compile="auto")`` choose XLA on this CPU, as it does on a GPU.

    Keras turns XLA off on a machine without a GPU. When a CPU stands in for a GPU under
    ``mixed_float16`` (``DNN_DEVICE=gpu``, the tests of the GPU's branches), that leaves
    TensorFlow's own float16 kernels, which on a CPU run some fifty times slower than XLA's
    compiled code; a GPU would use XLA. The choice stays Keras's own otherwise (a strategy
    still turns XLA off, a layer without XLA support too). ``enable=False`` gives Keras its
    own rule back. Returns whether it took effect (False where this Keras resolves "auto"
    differently).
    """
    from keras.src.trainers import trainer

    resolve = getattr(trainer.Trainer, "_resolve_auto_jit_compile", None)
    supports_jit = getattr(trainer, "model_supports_jit", None)
    if resolve is None or supports_jit is None:
        return False
    original = getattr(resolve, "keras_own", resolve)
    if not enable:
        trainer.Trainer._resolve_auto_jit_compile = original
        return True

    def resolve_as_on_a_gpu(self) -> bool:
        return not self._distribute_strategy and supports_jit(self)

    resolve_as_on_a_gpu.keras_own = original
    trainer.Trainer._resolve_auto_jit_compile = resolve_as_on_a_gpu
    return True


def one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """A warning as a learner should read it: its kind and message, on one line."""
    return f"{category.__name__}: {message}\n"


def setup_notebook(
    seed: int = 42,
    quiet_tf: bool = True,
    float16: bool = True,
    bfloat16_on_cpu: bool = False,
) -> RunInfo:
    """Seed everything, set the plot style, and print versions, profile, device and precision.

    Call it once, in the first code cell of every notebook. ``float16=False`` keeps a notebook
    whose raw inputs exceed float16's range (dollar prices, say) in float32 where mixed
    precision would mean float16; bfloat16 has float32's range and is kept.
    ``bfloat16_on_cpu=True`` makes ``mixed_bfloat16`` the full profile's default on a CPU with
    bfloat16 instructions when DNN_MIXED_PRECISION is not set (for notebooks where it was
    measured to be faster at the same accuracy); nothing changes on other machines.
    """
    global _RUN
    if quiet_tf:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import keras
    import matplotlib

    profile = get_profile()
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend in one call
    set_plot_style()
    # Keras warns that fit(shuffle=True) is ignored for a tf.data.Dataset; our datasets shuffle themselves.
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed")
    warnings.formatwarning = (
        one_line_warning  # the message, not our source file and line
    )
    tf.get_logger().setLevel(
        "ERROR"
    )  # e.g. "triggered tf.function retracing" when many small models predict
    device, accelerator, gpu, policy, precision_said = _configure_device(
        float16, bfloat16_on_cpu
    )
    versions = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
    }
    print("Versions:  " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"Profile:   {PROFILE_SAID[profile]}")
    print(f"Device:    {device}")
    print(f"Precision: {precision_said}")
    print(f"Seed:      {seed}")
    if profile == "quick":
        print("\n" + QUICK_BANNER)
    _RUN = RunInfo(
        profile,
        seed,
        device.splitlines()[0],
        gpu,
        policy != "float32",
        versions,
        accelerator=accelerator,
        precision=policy,
    )
    _write_run_info(_RUN)
    from .results import check_results_folder  # here: results imports this module

    check_results_folder(
        profile
    )  # a results folder we cannot write fails now, not after training
    return _RUN


def _write_run_info(info: RunInfo) -> None:
    """When $DNN_RUN_INFO names a file (``scripts/run_notebooks.py`` sets it), write the run's
    profile, device and versions there, so the executed notebook can carry them."""
    import dataclasses
    import datetime
    import json

    target = os.environ.get("DNN_RUN_INFO", "").strip()
    if target:
        data = dataclasses.asdict(info)
        data["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        )
        try:
            with open(target, "w") as f:
                json.dump(data, f)
        except OSError:  # the run itself matters more than its label
            pass


def run_info() -> RunInfo | None:
    """The RunInfo of the last setup_notebook() call in this process, if any."""
    return _RUN
