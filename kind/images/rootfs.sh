# rootfs.sh — the Debian stages of build.sh (sourced by it): one minbase
# debootstrap, cached as a directory, and two images made from copies of
# it with apt-get in a chroot (Debian's archive is reachable from the host;
# from inside containers it may not be):
#   rootfs   faultline.dev/rootfs:SUITE    the kind node's userland (systemd,
#            containerd, iptables ...) plus what the faultline agent uses
#   mariadb  faultline.dev/mariadb:10.11-SUITE  MariaDB, Galera and the tools
#            its state transfers and clock faults use; no systemd, no entrypoint
#   agent    faultline.dev/faultline-agent:HASH  the rootfs + a faultline binary

# Packages of the kind node (kind's base image needs) and of the agent
# (nsenter from util-linux, ip, nft, iptables, ps).
ROOTFS_PKGS="systemd systemd-sysv dbus conntrack iptables nftables iproute2 ethtool util-linux
  mount kmod libseccomp2 pigz bash ca-certificates curl jq procps containerd runc
  containernetworking-plugins e2fsprogs socat iputils-ping"
MARIADB_PKGS="mariadb-server mariadb-client galera-4 mariadb-backup libfaketime rsync socat
  iproute2 procps"

# minbase prints the directory of the cached minbase debootstrap.
minbase() {
  local dir=$CACHE/debootstrap/$DEBIAN_SUITE-minbase
  if ! stamp "debootstrap-$DEBIAN_SUITE"; then
    command -v debootstrap >/dev/null || { log "no debootstrap: run hack/install-deps.sh"; exit 1; }
    log "debootstrap $DEBIAN_SUITE (minbase) into $dir"
    rm -rf "$dir" && mkdir -p "$dir"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" >&2
    done_stamp "debootstrap-$DEBIAN_SUITE"
  fi
  echo "$dir"
}

# chroot_install DIR PKGS... installs Debian packages into DIR (a copy of
# the minbase tree) with apt-get in a chroot; no service starts there.
chroot_install() {
  local dir=$1; shift
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$DEBIAN_MIRROR" "$DEBIAN_SUITE" \
    "$DEBIAN_MIRROR" "$DEBIAN_SUITE" > "$dir/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d" && chmod 755 "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
  local rc=0
  chroot "$dir" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" && apt-get clean' sh "$@" >&2 || rc=$?
  umount "$dir/proc"
  rm -rf "$dir/usr/sbin/policy-rc.d" "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/*
  : > "$dir/etc/resolv.conf"
  return $rc
}

# import_tree DIR IMAGE HASH [CHANGE...] tars DIR (kept in the cache) and
# imports it as IMAGE labelled with HASH.
import_tree() {
  local dir=$1 image=$2 hash=$3; shift 3
  local tar=$CACHE/tar/${image//[\/:]/_}-$hash.tar
  mkdir -p "$CACHE/tar"
  tar --numeric-owner -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  local changes=(--change "LABEL $HASH_LABEL=$hash")
  for c in "$@"; do changes+=(--change "$c"); done
  docker import "${changes[@]}" "$tar" "$image" >/dev/null
}

# tree_image IMAGE PKGS CLEAN [CHANGE...]: the image of minbase + PKGS,
# with the paths CLEAN (relative to the tree's root) emptied.
tree_image() {
  local image=$1 pkgs=$2 clean=$3; shift 3
  local hash; hash=$(inputs_hash "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$pkgs" "$clean" \
    "$(declare -f minbase chroot_install tree_image)" "$@")
  if image_current "$image" "$hash"; then log "$image is current"; return; fi
  begin "$image (debootstrap minbase + apt-get install)"
  local base; base=$(minbase)
  local dir=$CACHE/debootstrap/${image//[\/:]/_}
  rm -rf "$dir" && cp -a "$base" "$dir"
  # shellcheck disable=SC2086 # a word list
  chroot_install "$dir" $pkgs
  local c
  for c in $clean; do find "$dir/$c" -mindepth 1 -delete; done
  import_tree "$dir" "$image" "$hash" "$@"
  rm -rf "$dir"
  finish "$image"
}

rootfs() { tree_image "$ROOTFS_IMAGE" "$ROOTFS_PKGS" "" 'CMD ["/bin/bash"]'; }

# The datadir Debian's postinst initialised goes: a member's start script
# tells a new (empty) volume from one holding data.
mariadb() {
  tree_image "$MARIADB_IMAGE" "$MARIADB_PKGS" var/lib/mysql 'CMD ["/bin/bash"]'
}

# agent BINARY: the rootfs with BINARY as /usr/local/bin/faultline.
agent() {
  local bin=${1:?usage: build.sh agent BINARY}
  [ -f "$bin" ] || { log "agent: no such file $bin"; exit 1; }
  rootfs
  local sum; sum=$(sha256sum "$bin" | cut -c1-12)
  local image=faultline.dev/faultline-agent:$sum
  local hash; hash=$(inputs_hash "$sum" "$(docker image inspect -f '{{.Id}}' "$ROOTFS_IMAGE")")
  if image_current "$image" "$hash"; then log "$image is current"; echo "$image"; return; fi
  begin "$image"
  local ctx; ctx=$(mktemp -d)
  cp "$bin" "$ctx/faultline"
  printf 'FROM %s\nCOPY faultline /usr/local/bin/faultline\nENTRYPOINT ["/usr/local/bin/faultline"]\n' \
    "$ROOTFS_IMAGE" > "$ctx/Dockerfile"
  docker_build "$image" "$hash" "$ctx"
  rm -rf "$ctx"
  finish "$image"
  echo "$image"
}
