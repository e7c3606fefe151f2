#!/usr/bin/env bash
# The command line of action.yml, kept in a file so that it can be tested on a throwaway
# repository (test/integrations.test.ts). Inputs arrive as environment variables.
#
# One lint run writes the annotations (stdout), the SARIF file and the job summary. Whatever
# happens, the SARIF file is valid and the summary says what was done, so that the upload step
# after this one does not fail on a missing or empty file.
set -uo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
notes=()

# actions/checkout fetches one commit by default. Find the merge base with the base branch,
# deepening the clone step by step, then fetching all of it; without one, lint everything.
scope=()
if [ -n "${BASE_REF:-}" ]; then
  base_spec="+refs/heads/$BASE_REF:refs/remotes/origin/$BASE_REF"
  # Pull requests check out a merge commit; the base branch must be fetched to find the merge base.
  # --depth only on a shallow clone: on a full one it would make the clone shallow.
  depth=()
  [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ] && depth=(--depth=50)
  git fetch --no-tags "${depth[@]}" origin "$base_spec" >/dev/null 2>&1 || git fetch --no-tags "${depth[@]}" origin "$BASE_REF" >/dev/null 2>&1 || true
  if git rev-parse --verify --quiet "origin/$BASE_REF^{commit}" >/dev/null; then ref="origin/$BASE_REF"; else ref="$BASE_REF"; fi
  has_base() { git merge-base "$ref" HEAD >/dev/null 2>&1; }
  if ! has_base && git rev-parse --verify --quiet "$ref^{commit}" >/dev/null && [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; then
    head=$(git rev-parse HEAD)
    for step in 50 200 1000; do
      git fetch --no-tags --deepen="$step" origin "$base_spec" "$head" >/dev/null 2>&1 || git fetch --no-tags --deepen="$step" origin >/dev/null 2>&1 || true
      has_base && break
    done
    if ! has_base; then
      git fetch --no-tags --unshallow origin "$base_spec" "$head" >/dev/null 2>&1 || git fetch --no-tags --unshallow origin >/dev/null 2>&1 || true
    fi
  fi
  if has_base; then
    scope=(--changed-since "$ref")
  else
    if ! git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
      why="the base branch $BASE_REF could not be fetched"
    elif [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; then
      why="$ref and HEAD share no history even after deepening the shallow clone (use fetch-depth: 0)"
    else
      why="$ref and HEAD share no history"
    fi
    message="No merge base with $BASE_REF: $why. Linting every migration, not only those this pull request changes."
    echo "::warning title=migralint::$message"
    notes+=("$message")
  fi
fi
read -r -a paths <<< "${PATHS:-}"
limit=()
[ -n "${MAX_WARNINGS:-}" ] && limit=(--max-warnings "$MAX_WARNINGS")
outputs=()
[ -n "${SARIF_FILE:-}" ] && outputs+=(--output-file "sarif=$SARIF_FILE")
summary="$work/summary.md"
outputs+=(--output-file "markdown=$summary")

# Annotations on the pull request; this run decides the exit code.
$MIGRALINT lint "${scope[@]}" "${limit[@]}" --format github "${outputs[@]}" "${paths[@]}" 2>"$work/stderr"
status=$?
cat "$work/stderr" >&2

if [ ! -s "$summary" ]; then
  # migralint stopped before reporting (exit 2: a usage or configuration error). Say so where
  # people look, and give the upload step a valid, empty SARIF log.
  reason=$(head -c 2000 "$work/stderr" | sed 's/\r//g')
  printf '## migralint\n\nmigralint could not lint (exit %s):\n\n```text\n%s\n```\n' "$status" "$reason" > "$summary"
  if [ -n "${SARIF_FILE:-}" ]; then
    mkdir -p "$(dirname "$SARIF_FILE")"
    node -e '
      const [file, text] = process.argv.slice(1);
      const log = { version: "2.1.0", $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        runs: [{ tool: { driver: { name: "migralint", informationUri: "https://github.com/migralint/migralint", rules: [] } },
                 invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: "error", message: { text } }] }],
                 results: [] }] };
      const fs = require("node:fs");
      fs.writeFileSync(file + ".tmp", JSON.stringify(log, null, 2) + "\n");
      fs.renameSync(file + ".tmp", file);
    ' "$SARIF_FILE" "migralint could not lint (exit $status): $reason"
  fi
fi
if [ "${JOB_SUMMARY:-true}" = "true" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    for n in "${notes[@]}"; do printf '> [!WARNING]\n> %s\n\n' "$n"; done
    cat "$summary"
  } >> "$GITHUB_STEP_SUMMARY"
fi
exit $status
