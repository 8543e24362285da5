#!/bin/sh
# carp-ovh notify script: mails each event to the operators with mail(1).
#
# Install: copy into the notify.scripts directory, chmod 0755, set RCPT below.
# carp-ovh runs it without a shell around it, with the event as JSON on stdin and
# CARP_OVH_EVENT, CARP_OVH_AT, CARP_OVH_HOST, CARP_OVH_KEYS, CARP_OVH_ADDRESSES,
# CARP_OVH_REASONS in the environment (PATH is /sbin:/bin:/usr/sbin:/usr/bin:
# /usr/local/sbin:/usr/local/bin; nothing else of carp-ovh's environment).
# It is killed with its process group after notify.timeout.

RCPT="root"

case "$CARP_OVH_EVENT" in
  # The outcome (claim-succeeded / claim-failed) follows within ovh.deadline.
  claim-started) exit 0 ;;
esac

{
  echo "carp-ovh on $CARP_OVH_HOST: $CARP_OVH_EVENT at $CARP_OVH_AT"
  [ -n "$CARP_OVH_KEYS" ] && echo "entries:   $CARP_OVH_KEYS"
  [ -n "$CARP_OVH_ADDRESSES" ] && echo "addresses: $CARP_OVH_ADDRESSES"
  [ -n "$CARP_OVH_REASONS" ] && echo "reasons:   $CARP_OVH_REASONS"
  echo
  echo "The event as carp-ovh sent it:"
  cat
} | mail -s "carp-ovh: $CARP_OVH_EVENT on $CARP_OVH_HOST" "$RCPT"
