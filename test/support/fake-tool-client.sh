#!/bin/bash
# A fake kernel's tool, for a call its wrapper's shell cannot answer from a file:
# hands the call to the test process that created the kernel
# (test/support/fake-tool-server.ts) and prints the answer it gets.
#   fake-tool-client.sh PORT KIND TOOL STATE [ARG...]
# bash for /dev/tcp; C locale so that read -N counts bytes.
LC_ALL=C
port=$1
shift
if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  printf 'fake %s: no test process serves this kernel any more\n' "$2" >&2
  exit 70
fi
printf '%s\0' "$(($# + 1))" "$$" "$@" >&3
if ! IFS=' ' read -r code nout nerr <&3; then
  printf 'fake %s: the test process serving this kernel went away\n' "$2" >&2
  exit 70
fi
out=
err=
if [ "$nout" -gt 0 ]; then IFS= read -r -d '' -N "$nout" out <&3; fi
if [ "$nerr" -gt 0 ]; then IFS= read -r -d '' -N "$nerr" err <&3; fi
printf '%s' "$out"
printf '%s' "$err" >&2
exit "$code"
