#!/bin/sh
# Installs podman (as root, with runc), skopeo and the CNCF registry, and applies the container
# configuration this machine kind needs (docs/images.md, "CI"). Safe to run more than once.
set -eu

packages="podman runc skopeo docker-registry"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  # Other jobs may hold the dpkg lock; wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y $missing
fi

# crun refuses this machine's hybrid cgroups and podman's default ulimits exceed the hard limit.
mkdir -p /etc/containers
conf=/etc/containers/containers.conf
want='[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"'
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  printf '%s\n' "$want" > "$conf"
fi

podman info --format '{{.Host.OCIRuntime.Name}} {{.Version.Version}}' >/dev/null
