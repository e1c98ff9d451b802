#!/bin/sh
# Renders lkfleet's Redis users (lkfleet-redis-users.acl: each user's commands and keys, no
# passwords) for redis-server --aclfile: every user line gets Redis' "#<sha256>" rule for the
# password in the environment variable REDIS_PASSWORD_<USER> (upper case, '-' as '_'), so the file
# holds no password; a user without one cannot log in. The same file is used by deploy/k8s, compose
# and the local fleet (io.lkfleet.local.RedisUsers).
#   lkfleet-redis-users.sh <template> <output>
set -eu
umask 077
: >"$2"
while read -r keyword user rules; do
  [ -n "$keyword" ] || continue
  var="REDIS_PASSWORD_$(echo "$user" | tr 'a-z-' 'A-Z_')"
  password=$(printenv "$var" || true)
  if [ -n "$password" ]; then
    echo "$keyword $user $rules #$(printf %s "$password" | sha256sum | cut -d ' ' -f 1)" >>"$2"
  else
    echo "$keyword $user $rules" >>"$2"
  fi
done <"$1"
