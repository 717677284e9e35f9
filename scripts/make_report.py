"""Build results/README.md from results/full/*.json and the lecture's figures.

Every value in the table is read from a JSON file that a notebook wrote in a
full-profile run; nothing is typed by hand.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# read utils/lecture.py on its own (importing the utils package would start TensorFlow)
_spec = importlib.util.spec_from_file_location("lecture", ROOT / "utils" / "lecture.py")
_lecture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_lecture)
QUALITY = _lecture.QUALITY
sys.path.insert(0, str(ROOT / "scripts"))
from report_labels import LABELS  # noqa: E402

RESULTS = ROOT / "results"


def fmt(value, unit: str) -> str:
    if isinstance(value, float):
        if unit == "fraction":
            return f"{100 * value:.2f}%"
        if unit in {"$", "USD"}:
            return f"${value:,.0f}"
        return f"{value:.4g}"
    return str(value)


def bench_section(path: Path) -> list[str]:
    """The `make bench` table: each workload's FLOP rate against the machine's peak."""
    if not path.exists():
        return []
    bench = json.loads(path.read_text())
    if (
        "peak" in bench
    ):  # the best of matmuls and convolutions, with its instruction set
        peaks = ", ".join(
            f"{p} {v['gflop_per_s']:,.0f} GFLOP/s ({v['kernel']}, {v['instructions']})"
            for p, v in bench["peak"].items()
        )
        peak_name = "Peak (best of large matmuls and convolutions)"
    else:  # a bench.json from before the peak took convolutions in
        peaks = ", ".join(
            f"{p} {v:,.0f} GFLOP/s" for p, v in bench["matmul_peak_gflop_per_s"].items()
        )
        peak_name = "Matrix-multiply peak"
    cpu = bench.get("cpu")
    where = bench["device"] + (
        f"; CPU {cpu['model']} ({', '.join(cpu['flags']) or 'none of the speed flags'})"
        if cpu
        else ""
    )
    lines = [
        "",
        "## Speed (`make bench`)",
        "",
        f"Measured {bench['recorded_at'][:10]} on {where}. {peak_name}: {peaks}. "
        f"bfloat16: {'yes' if bench['bfloat16']['supported'] else 'no'} ({bench['bfloat16']['why']}).",
        "FLOPs are counted from the layers (`utils/flops.py`; training = 3 x forward). Each row's",
        "model was checked to compute in the row's precision before it was timed.",
        "",
        "| workload | precision | examples/s | vs float32 | GFLOP/s | % of peak |",
        "|---|---|---|---|---|---|",
    ]
    float32 = {
        r["workload"]: r["examples_per_s"]
        for r in bench["workloads"]
        if r["precision"] == "float32"
    }
    for r in bench["workloads"]:
        ratio = (
            r["examples_per_s"] / float32[r["workload"]]
            if r["workload"] in float32
            else None
        )
        lines.append(
            f"| {r['workload']} | {r['precision']} | {r['examples_per_s']:,.1f} | "
            f"{f'{ratio:.2f}x' if ratio else ''} | "
            f"{r['gflop_per_s']:,.1f} | {r['percent_of_peak']:.0f}% |"
        )
    return lines


def titles() -> dict[str, str]:
    """Notebook name -> its title, read from the notebooks (no TensorFlow needed)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from nbtools import notebook_paths, title

    return {p.stem: title(json.loads(p.read_text())) for p in notebook_paths()}


def label_of(nb: str, name: str, m: dict) -> str:
    label = LABELS.get((nb, name), name.replace("_", " "))
    return label + (f" ({m['rows']})" if m.get("rows") else "")


def figure_and_interval(name: str, m: dict) -> tuple[str, str]:
    """The figure as a reader should see it, and the interval that belongs to that figure."""
    unit = m.get("unit", "")
    value = m.get("value")
    if (
        name.endswith("_p") and "p-value" not in unit
    ):  # a paired test's p-value is the figure
        return f"p = {value:.2g}", ""
    shown = fmt(value, unit)
    if unit not in {"fraction", "$", "USD", ""}:
        shown += f" {unit}"
    interval = ""
    if "ci_low" in m and "ci_high" in m:
        interval = f"{fmt(m['ci_low'], unit)} to {fmt(m['ci_high'], unit)}"
    per_seed, note = m.get("per_seed") or [], m.get("ci_note", "")
    if "mean_over_seeds" in m:  # the figure is the first seed's, the mean is extra
        spread = f"{fmt(m['mean_over_seeds'], unit)} +/- {fmt(m.get('std', 0.0), unit)}"
        shown += f" (first seed; {len(per_seed)} seeds: {spread})"
    elif per_seed and ("first seed" in note or "seed 0" in note):
        # the figure is a mean over seeds; its interval was measured on the first seed alone
        shown += f" (mean of {len(per_seed)} seeds, +/- {fmt(m.get('std', 0.0), unit)})"
        interval = (
            f"first seed, {fmt(per_seed[0], unit)}: {interval}" if interval else ""
        )
    elif per_seed:
        lo, hi = m.get("min", min(per_seed)), m.get("max", max(per_seed))
        shown += f" (mean of {len(per_seed)} seeds, {fmt(lo, unit)} to {fmt(hi, unit)})"
    if "p_value" in m:
        shown += f" (p = {m['p_value']:.2g})"
    return shown, interval


def run_line(metrics: dict) -> str:
    """Where and when a notebook's figures were made, once per notebook."""
    runs = sorted(
        {
            (
                m.get("device", "?"),
                m.get("precision", "float32"),
                ", ".join(
                    f"{k} {v}"
                    for k, v in m.get("versions", {}).items()
                    if k in ("tensorflow", "keras")
                ),
                m.get("recorded_at", "")[:10],
            )
            for m in metrics.values()
        }
    )
    return "; ".join(
        f"{device}, {precision}, {versions}, recorded {date}"
        for device, precision, versions, date in runs
    )


def ordered(nb: str, metrics: dict) -> list[str]:
    """The metrics in the course's order (as LABELS lists them), then any others."""
    order = [name for (book, name) in LABELS if book == nb]
    return [n for n in order if n in metrics] + sorted(
        n for n in metrics if n not in order
    )


def notebook_section(nb: str, metrics: dict, title: str) -> list[str]:
    lines = [
        "",
        f"### {title}",
        "",
        f"Run: {run_line(metrics)}.",
        "",
        "| figure | lecture | ours | 95% interval |",
        "|---|---|---|---|",
    ]
    for name in ordered(nb, metrics):
        m = metrics[name]
        shown, interval = figure_and_interval(name, m)
        lecture = QUALITY.get((nb, name), "")
        lines.append(f"| {label_of(nb, name, m)} | {lecture} | {shown} | {interval} |")
    return lines


def precision_section(folder: Path, names: dict[str, str]) -> list[str]:
    """float32 against a mixed policy, for every notebook run both ways."""
    lines = []
    for policy_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not policy_dir.name.startswith("mixed_"):
            continue
        for path in sorted(policy_dir.glob("*.json")):
            base = folder / path.name
            if not base.exists():
                continue
            mixed = json.loads(path.read_text())["metrics"]
            plain = json.loads(base.read_text())["metrics"]
            nb = path.stem
            if not lines:
                lines = [
                    "",
                    "## float32 against mixed precision",
                    "",
                    "The same notebook run in full both ways; wall times include everything the",
                    "notebook does (see each run line for the machine).",
                ]
            lines += [
                "",
                f"### {names.get(nb, nb)}: float32 against {policy_dir.name}",
                "",
                f"float32: {run_line(plain)}.  ",
                f"{policy_dir.name}: {run_line(mixed)}.",
                "",
                f"| figure | float32 | {policy_dir.name} |",
                "|---|---|---|",
            ]
            for name in ordered(nb, plain):
                if name in mixed:
                    a, _ = figure_and_interval(name, plain[name])
                    b, _ = figure_and_interval(name, mixed[name])
                    lines.append(f"| {label_of(nb, name, plain[name])} | {a} | {b} |")
            for name in ordered(nb, mixed):  # figures only the mixed run measured
                if name not in plain:
                    b, interval = figure_and_interval(name, mixed[name])
                    b += f" ({interval})" if interval else ""
                    lines.append(
                        f"| {label_of(nb, name, mixed[name])} | not run | {b} |"
                    )
    return lines


def build() -> str:
    names = titles()
    lines = [
        "# Results",
        "",
        "Generated by `make report` from `results/full/*.json`, which the notebooks write in full-profile",
        "runs (`DNN_DATA_DIR=... make run DNN_PROFILE=full`). Do not edit by hand.",
        "",
        "Each notebook's figures, in plain words, beside the lecture's where it gives one. An accuracy",
        "is shown as a percentage with its 95% Wilson interval; an error with a 95% bootstrap interval",
        "over the examples it was measured on; `p` is the p-value of a paired test (McNemar or a paired",
        "bootstrap) between the two models a row names. Where a figure is a mean over seeds, the row",
        "says so, and says which seed its interval belongs to. Figures measured on different rows (see",
        'the label) are not comparable with each other. See README, "How we evaluate".',
    ]
    files = sorted((RESULTS / "full").glob("*.json"))
    files = [f for f in files if f.name[:2].isdigit()]
    for path in files:
        data = json.loads(path.read_text())
        nb = data.get("notebook", path.stem)
        lines += notebook_section(nb, data.get("metrics", {}), names.get(nb, nb))
    if not files:
        lines.append("\n(no full-profile results yet)")
    if (RESULTS / "full").is_dir():
        lines += precision_section(RESULTS / "full", names)
    lines += bench_section(RESULTS / "full" / "bench.json")
    gpu = sorted((RESULTS / "gpu" / "full").glob("[0-9][0-9]_*.json"))
    if gpu:
        lines += ["", "## On a GPU (`make device-check`)"]
        for path in gpu:
            data = json.loads(path.read_text())
            nb = data.get("notebook", path.stem)
            lines += notebook_section(nb, data.get("metrics", {}), names.get(nb, nb))
    lines += bench_section(RESULTS / "gpu" / "full" / "bench.json")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    out = RESULTS / "README.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build())
    print(f"wrote {out.relative_to(ROOT)}")
