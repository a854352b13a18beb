/**
 * The `docker` stand-in put first on simulated hosts' PATH: the tests' real sshd hosts
 * (test/helpers/sshd.ts) and the sandbox's in-process SSH hosts (droplet-hosts.ts)
 * run this same script, so both simulate Droplets alike.
 * It records every call in $FAKE_DOCKER_STATE/commands.log (argv joined by tabs),
 * keeps the host's images and running release there, and obeys these files:
 *   fail-on         a subcommand (pull, up, exec, logs, inspect) that exits 1
 *   unhealthy-when  text: health checks fail while the running release contains it
 *   delay           seconds each call takes (the bench's remote work)
 */
export const FAKE_DOCKER = String.raw`#!/bin/bash
S="$FAKE_DOCKER_STATE"
(IFS=$'\t'; printf '%s\n' "$*") >> "$S/commands.log"
[ -f "$S/delay" ] && sleep "$(cat "$S/delay")"
# A call that outlived its test (a timed-out command) finds the host gone: it leaves no trace.
[ -d "$S" ] || exit 1
fail_on() { [ -f "$S/fail-on" ] && [ "$(cat "$S/fail-on")" = "$1" ] && { echo "simulated $1 failure" >&2; exit 1; }; return 0; }
img_file() { printf '%s' "$S/images/$(printf '%s' "$1" | tr '/:@' '___')"; }
running_unhealthy() { [ -f "$S/unhealthy-when" ] && grep -qF "$(cat "$S/unhealthy-when")" "$S/running.env" 2>/dev/null; }

if [ "$1" = image ] && [ "$2" = inspect ]; then
  fail_on inspect; shift 2
  while [ $# -gt 0 ]; do
    case "$1" in --format|-f) shift 2; continue;; esac
    [ -f "$(img_file "$1")" ] || { echo "Error: No such image: $1" >&2; exit 1; }
    shift
  done
  exit 0
fi
[ "$1" = compose ] || { echo "fake docker: unsupported: $*" >&2; exit 2; }
shift
envfile=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) envfile="$2"; shift 2;;
    --file|-f|--project-name|-p) shift 2;;
    *) break;;
  esac
done
sub="$1"; shift || true
case "$sub" in
  pull)
    fail_on pull
    while IFS='=' read -r _ ref; do [ -n "$ref" ] && touch "$(img_file "$ref")"; done < "$envfile"
    echo "pulled";;
  up)
    fail_on up
    while IFS='=' read -r _ ref; do
      [ -z "$ref" ] || [ -f "$(img_file "$ref")" ] || { echo "pull access denied for $ref" >&2; exit 1; }
    done < "$envfile"
    cp "$envfile" "$S/running.env"
    echo "started";;
  exec)
    fail_on exec
    [ "$1" = -T ] && shift
    service="$1"; shift
    [ -f "$S/running.env" ] || { echo "service $service is not running" >&2; exit 1; }
    case "$*" in
      *curl*) if running_unhealthy; then echo "curl: (7) Failed to connect" >&2; exit 7; fi
              echo '{"status":"ok"}';;
      *) printf '%s\t%s\n' "$service" "$*" >> "$S/migrations.log"; echo "migrated";;
    esac;;
  logs)
    fail_on logs
    for service; do :; done
    echo "$service-1  | booting $(grep -o '@sha256:[0-9a-f]\{12\}' "$S/running.env" 2>/dev/null | head -n1)"
    if running_unhealthy; then echo "$service-1  | database connection refused: token=ghp_abcdefghijklmnopqrstuvwx"; fi
    echo "$service-1  | last line";;
  ps) cat "$S/running.env" 2>/dev/null;;
  *) echo "fake docker: unsupported compose $sub" >&2; exit 2;;
esac
`;
