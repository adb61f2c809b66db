#!/usr/bin/env bash
# Installs the Debian packages the local lab, its faults and the browser test
# need, when any is missing. Idempotent: does nothing when all are present.
set -euo pipefail

pkgs=(mariadb-server mariadb-client galera-4 rsync socat faketime nftables iptables
      iproute2 e2fsprogs fuse3 chromium)
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
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# No init system starts the packaged server; faultline starts its own mariadbd processes.
