#!/usr/bin/env bash
# The command line of action.yml, kept in a file so that it can be tested on a throwaway
# repository (test/integrations.test.ts). Inputs arrive as environment variables.
set -uo pipefail
scope=()
if [ -n "${BASE_REF:-}" ]; then
  # Pull requests check out a merge commit; the base branch must be fetched to find the merge base.
  git fetch --no-tags --depth=1000 origin "$BASE_REF" >/dev/null 2>&1 || true
  if git rev-parse --verify --quiet "origin/$BASE_REF" >/dev/null; then ref="origin/$BASE_REF"; else ref="$BASE_REF"; fi
  scope=(--changed-since "$ref")
fi
read -r -a paths <<< "${PATHS:-}"
limit=()
[ -n "${MAX_WARNINGS:-}" ] && limit=(--max-warnings "$MAX_WARNINGS")

# Annotations on the pull request; this run decides the exit code.
$MIGRALINT lint "${scope[@]}" "${limit[@]}" --format github "${paths[@]}"
status=$?
if [ -n "${SARIF_FILE:-}" ]; then
  $MIGRALINT lint "${scope[@]}" --format sarif "${paths[@]}" > "$SARIF_FILE" || true
fi
if [ "${JOB_SUMMARY:-true}" = "true" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  $MIGRALINT lint "${scope[@]}" --format markdown "${paths[@]}" >> "$GITHUB_STEP_SUMMARY" || true
fi
exit $status
