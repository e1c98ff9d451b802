#!/bin/sh
# Writes a Sentinel config that monitors the current master (asked from the running Sentinels, pod
# 0 on first start) by DNS name, so pods keep their identity across restarts and IP changes.
set -eu
umask 077
domain="redis-headless.${POD_NAMESPACE}.svc.cluster.local"
master=$(redis-cli -h redis-sentinel -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1 || true)
[ -n "$master" ] || master="${HOSTNAME%-*}-0.${domain}"
cat > /sentinel/sentinel.conf <<CONF
port 26379
protected-mode no
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${HOSTNAME}.${domain}
sentinel monitor mymaster ${master} 6379 2
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 30000
CONF
if [ -n "${REDIS_PASSWORD_LKFLEET_SENTINEL:-}" ]; then
  # lkfleet's Redis requires users (base/redis-users.yaml): Sentinel monitors it as lkfleet-sentinel,
  # and lkfleet's services, whose client logs in to every endpoint, may only ask where the master is.
  printf 'sentinel auth-user mymaster lkfleet-sentinel\nsentinel auth-pass mymaster %s\n' \
    "$REDIS_PASSWORD_LKFLEET_SENTINEL" >>/sentinel/sentinel.conf
  for user in region-router token-service capacity-service; do
    password=$(printenv "REDIS_PASSWORD_$(echo "$user" | tr 'a-z-' 'A-Z_')" || true)
    [ -n "$password" ] || continue
    echo "user $user on #$(printf %s "$password" | sha256sum | cut -d ' ' -f 1) -@all +@connection +ping +role" \
      "+sentinel|get-master-addr-by-name +sentinel|sentinels +sentinel|replicas" >>/sentinel/sentinel.conf
  done
fi
exec redis-sentinel /sentinel/sentinel.conf
