#!/usr/bin/env bash
# Installs the node agent (examples/agent.yaml) on every node of the local cluster, with
# the image agent-image.sh builds and imports. Called by up.sh after the nodes are up;
# idempotent (a rebuilt image restarts the DaemonSet's pods).
source "$(dirname "$0")/lib.sh"
REPO=$(cd "$CLUSTER_DIR/.." && pwd)
bash "$CLUSTER_DIR/scripts/agent-image.sh" --import >/dev/null
kubectl_admin apply -f "$REPO/examples/agent.yaml" >/dev/null
# The tag stays the same across rebuilds (IfNotPresent): restart so the pods run the new image.
kubectl_admin -n ordinal-system rollout restart daemonset/ordinal-agent >/dev/null
if ! kubectl_admin -n ordinal-system rollout status daemonset/ordinal-agent --timeout 180s >/dev/null; then
  kubectl_admin -n ordinal-system get pods -o wide >&2 || true
  die "the ordinal-agent DaemonSet did not become Ready on every node within 180s"
fi
log "ordinal-agent running on every node"
