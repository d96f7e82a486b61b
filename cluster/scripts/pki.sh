# shellcheck shell=bash
# Certificates and kubeconfigs, made once per state directory with the kubeadm we
# built (phases only: no images, no preflight, no network). Sourced.

pki_up() {
  if [ -s "$CONF/kube-proxy.conf" ] && [ -s "$PKI/ca.crt" ]; then return; fi
  log "generating certificates and kubeconfigs (kubeadm phases)"
  mkdir -p "$PKI" "$CONF"
  local kubeadm=$K8S_BIN/kubeadm v=v$K8S_VERSION
  "$kubeadm" init phase certs all --cert-dir "$PKI" --kubernetes-version "$v" \
    --apiserver-advertise-address "$API_IP" --service-cidr "$SERVICE_CIDR" \
    --apiserver-cert-extra-sans 127.0.0.1,localhost >/dev/null
  "$kubeadm" init phase kubeconfig all --cert-dir "$PKI" --kubeconfig-dir "$CONF" --kubernetes-version "$v" \
    --apiserver-advertise-address "$API_IP" --node-name "$NODE_NAME" >/dev/null
  # kubeadm makes no kube-proxy client cert; bootstrap RBAC binds system:node-proxier
  # to the user system:kube-proxy, so a CA-signed cert with that CN is all it needs.
  openssl req -new -newkey rsa:2048 -nodes -subj /CN=system:kube-proxy \
    -keyout "$PKI/kube-proxy.key" -out "$PKI/kube-proxy.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/kube-proxy.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 365 -out "$PKI/kube-proxy.crt" 2>/dev/null
  local kc=$CONF/kube-proxy.conf.tmp
  "$K8S_BIN/kubectl" --kubeconfig "$kc" config set-cluster local --server "https://$API_IP:6443" \
    --certificate-authority "$PKI/ca.crt" --embed-certs >/dev/null
  "$K8S_BIN/kubectl" --kubeconfig "$kc" config set-credentials kube-proxy \
    --client-certificate "$PKI/kube-proxy.crt" --client-key "$PKI/kube-proxy.key" --embed-certs >/dev/null
  "$K8S_BIN/kubectl" --kubeconfig "$kc" config set-context local --cluster local --user kube-proxy >/dev/null
  "$K8S_BIN/kubectl" --kubeconfig "$kc" config use-context local >/dev/null
  mv "$kc" "$CONF/kube-proxy.conf"
}

# The user's kubeconfig: kubeadm's admin.conf, pointed at loopback.
write_user_kubeconfig() {
  cp "$CONF/admin.conf" "$KUBECONFIG_OUT.tmp"
  local cluster; cluster=$("$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT.tmp" config view -o jsonpath='{.clusters[0].name}')
  "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT.tmp" config set-cluster "$cluster" --server https://127.0.0.1:6443 >/dev/null
  "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT.tmp" config rename-context "$("$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT.tmp" config current-context)" ordinal-local >/dev/null
  chmod 600 "$KUBECONFIG_OUT.tmp"
  mv "$KUBECONFIG_OUT.tmp" "$KUBECONFIG_OUT"
}
