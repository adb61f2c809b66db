#!/usr/bin/env bash
# build.sh — builds, without any container registry, every image a kind
# cluster for faultline needs: the kind node image (Kubernetes from the Go
# module proxy, Debian bookworm underneath), the MariaDB image (Debian's
# mariadb-server and galera-4) and the images kind and kubeadm expect
# inside the node (etcd, coredns, pause, a CNI daemon, local-path storage).
#
#   kind/images/build.sh [all|binaries|rootfs|node|mariadb]   (default all)
#   kind/images/build.sh agent BINARY     the agent image of a faultline binary
#
# all = binaries rootfs node mariadb. Everything is cached outside the
# checkout, in $FAULTLINE_CACHE (default ~/.cache/faultline) by version
# (versions.env), and in Docker's image store, each image labelled with
# the hash of its inputs: a second run only checks. Cold, the Kubernetes
# binaries dominate (10–20 min of Go builds on two cores, 2 GB of memory).
# Needs: Go, a running Docker daemon, debootstrap (hack/install-deps.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
CACHE=${FAULTLINE_CACHE:-$HOME/.cache/faultline}
export PATH=$PATH:/usr/local/go/bin DOCKER_BUILDKIT=0 CGO_ENABLED=0 GOFLAGS=-mod=mod
BIN=$CACHE/bin
mkdir -p "$BIN"

log() { printf '%s build: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# stamp NAME: true when NAME was built before (its stamp exists).
stamp() { [ -e "$CACHE/stamps/$1" ]; }
done_stamp() { mkdir -p "$CACHE/stamps" && touch "$CACHE/stamps/$1"; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# Every image this script builds carries the hash of its inputs in this
# label; an image whose label matches is current and is not rebuilt.
HASH_LABEL=faultline.dev/inputs
# inputs_hash WORDS...: sha256 of the words (file contents where a word is a file).
inputs_hash() {
  local w
  for w in "$@"; do if [ -f "$w" ]; then sha256sum <"$w"; else printf '%s\n' "$w"; fi; done |
    sha256sum | cut -c1-16
}
# bin_key FILE: what stands for a cached binary in a hash. Versioned
# binaries are written once per version (stamps): their path, size and
# mtime; the commands of this repository, rebuilt on every run, by content.
bin_key() {
  case $1 in
    "$BIN/pause" | "$BIN/kindnet") echo "$1" ;;
    *) stat -c '%n %s %Y' "$1" ;;
  esac
}
# image_current IMAGE HASH: true when IMAGE exists with HASH in its label.
image_current() {
  [ "$(docker image inspect -f "{{index .Config.Labels \"$HASH_LABEL\"}}" "$1" 2>/dev/null)" = "$2" ]
}
# quiet CMD...: runs CMD, showing its output only when it fails (the legacy
# builder warns on every build that it is deprecated).
quiet() {
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  [ $rc -eq 0 ] || printf '%s\n' "$out" >&2
  return $rc
}
# begin WHAT / finish WHAT: say what is built and, after, how long it took.
begin() { log "building $1"; t0=$(date +%s); }
finish() { log "built $1 in $(( $(date +%s) - t0 )) s"; }

# Names of what this script produces (read by faultline's tests and 'kind up').
NODE_IMAGE=faultline.dev/kind-node:$K8S_VERSION
MARIADB_IMAGE=faultline.dev/mariadb:10.11-$DEBIAN_SUITE
ROOTFS_IMAGE=faultline.dev/rootfs:$DEBIAN_SUITE

k8s_bins="kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy"

# --- Go binaries -----------------------------------------------------------

build_k8s() {
  local out=$BIN/k8s-$K8S_VERSION
  stamp "k8s-$K8S_VERSION" && return
  log "Kubernetes $K8S_VERSION binaries (one go build; the long step)"
  local src=$CACHE/src/k8s-$K8S_VERSION
  mkdir -p "$src" "$out"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces
  # them with ./staging; outside its tree every one must name a release.
  {
    printf 'module k8sbuild\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    for m in $(staging_modules); do printf '\tk8s.io/%s => k8s.io/%s %s\n' "$m" "$m" "$STAGING_VERSION"; done
    printf ')\n'
  } > "$src/go.mod"
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  local pkgs=()
  for b in $k8s_bins; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$out/" "${pkgs[@]}")
  done_stamp "k8s-$K8S_VERSION"
}

# staging_modules lists the k8s.io modules k8s.io/kubernetes replaces with
# its ./staging directory, read from its own go.mod.
staging_modules() {
  local mod
  mod=$(cd "$root" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  sed -n 's#^\s*k8s.io/\([a-z0-9-]*\) => ./staging/.*#\1#p' "$mod"
}

build_etcd() {
  stamp "etcd-$ETCD_VERSION" && return
  log "etcd $ETCD_VERSION"
  local src=$CACHE/src/etcd-$ETCD_VERSION
  mkdir -p "$src"
  {
    printf 'module etcdbuild\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n\nreplace (\n' "$ETCD_VERSION"
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$ETCD_VERSION"; done
    printf ')\n'
  } > "$src/go.mod"
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd-$ETCD_VERSION" go.etcd.io/etcd/server/v3)
  done_stamp "etcd-$ETCD_VERSION"
}

# go_install NAME PACKAGE@VERSION installs a released command as BIN/NAME-VERSION.
go_install() {
  local name=$1 pkg=$2 v=${2##*@}
  stamp "$name-$v" && return
  log "$name $v"
  local tmp; tmp=$(mktemp -d)
  GOBIN=$tmp go install -trimpath -ldflags "-s -w" "$pkg"
  mv "$tmp"/* "$BIN/$name-$v" && rmdir "$tmp"
  done_stamp "$name-$v"
}

# Commands of this repository that run inside the node (pause, the CNI
# daemon): rebuilt on every run, they take seconds.
build_own() {
  (cd "$root" && GOFLAGS= go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$BIN/pause" ./kind/images/pause &&
    GOFLAGS= go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$BIN/kindnet" ./kind/images/kindnet)
}

binaries() {
  build_own
  go_install crictl "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  go_install coredns "github.com/coredns/coredns@$COREDNS_VERSION"
  go_install local-path-provisioner "github.com/rancher/local-path-provisioner@$LPP_VERSION"
  build_etcd
  build_k8s
}

# shellcheck source=rootfs.sh
. "$here/rootfs.sh"
# shellcheck source=node.sh
. "$here/node.sh"

case "${1:-all}" in
  binaries) binaries ;;
  rootfs) rootfs ;;
  node) node ;;
  mariadb) mariadb ;;
  agent) shift; agent "$@" ;;
  all) binaries; rootfs; node; mariadb ;;
  *) echo "usage: $0 [all|binaries|rootfs|node|mariadb|agent BINARY]" >&2; exit 2 ;;
esac
