#!/bin/sh
# Writes a Sentinel config that monitors the current master (asked from the running Sentinels, pod
# 0 on first start) by DNS name, so pods keep their identity across restarts and IP changes.
set -eu
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
exec redis-sentinel /sentinel/sentinel.conf
