#!/usr/bin/env bash
# Mutation testing of the deadline, workflow, reminder and policy code (mutmut 3), each module
# against its own test files only, on SQLite. Not part of scripts/test or CI: it is slow.
#
#   bench/mutation.sh                     # all four modules
#   bench/mutation.sh deadlines loader    # some of them: deadlines workflow thresholds loader
#   MUTATION_KEEP=1 bench/mutation.sh deadlines   # keep the scratch copy to look at survivors
#   MUTATION_TESTS_AT=<commit> bench/mutation.sh  # today's code against that commit's tests/
#   MUTATION_JOBS=1 bench/mutation.sh             # mutants tested at once (default: one per CPU)
#
# Needs mutmut in the project's virtualenv (not a project dependency):
#   .venv/bin/pip install 'mutmut==3.*'
# Each module runs in its own scratch copy of the sources under a temporary directory, with
# the mutmut settings written into that copy's pyproject.toml: nothing is written to the repo.
# Prints, per module, the mutants killed out of all mutants, and lists the survivors.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mutmut=$repo/.venv/bin/mutmut
python=$repo/.venv/bin/python
if [ ! -x "$mutmut" ]; then
    echo "mutmut is not installed: .venv/bin/pip install 'mutmut==3.*'" >&2
    exit 2
fi

# module -> "files to mutate|their own test files" (from the repo root, space-separated); a
# test file missing (MUTATION_TESTS_AT an older commit) is left out.
declare -A MODULES=(
    [deadlines]="casetracker/deadlines.py|tests/test_deadlines.py tests/test_deadline_pauses.py"
    [workflow]="casetracker/cases/workflow.py casetracker/cases/actions.py \
casetracker/cases/handlers.py|tests/cases/test_workflow.py tests/cases/test_workflow_refusals.py \
tests/cases/test_system_actions.py tests/cases/test_clocks.py tests/cases/test_actions.py \
tests/cases/test_purge.py"
    [thresholds]="casetracker/reminders/thresholds.py|tests/reminders/test_thresholds.py"
    [loader]="casetracker/policy/loader.py|tests/policy/test_loader.py \
tests/policy/test_validation.py tests/policy/test_validation_parts.py tests/policy/test_init.py"
)
ORDER=(deadlines workflow thresholds loader)
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${ORDER[@]}")
for name in "${chosen[@]}"; do
    [ -n "${MODULES[$name]:-}" ] || { echo "unknown module $name (${ORDER[*]})" >&2; exit 2; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/casetracker-mutation.XXXXXX")
if [ -n "${MUTATION_KEEP:-}" ]; then
    echo "scratch copies kept in $scratch"
else
    trap 'rm -rf "$scratch"' EXIT
fi

toml_list() {  # words -> a TOML array of strings
    local out="" word
    for word in "$@"; do out+="${out:+, }\"$word\""; done
    echo "[$out]"
}

summary=()
for name in "${chosen[@]}"; do
    IFS='|' read -r sources tests <<<"${MODULES[$name]}"
    read -ra sources <<<"$sources"
    read -ra tests <<<"$tests"
    work=$scratch/$name
    mkdir -p "$work"
    tar -C "$repo" --exclude=__pycache__ -cf - casetracker slackbot tests migrations pyproject.toml \
        | tar -C "$work" -xf -
    if [ -n "${MUTATION_TESTS_AT:-}" ]; then
        rm -rf "$work/tests"
        git -C "$repo" archive "$MUTATION_TESTS_AT" tests | tar -C "$work" -xf -
    fi
    present=()
    for test in "${tests[@]}"; do [ -e "$work/$test" ] && present+=("$test"); done
    # The SQLite half only (-m "not postgres"), in one process: mutmut forks per mutant.
    cat >>"$work/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["casetracker", "slackbot"]
only_mutate = $(toml_list "${sources[@]}")
also_copy = ["migrations"]
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-m", "not postgres"]
pytest_add_cli_args_test_selection = $(toml_list "${present[@]}")
use_git_change_detection = false
EOF
    echo "== $name: ${sources[*]} against ${present[*]}"
    (cd "$work" && "$mutmut" run ${MUTATION_JOBS:+--max-children "$MUTATION_JOBS"} >run.log 2>&1) || {
        tail -n 30 "$work/run.log" >&2
        echo "mutmut failed for $name (log: $work/run.log)" >&2
        exit 1
    }
    line=$(cd "$work" && "$python" - "${sources[@]}" <<'EOF'
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

counts = Counter()
survivors = []
for source in sys.argv[1:]:
    meta = json.loads(Path("mutants", source + ".meta").read_text())
    for key, code in meta["exit_code_by_key"].items():
        status = status_by_exit_code[code]
        counts[status] += 1
        if status != "killed":
            survivors.append(f"{status}: {key}")
total = sum(counts.values())
killed = counts["killed"] + counts["timeout"]
for survivor in sorted(survivors):
    print("   ", survivor, file=sys.stderr)
others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s != "killed")
print(f"{killed}/{total} killed ({100 * killed / total:.1f} %){', ' + others if others else ''}")
EOF
)
    echo "   $name: $line"
    summary+=("$(printf '%-11s %s' "$name" "$line")")
done

echo
echo "mutation score per module (killed or timed out / all mutants):"
printf '  %s\n' "${summary[@]}"
