#!/usr/bin/env bash
# Run `make STEP` for each step given, in order, and print each step's wall time at the end
# (also when a step fails: the table then ends at the failed step, and the exit code is its).
# A step written A,B+C,D runs two lanes at the same time: A then B in one, C then D in the
# other (each lane stops at its first failure; the second lane's output is kept in a log and
# printed when both are done). The lanes share nothing but the machine.
# Usage: scripts/timed_steps.sh STEP [A,B+C,D] ...   (`make test` calls it)
set -uo pipefail
MAKE_CMD=${MAKE:-make}
times=()
code=0
started=$(date +%s)

report() {
    echo
    echo "== time per step =="
    for line in "${times[@]}"; do echo "$line"; done
    printf '%-44s %5d s\n' "total" "$(($(date +%s) - started))"
}

# run_lane LANE TIMES_FILE: the lane's steps in order, one "rc seconds step" line each
run_lane() {
    local step s rc steps
    IFS=, read -ra steps <<<"$1"
    for step in "${steps[@]}"; do
        s=$(date +%s)
        $MAKE_CMD --no-print-directory "$step"
        rc=$?
        echo "$rc $(($(date +%s) - s)) $step" >>"$2"
        [[ $rc == 0 ]] || return "$rc"
    done
}

for step in "$@"; do
    t0=$(date +%s)
    if [[ $step == *+* ]]; then
        first=${step%%+*}
        second=${step#*+}
        log=$(mktemp "${TMPDIR:-/tmp}/dnn-lane-XXXXXX.log")
        : >"$log.first"
        : >"$log.second"
        run_lane "$second" "$log.second" >"$log" 2>&1 &
        pid=$!
        run_lane "$first" "$log.first"
        wait "$pid"
        echo "== output of ${second//,/, } (beside ${first//,/, }) =="
        cat "$log"
        for lane in first second; do
            while read -r rc seconds name; do
                times+=("$(printf '%-44s %5d s' "  $name (lane: $lane)" "$seconds")")
                if [[ $rc != 0 && $code == 0 ]]; then
                    code=$rc
                    failed=$name
                fi
            done <"$log.$lane"
        done
        rm -f "$log" "$log.first" "$log.second"
        times+=("$(printf '%-44s %5d s' "  both lanes, wall" "$(($(date +%s) - t0))")")
    else
        $MAKE_CMD --no-print-directory "$step"
        code=$?
        failed=$step
        times+=("$(printf '%-44s %5d s' "$step" "$(($(date +%s) - t0))")")
    fi
    if [[ $code != 0 ]]; then
        times+=("$(printf '%-44s' "stopped: $failed failed (exit $code)")")
        report
        exit "$code"
    fi
done
report
