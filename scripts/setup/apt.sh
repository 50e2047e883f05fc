#!/usr/bin/env bash
# Installs the Debian packages the project needs when any is missing. Usage: apt.sh [--test]
source "$(dirname "$0")/common.sh"
pkgs=(ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
      gstreamer1.0-libav meson ninja-build pkg-config libabsl-dev libsrtp2-dev libuv1-dev libusrsctp-dev
      libflatbuffers-dev flatbuffers-compiler fonts-dejavu-core util-linux strace
      python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
      nats-server)
# nats-server (2.9, JetStream): the city control plane, a hub at the centre and a leaf node per ward
# (docs/city.md).
# Tests also open export packages with unzip and Python's zipfile (docs/exports.md), run the camera zoo
# and check the service units with systemd-analyze (docs/operations.md). `npm run bench:latency` runs
# Debian's Janus streaming plugin as its reference (bench/janus-reference.ts; its service stays off).
[ "${1:-}" = "--test" ] && pkgs+=(chromium unzip python3 gir1.2-gst-rtsp-server-1.0 systemd janus)
# The city's ward network namespaces: link delay and loss in user space (iptables NFQUEUE and
# scripts/city/nfq-delay.py) where the kernel has no netem (docs/city-media.md).
pkgs+=(iptables libnetfilter-queue1)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's janus package enables and starts janus.service, whose sample config listens on every
# interface: the bench starts its own Janus (own config, bench/janus-reference.ts), so the service
# is masked before the install and disabled if an earlier install enabled it.
janus_service_off() {
  [ -d /run/systemd/system ] && systemctl is-enabled --quiet janus.service 2>/dev/null || return 0
  [ "$(id -u)" -eq 0 ] || die "janus.service is enabled (Debian's default for the janus package). Run as root:  systemctl disable --now janus.service"
  log "disabling janus.service (the benches run their own Janus)"
  systemctl disable --now janus.service
}
if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = "--test" ] && janus_service_off
  exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  die "missing Debian packages: ${missing[*]}. Run as root:  sudo sh -c '$cmd'"
fi
log "installing Debian packages: ${missing[*]}"
# Masked before it is installed, janus.service is never started by the package's postinst.
if [[ " ${missing[*]} " == *" janus "* ]] && [ -d /run/systemd/system ]; then systemctl mask --quiet janus.service; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
[ "${1:-}" = "--test" ] && janus_service_off
exit 0
