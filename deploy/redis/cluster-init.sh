#!/bin/sh
# Creates the Redis Cluster of deploy/compose.cluster.yml once: 3 masters + 3 replicas over the nodes in
# REDIS_CLUSTER_NODES (host:port,...). Does nothing when they already form a cluster, so it is safe to
# run on every `docker compose up`. Exits 0 once the cluster reports cluster_state:ok.
#   REDIS_CLUSTER_NODES  host:port list (6 entries for 3 masters with one replica each)
#   REDIS_PASSWORD       the nodes' password
#   CLUSTER_REPLICAS     replicas per master (default 1)
#   WAIT_SECONDS         how long to wait for the nodes and the cluster (default 60)
set -eu

: "${REDIS_CLUSTER_NODES:?set REDIS_CLUSTER_NODES=host:port,host:port,...}"
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
replicas=${CLUSTER_REPLICAS:-1}
wait_s=${WAIT_SECONDS:-60}
export REDISCLI_AUTH="$REDIS_PASSWORD"

log() { echo "cluster-init: $*"; }

info_field() { # host port field
  redis-cli -h "$1" -p "$2" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$3://p"
}

addrs=""
first_host=""
first_port=""
for node in $(echo "$REDIS_CLUSTER_NODES" | tr ',' ' '); do
  host=${node%:*}
  port=${node##*:}
  i=0
  until [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null | tr -d '\r')" = "PONG" ]; do
    i=$((i + 1))
    if [ "$i" -ge "$wait_s" ]; then
      log "$node does not answer PING after ${wait_s}s (wrong address or password?)"
      exit 1
    fi
    sleep 1
  done
  # CLUSTER MEET takes IP addresses, not names.
  ip=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
  addrs="$addrs ${ip:-$host}:$port"
  if [ -z "$first_host" ]; then
    first_host=$host
    first_port=$port
  fi
done

known=$(info_field "$first_host" "$first_port" cluster_known_nodes)
if [ "${known:-1}" -gt 1 ]; then
  log "the nodes already form a cluster ($known known nodes): nothing to create"
else
  log "creating the cluster over$addrs with $replicas replica(s) per master"
  # shellcheck disable=SC2086 # one argument per address
  redis-cli --cluster create $addrs --cluster-replicas "$replicas" --cluster-yes
fi

i=0
until [ "$(info_field "$first_host" "$first_port" cluster_state)" = "ok" ]; do
  i=$((i + 1))
  if [ "$i" -ge "$wait_s" ]; then
    log "cluster_state is not ok after ${wait_s}s"
    redis-cli -h "$first_host" -p "$first_port" cluster info || true
    exit 1
  fi
  sleep 1
done
log "cluster_state:ok, $(info_field "$first_host" "$first_port" cluster_size) masters, $(info_field "$first_host" "$first_port" cluster_known_nodes) nodes"
