#!/bin/bash
# usage: trial.sh <ns> delete|force|restart -> per replica: primary postmaster start -> WAL sender backend_start (s), Ordinal's definition
ns=$1; export KUBECONFIG=/var/lib/ordinal-cluster/kubeconfig
case $2 in
  delete) kubectl -n $ns delete pod db-0 >/dev/null;;
  force) kubectl -n $ns delete pod db-0 --grace-period=0 --force >/dev/null 2>&1;;
  restart) kubectl -n $ns rollout restart sts/db >/dev/null;;
esac
sleep 2
kubectl -n $ns rollout status sts/db --timeout=400s >/dev/null
for i in $(seq 1 200); do
  out=$(kubectl -n $ns exec db-0 -- psql -h 127.0.0.1 -U postgres -XAtq -c "select application_name||' '||round(extract(epoch from backend_start - pg_postmaster_start_time())::numeric,1) from pg_stat_replication order by 1" 2>/dev/null)
  [ "$(echo "$out" | grep -c .)" = 2 ] && break; sleep 2
done
echo "$2: $(echo $out)"
