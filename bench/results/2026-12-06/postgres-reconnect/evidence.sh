#!/bin/bash
# snapshots, every 2 s for $2 s, what db-1's walreceiver is doing
ns=$1; export KUBECONFIG=/var/lib/ordinal-cluster/kubeconfig
for i in $(seq 1 $(( $2 / 2 ))); do
  echo "--- $(date -u +%T) db-0 ip: $(kubectl -n $ns get pod db-0 -o jsonpath='{.status.podIP}' 2>/dev/null)"
  kubectl -n $ns exec db-1 -- sh -c "psql -h 127.0.0.1 -U postgres -XAtq -c \"select 'recv', status, sender_host from pg_stat_wal_receiver union all select 'act', wait_event, extract(epoch from now()-backend_start)::int::text from pg_stat_activity where backend_type='walreceiver'\"; (netstat -tn 2>/dev/null || cat /proc/net/tcp) | grep -E ':5432|:1538' | grep -v 127.0.0.1" 2>&1 | head -8
  sleep 2
done
