#!/bin/sh
# Starts Redis as master only when no Sentinel knows a master and this is pod 0; otherwise as a
# replica of the master the Sentinels report. A restarted former master thus rejoins as a replica
# instead of splitting the brain.
set -eu
umask 077
domain="redis-headless.${POD_NAMESPACE}.svc.cluster.local"
me="${HOSTNAME}.${domain}"
master=$(redis-cli -h redis-sentinel -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1 || true)
if [ -z "$master" ] && [ "${HOSTNAME##*-}" != 0 ]; then
  master="${HOSTNAME%-*}-0.${domain}"
fi
set -- --port 6379 --save "" --appendonly no --replica-announce-ip "$me" --protected-mode no
if [ -n "$master" ] && [ "$master" != "$me" ]; then
  set -- "$@" --replicaof "$master" 6379
fi
if [ -f /acl/lkfleet-redis-users.acl ]; then
  # lkfleet's Redis (base/redis-users.yaml): its users, the default one disabled; replicas follow
  # the master as lkfleet-replica. Passwords from the Secret lkfleet-redis-users, hashed into the file.
  sh /acl/lkfleet-redis-users.sh /acl/lkfleet-redis-users.acl /tmp/users.acl
  printf 'aclfile /tmp/users.acl\nmasteruser lkfleet-replica\nmasterauth %s\n' "$REDIS_PASSWORD_LKFLEET_REPLICA" >/tmp/redis.conf
  set -- /tmp/redis.conf "$@"
fi
exec redis-server "$@"
