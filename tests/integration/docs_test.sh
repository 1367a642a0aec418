#!/usr/bin/env bash
# Keeps the user docs from drifting: every error code the HTTP layer can send (src/http/*.cc:
# SetError / SetRetryLater / QueueClosingError and the per-record codes) is explained in
# docs/troubleshooting.md and docs/api.md §1.3; the sections docs/configuration.md lists are the
# generated ones; README.md links every docs/*.md and the examples; the exit statuses
# in --help are the ones docs/troubleshooting.md lists; the --check-config warning example of
# docs/configuration.md is what the binary prints.
# Usage: docs_test.sh SOURCE_DIR (TC_COLLECTOR_BIN: the built binary, for --help).
set -uo pipefail
src="$1"
source "$src/tests/integration/shell/collector_lib.sh"

codes="$(python3 - "$src" <<'PY'
import glob, re, sys
codes = set()
for path in glob.glob(sys.argv[1] + "/src/http/*.cc"):
    text = open(path).read()
    codes.update(re.findall(
        r'(?:SetError|SetRetryLater|QueueClosingError)\(\s*[^,()]+,\s*(?:[^,()]+,\s*)?"([a-z_]+)"',
        text))
    codes.update(re.findall(r'\\"code\\":\\"([a-z_]+)', text))
print("\n".join(sorted(codes)))
PY
)"
tc_check "found the HTTP error codes (at least 10): $(echo $codes)" test "$(wc -l <<<"$codes")" -ge 10
for code in $codes; do
  tc_check "docs/troubleshooting.md explains error code $code" \
    grep -q "\`$code\`" "$src/docs/troubleshooting.md"
done
# docs/api.md maps every status to its codes: an error answer's code is in §1.3's table, a
# per-record code (results[].code) in §1.2's.
record_codes="$(grep -rhoE '\\"code\\":\\"[a-z_]+' "$src"/src/http/*.cc | sed 's/.*"//' | sort -u)"
errors_table="$(sed -n '/^### 1.3 Errors/,/^### 1.4/p' "$src/docs/api.md")"
results_table="$(sed -n '/^### 1.2 Success/,/^### 1.3/p' "$src/docs/api.md")"
for code in $codes; do
  if grep -qx "$code" <<<"$record_codes"; then
    tc_check "docs/api.md §1.2 lists per-record code $code" grep -q "$code" <<<"$results_table"
  else
    tc_check "docs/api.md §1.3 lists error code $code" grep -q "\`$code\`" <<<"$errors_table"
  fi
done

# docs/configuration.md names every section in "The layers in detail", in the order of its key
# reference (which is generated from the key table).
listed="$(grep -m1 -A2 '^\*\*File\.\*\* One TOML table per section' "$src/docs/configuration.md" |
  tr '\n' ' ' | sed 's/;.*//' | grep -o '`\[[a-z]*\]`' | tr -d '`' | tr '\n' ' ')"
generated="$(grep -o '^### \[[a-z]*\]' "$src/docs/configuration.md" | sed 's/^### //' | tr '\n' ' ')"
tc_check "docs/configuration.md lists the sections [$listed] as its key reference does [$generated]" \
  test "$listed" = "$generated"

for doc in "$src"/docs/*.md; do
  name="docs/$(basename "$doc")"
  tc_check "README.md links $name" grep -q "$name" "$src/README.md"
done
# Every image the README and the docs show exists (docs/images/ui-*.png are screenshots the
# viewer's browser test takes: tests/ui/viewer_test.mjs).
for image in $(grep -ohE '\]\((docs/)?images/[a-z0-9_-]+\.png\)' "$src/README.md" "$src"/docs/*.md |
               sed -E 's/^\]\((docs\/)?//; s/\)$//' | sort -u); do
  tc_check "docs/$image exists" test -s "$src/docs/$image"
done
for example in "$src"/examples/*; do
  name="examples/$(basename "$example")"
  tc_check "README.md or docs/getting-started.md shows $name" \
    grep -q "$name" "$src/README.md" "$src/docs/getting-started.md"
done

# docs/configuration.md's --check-config warning example: the command prints exactly the
# documented line on stderr and still exits 0 (run where no database file is in the way).
warn_cmd='tracecollector --check-config --listen 0.0.0.0:4318 >/dev/null'
warn_want="$(grep -F -A1 -- "\$ $warn_cmd" "$src/docs/configuration.md" | sed -n 2p)"
warn_dir="$(mktemp -d)"
warn_got="$(cd "$warn_dir" && "$TC_COLLECTOR_BIN" --check-config --listen 0.0.0.0:4318 2>&1 >/dev/null)"
warn_status=$?
rm -rf "$warn_dir"
tc_check "docs/configuration.md shows the open-listener warning" test -n "$warn_want"
tc_check "--check-config on 0.0.0.0 without keys warns as documented ($warn_got)" \
  test "$warn_got" = "$warn_want"
tc_check "--check-config with only that warning exits 0 ($warn_status)" test "$warn_status" = 0

help="$("$TC_COLLECTOR_BIN" --help)"
for status in 0 1 2 3; do
  tc_check "--help and docs/troubleshooting.md both list exit status $status" \
    bash -c "grep -q '^  $status  ' <<<\"\$1\" && grep -q '^| $status |' \"\$2\"" _ "$help" \
    "$src/docs/troubleshooting.md"
done
tc_summary
