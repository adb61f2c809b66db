# node.sh — the `node` stage of build.sh (sourced by it): kind's base image
# over the Debian rootfs, the images kubeadm and kind expect inside a node
# (named as they expect, so nothing is ever pulled), the kubernetes-server
# directory kind's "file" build type reads, and the node image built by
# kind's library (kind/images/nodeimage).

BASE_IMAGE=faultline.dev/kind-base:$DEBIAN_SUITE
K8S_BIN=$BIN/k8s-$K8S_VERSION

# kind_dir prints the kind module's directory (its base image files).
kind_dir() { (cd "$root" && GOFLAGS= go list -m -f '{{.Dir}}' sigs.k8s.io/kind); }

# image_id IMAGE prints IMAGE's ID (inputs of the images built FROM it).
image_id() { docker image inspect -f '{{.Id}}' "$1"; }

# docker_build IMAGE HASH CONTEXT [ARGS...]: a legacy-builder build, labelled.
docker_build() {
  local image=$1 hash=$2 ctx=$3; shift 3
  quiet docker build -q --label "$HASH_LABEL=$hash" "$@" -t "$image" "$ctx"
}

base_image() {
  local files; files=$(kind_dir)/images/base/files
  local hash; hash=$(inputs_hash "$(image_id "$ROOTFS_IMAGE")" "$PAUSE_TAG" "$here/base/Dockerfile" "$(declare -f base_image)" \
    "$here/base/ctr" "$(bin_key "$BIN/crictl-$CRICTL_VERSION")" "$(cd "$files" && find . -type f | sort | xargs sha256sum)")
  image_current "$BASE_IMAGE" "$hash" && return
  log "kind base image $BASE_IMAGE"
  local ctx; ctx=$(mktemp -d)
  # The module cache is read-only: the files get their usual modes back.
  cp -r "$files" "$ctx/files" && chmod -R u+w,go-w "$ctx/files" && cp "$here/base/Dockerfile" "$here/base/ctr" "$ctx/"
  cp "$BIN/crictl-$CRICTL_VERSION" "$ctx/crictl"
  docker_build "$BASE_IMAGE" "$hash" "$ctx" --build-arg "ROOTFS=$ROOTFS_IMAGE" --build-arg "PAUSE_TAG=$PAUSE_TAG"
  rm -rf "$ctx"
}

# component IMAGE FROM [BINARY DEST [ENTRYPOINT [USER]]]: an image holding
# one static binary (FROM scratch) or the rootfs (FROM $ROOTFS_IMAGE).
component() {
  local image=$1 from=$2 bin=${3:-} dest=${4:-} entry=${5:-} user=${6:-}
  local df="FROM $from"$'\n'"ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"$'\n'
  [ -n "$bin" ] && df+="COPY $(basename "$bin") $dest"$'\n'
  [ -n "$user" ] && df+="USER $user"$'\n'
  [ -n "$entry" ] && df+="ENTRYPOINT $entry"$'\n'
  local fromid=scratch
  [ "$from" = scratch ] || fromid=$(image_id "$from")
  local hash; hash=$(inputs_hash "$df" "$fromid" ${bin:+"$(bin_key "$bin")"})
  image_current "$image" "$hash" && return
  log "image $image"
  local ctx; ctx=$(mktemp -d)
  [ -n "$bin" ] && cp "$bin" "$ctx/"
  printf '%s' "$df" > "$ctx/Dockerfile"
  docker_build "$image" "$hash" "$ctx"
  rm -rf "$ctx"
}

# Images inside the node besides the control plane's: they ride along in
# kube-proxy.tar, so kind loads them instead of pulling.
extra_images() {
  echo "registry.k8s.io/pause:$PAUSE_TAG registry.k8s.io/etcd:$ETCD_TAG" \
    "registry.k8s.io/coredns/coredns:$COREDNS_VERSION $KINDNETD_IMAGE $LPP_IMAGE $LPH_IMAGE"
}

# control_plane: the images of Kubernetes' own binaries.
control_plane() {
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    component "registry.k8s.io/$c:$K8S_VERSION" scratch "$K8S_BIN/$c" "/usr/local/bin/$c"
  done
  component "registry.k8s.io/kube-proxy:$K8S_VERSION" "$ROOTFS_IMAGE" "$K8S_BIN/kube-proxy" /usr/local/bin/kube-proxy
}

# addons: the other images kubeadm and kind's manifests name.
addons() {
  component "registry.k8s.io/pause:$PAUSE_TAG" scratch "$BIN/pause" /pause '["/pause"]' 65535:65535
  component "registry.k8s.io/etcd:$ETCD_TAG" scratch "$BIN/etcd-$ETCD_VERSION" /usr/local/bin/etcd
  component "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" scratch "$BIN/coredns-$COREDNS_VERSION" \
    /coredns '["/coredns"]'
  component "$KINDNETD_IMAGE" scratch "$BIN/kindnet" /kindnet '["/kindnet"]'
  component "$LPP_IMAGE" scratch "$BIN/local-path-provisioner-$LPP_VERSION" /usr/local/bin/local-path-provisioner
  # The storage helper runs `sh /script/setup` (mkdir, rm): the rootfs has them.
  component "$LPH_IMAGE" "$ROOTFS_IMAGE"
}

# server_dir DIR lays out DIR/kubernetes as a kubernetes-server tarball does.
server_dir() {
  local dir=$1 b c
  rm -rf "$dir" && mkdir -p "$dir/kubernetes/server/bin"
  echo "$K8S_VERSION" > "$dir/kubernetes/version"
  for b in kubeadm kubelet kubectl; do cp "$K8S_BIN/$b" "$dir/kubernetes/server/bin/"; done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    docker save -o "$dir/kubernetes/server/bin/$c.tar" "registry.k8s.io/$c:$K8S_VERSION"
  done
  # shellcheck disable=SC2046 # a word list
  docker save -o "$dir/kubernetes/server/bin/kube-proxy.tar" "registry.k8s.io/kube-proxy:$K8S_VERSION" $(extra_images)
}

node() {
  rootfs
  begin "node image $NODE_IMAGE (what its inputs need)"
  base_image
  addons
  stamp "k8s-$K8S_VERSION" || { log "no Kubernetes binaries yet: run '$0 binaries' first"; exit 1; }
  control_plane
  local ids=() i
  for i in "$BASE_IMAGE" "registry.k8s.io/kube-proxy:$K8S_VERSION" $(extra_images); do ids+=("$(image_id "$i")"); done
  for i in kube-apiserver kube-controller-manager kube-scheduler; do ids+=("$(image_id "registry.k8s.io/$i:$K8S_VERSION")"); done
  local hash; hash=$(inputs_hash "${ids[*]}" "$(bin_key "$K8S_BIN/kubeadm")" "$(bin_key "$K8S_BIN/kubelet")" \
    "$(bin_key "$K8S_BIN/kubectl")" \
    "$(cat "$here"/nodeimage/*.go)" "$(kind_dir)")
  if image_current "$NODE_IMAGE" "$hash"; then log "$NODE_IMAGE is current"; return; fi
  log "kind build node-image $NODE_IMAGE"
  local dir=$CACHE/node/$K8S_VERSION
  server_dir "$dir"
  (cd "$root" && GOFLAGS= go run ./kind/images/nodeimage -dir "$dir" -base "$BASE_IMAGE" -image "$NODE_IMAGE")
  # kind's build commits without labels: add the inputs' hash (no new layer).
  local ctx; ctx=$(mktemp -d)
  printf 'FROM %s\n' "$NODE_IMAGE" > "$ctx/Dockerfile"
  docker_build "$NODE_IMAGE" "$hash" "$ctx"
  rm -rf "$ctx"
  rm -rf "$dir"
  finish "$NODE_IMAGE"
}
