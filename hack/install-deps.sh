#!/usr/bin/env bash
# Installs the Debian packages the local lab, its faults, its restore drills
# (mariadb-backup), the browser test,
# the lab-beside-Docker test (docker.io: /usr/sbin/dockerd), the kind images
# (debootstrap: kind/images/build.sh) and the metrics
# test (prometheus: /usr/bin/prometheus, started by the test) need, when any
# is missing. Idempotent: does nothing when all are present.
set -euo pipefail

pkgs=(mariadb-server mariadb-client galera-4 mariadb-backup rsync socat faketime nftables iptables
      iproute2 e2fsprogs fuse3 chromium docker.io prometheus debootstrap)
[ "${1:-}" = "--bench" ] && pkgs+=(sysbench)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} — run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
# docker.io's postinst would start the packaged dockerd on 172.17.0.0/16, prometheus's a
# server on every interface; the tests start their own (198.19.0.0/16, loopback only).
# Unless the host has its own policy, refuse those service starts for this install.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\ncase "$*" in *docker*|*containerd*|*prometheus*) exit 101;; esac\nexit 0\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# No init system starts the packaged server; faultline starts its own mariadbd processes.
