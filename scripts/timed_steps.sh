#!/usr/bin/env bash
# Run `make STEP` for each step given, in order, and print each step's wall time at the end
# (also when a step fails: the table then ends at the failed step, and the exit code is its).
# A step written A+B runs A and B at the same time (B's output is kept in a log and printed
# when both are done), for two steps that share nothing but the machine.
# Usage: scripts/timed_steps.sh STEP [A+B] ...   (`make test` calls it)
set -uo pipefail
MAKE_CMD=${MAKE:-make}
times=()
code=0
started=$(date +%s)

report() {
    echo
    echo "== time per step =="
    for line in "${times[@]}"; do echo "$line"; done
    printf '%-40s %5d s\n' "total" "$(($(date +%s) - started))"
}

for step in "$@"; do
    t0=$(date +%s)
    if [[ $step == *+* ]]; then
        first=${step%%+*}
        second=${step#*+}
        log=$(mktemp "${TMPDIR:-/tmp}/dnn-$second-XXXXXX.log")
        (
            s=$(date +%s)
            $MAKE_CMD --no-print-directory "$second" >"$log" 2>&1
            rc=$?
            echo "$rc $(($(date +%s) - s))" >"$log.done"
        ) &
        pid=$!
        $MAKE_CMD --no-print-directory "$first"
        rc_first=$?
        t_first=$(($(date +%s) - t0))
        wait "$pid"
        read -r rc_second t_second <"$log.done"
        echo "== output of $second (ran beside $first) =="
        cat "$log"
        rm -f "$log" "$log.done"
        times+=("$(printf '%-40s %5d s' "$first (beside $second)" "$t_first")")
        times+=("$(printf '%-40s %5d s' "$second (beside $first)" "$t_second")")
        times+=("$(printf '%-40s %5d s' "  both, wall" "$(($(date +%s) - t0))")")
        if [[ $rc_first != 0 ]]; then code=$rc_first; fi
        if [[ $code == 0 && $rc_second != 0 ]]; then code=$rc_second; fi
    else
        $MAKE_CMD --no-print-directory "$step"
        code=$?
        times+=("$(printf '%-40s %5d s' "$step" "$(($(date +%s) - t0))")")
    fi
    if [[ $code != 0 ]]; then
        times+=("$(printf '%-40s' "stopped: $step failed (exit $code)")")
        report
        exit "$code"
    fi
done
report
