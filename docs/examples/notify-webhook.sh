#!/bin/sh
# carp-ovh notify script: POSTs each event as JSON to a webhook (a chat
# integration, an incident tool, your own receiver) with curl (pkg install curl).
#
# Install: copy into the notify.scripts directory, chmod 0755, set URL below.
# The body is the event exactly as carp-ovh wrote it on stdin:
#   {"event":"claim-failed","at":"…","keys":["2@vmx1"],"addresses":["51.68.252.230"],
#    "reasons":[],"detail":"…","durationMs":12345,"trigger":"hook 2@vmx1 MASTER","host":"router-002"}
# A non-zero exit (the receiver refused it, no answer within 10 s) is logged by carp-ovh.

URL="https://hooks.example.net/carp-ovh"

exec curl --silent --show-error --fail --max-time 10 \
  --header 'Content-Type: application/json' \
  --data-binary @- \
  "$URL"
