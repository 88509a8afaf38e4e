#!/usr/bin/env bash
# Mutation testing of the code whose rules only the HTTP tests state (`make mutants-http`): the
# store's files (above all, which company a query reads or writes) and the server's routes. Each
# file's mutants are judged by the HTTP tests that use it (the table below): the store's on both
# databases, the routes' (which hold no SQL) on SQLite only.
#
# It runs in a worktree of the last commit under the target directory, mutating it in place: the
# checkout stays free to edit, and each mutant rebuilds only what it changed. Several hours for
# every file on two cores; name files to run a few:
#   scripts/mutants-http.sh crates/server/src/routes/events.rs crates/store/src/sites.rs
# Results: $CARGO_TARGET_DIR/mutants/<file>/mutants.out/{caught,missed,timeout,unviable}.txt
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
[[ "$target_dir" = /* ]] || target_dir="$PWD/$target_dir"
export CARGO_TARGET_DIR="$target_dir"

# The HTTP tests that state each file's rules (cargo test name filters).
declare -A judges=(
  [crates/store/src/accounts.rs]="access:: admin_cli:: audit_trail:: auth:: boundaries:: isolation:: retention:: logs::"
  [crates/store/src/alerts.rs]="alerts:: isolation::"
  [crates/store/src/audit.rs]="audit_trail:: admin_cli:: access:: hiding:: isolation:: analysis::"
  [crates/store/src/company.rs]="access:: admin_cli:: audit_trail:: auth:: boundaries:: isolation:: retention:: logs::"
  [crates/store/src/connection.rs]="health_names entries_written_before_the_chain events_are_stored_after startup::"
  [crates/store/src/detail.rs]="analysis:: events:: logs::"
  [crates/store/src/erasure.rs]="isolation:: hiding:: analysis:: audit_trail::"
  [crates/store/src/lib.rs]="events:: durability:: startup:: metrics:: stats::"
  [crates/store/src/purge.rs]="retention:: isolation:: admin_cli:: a_retry_after_a_purge lengthening_the_period the_servers_purges"
  [crates/store/src/read.rs]="stats:: visibility:: hiding:: logs:: analysis:: isolation:: export:: read_requests::"
  [crates/store/src/recorder.rs]="events:: boundaries:: isolation:: durability:: stats:: retention:: hiding:: metrics:: a_company_has_a_bounded a_retry_after_a_purge two_servers_on_one recording_turns_away site_names_are_visible"
  [crates/store/src/sites.rs]="isolation:: hiding:: analysis:: audit_trail::"
  [crates/store/src/webhooks.rs]="alerts:: isolation::"
  [crates/server/src/routes/access.rs]="access:: admin_cli:: huge_sign_in the_longest_password each_wrong_password concurrent_guesses guesses_from_one tokens_of_histo wrong_admin_passwords"
  [crates/server/src/routes/alerts.rs]="alerts::"
  [crates/server/src/routes/audit.rs]="audit_trail:: access::"
  [crates/server/src/routes/erasures.rs]="isolation:: analysis:: access::"
  [crates/server/src/routes/events.rs]="events:: boundaries:: metrics:: alerts:: recording_turns_away bodies_ refusals_stay a_company_has_a_bounded a_retry_after_a_purge"
  [crates/server/src/routes/health.rs]="startup:: hardening:: durability::"
  [crates/server/src/routes/logs.rs]="logs:: export:: analysis:: visibility:: boundaries::"
  [crates/server/src/routes/metrics.rs]="metrics::"
  [crates/server/src/routes/mod.rs]="logs:: audit_trail:: a_rule_fires read_requests:: access:: months_are_counted"
  [crates/server/src/routes/settings.rs]="retention:: access:: isolation:: admin_cli:: analysis::"
  [crates/server/src/routes/sites.rs]="hiding:: visibility:: isolation:: access:: audit_trail:: a_company_has_a_bounded thousands_of_hidden_sites"
  [crates/server/src/routes/stats.rs]="stats:: analysis:: visibility:: hiding:: boundaries:: read_requests::"
  [crates/server/src/routes/taxonomy.rs]="read_requests:: access::"
)

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  mapfile -t files < <(printf '%s\n' "${!judges[@]}" | sort)
fi
for file in "${files[@]}"; do
  if [[ -z "${judges[$file]:-}" ]]; then
    echo "mutants-http: no tests are named for $file; the files are:" >&2
    printf '  %s\n' "${!judges[@]}" | sort >&2
    exit 2
  fi
done
if [[ ! -f "$root/frontend/dist/index.html" ]]; then
  echo "mutants-http: build the web app first (make web): the metrics and hardening tests serve it" >&2
  exit 1
fi

"$root/scripts/setup-mutants.sh"
"$root/scripts/ensure-postgres.sh"

tree="$target_dir/mutants/tree"
git -C "$root" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
git -C "$root" worktree prune
git -C "$root" worktree add --quiet --detach "$tree" HEAD
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
cp -r "$root/frontend/dist" "$tree/frontend/"

export CI=true
for file in "${files[@]}"; do
  case "$file" in
    crates/store/*) package=histo-store skip=() ;;
    *) package=histo-server skip=(--skip ::postgres:: --skip _on_postgres) ;;
  esac
  name="${file#crates/}"
  name="${name//\//-}"
  read -ra filters <<< "${judges[$file]}"
  echo "mutants-http: $file, judged by ${judges[$file]}"
  # A missed mutant is a result, not a failure of this script: cargo-mutants exits 2 or 3 then.
  (cd "$tree" && cargo mutants --package "$package" --file "$file" --in-place --no-shuffle \
    --profile mutants --test-package histo --baseline skip --timeout 180 \
    --output "$target_dir/mutants/${name%.rs}" \
    -- --test api -- "${filters[@]}" "${skip[@]}") || { status=$?; [[ $status -eq 2 || $status -eq 3 ]]; }
done
