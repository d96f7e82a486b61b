#!/usr/bin/env bash
# Prints only the path of the local cluster's kubeconfig (for `export KUBECONFIG=$(...)`).
source "$(dirname "$0")/lib.sh"
[ -s "$KUBECONFIG_OUT" ] || die "no kubeconfig at $KUBECONFIG_OUT: run 'npm run cluster:up' first"
echo "$KUBECONFIG_OUT"
