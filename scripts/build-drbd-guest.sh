#!/usr/bin/env bash
# Builds the qemu guest that runs real DRBD 8.4 for test/integration/storage-drbd-failover.test.ts and
# bench/storage-failover.ts, from Debian packages only (see ARCHITECTURE.md: KVM guests do not boot here, TCG does):
#   out/drbd-guest/vmlinuz      Debian's kernel (linux-image-amd64's current ABI package, from apt-get download)
#   out/drbd-guest/initrd.gz    busybox-static, drbd-utils' drbdadm/drbdsetup/drbdmeta (8.4 flavours and the
#                               wrapper the kernel's usermode helper calls), e2fsprogs' mke2fs/e2fsck, their shared
#                               libraries, the kernel's drbd.ko with what it depends on, and the /init below.
#   out/drbd-guest/inputs.txt   the versions it was built from: the build is skipped when they still match.
# The guest's host name, address and the rendered resource file come at boot (kernel command line and a second
# initramfs the harness appends), so one image serves both peers.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s.%N)
out=out/drbd-guest
say() { echo "build-drbd-guest: $*"; }
elapsed() { awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }'; }

for tool in apt-cache apt-get dpkg-deb dpkg-query ldd gzip busybox; do
  command -v "$tool" >/dev/null || { echo "build-drbd-guest: $tool is missing" >&2; exit 1; }
done
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || { echo "build-drbd-guest: package $1 is not installed (bash scripts/install-test-deps.sh)" >&2; exit 1; }; }

# The kernel: whatever ABI package linux-image-amd64 points at today, so the ABI number is not written down here.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9.]+-[0-9]+-amd64$/ { print $2; exit }')
[ -n "$kernel_pkg" ] || { echo "build-drbd-guest: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
kernel_version=$(apt-cache policy "$kernel_pkg" | awk '/Candidate:/ { print $2 }')
script_sum=$(sha256sum "$0" | cut -d' ' -f1)
inputs="kernel $kernel_pkg $kernel_version
drbd-utils $(version_of drbd-utils)
busybox-static $(version_of busybox-static)
e2fsprogs $(version_of e2fsprogs)
libc6 $(version_of libc6)
script $script_sum"

if [ -f "$out/inputs.txt" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ] && [ "$(cat "$out/inputs.txt")" = "$inputs" ]; then
  say "cached in $out ($kernel_pkg $kernel_version), nothing to do ($(elapsed))"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ibac-drbd-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download runs as _apt where it can

say "downloading $kernel_pkg $kernel_version"
if ! (cd "$work" && apt-get download -q "$kernel_pkg=$kernel_version") > "$work/download.log" 2>&1; then
  cat "$work/download.log" >&2; echo "build-drbd-guest: apt-get download $kernel_pkg=$kernel_version failed" >&2; exit 1
fi
grep -v '^W: Download is performed unsandboxed' "$work/download.log" || true
deb=$(ls "$work"/"$kernel_pkg"_*.deb)
say "extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$work/kernel"
abi=$(ls "$work/kernel/lib/modules")
moddir="$work/kernel/lib/modules/$abi"

root="$work/root"
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/drbd,usr/lib/modules,etc/drbd.d,proc,sys,dev,run,tmp,mnt,var/lib/drbd}
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/usr/lib64"

# Kernel modules: the roots, then each one's `depends=` (from its .modinfo section), dependencies first.
# crc32c_generic is a soft dependency (libcrc32c and ext4 ask the crypto API for "crc32c"), not in depends=.
roots=(virtio_pci virtio_blk virtio_net crc32c_generic drbd ext4)
declare -A seen=()
order=()
module_file() { local pattern=${1//[-_]/[-_]}; find "$moddir/kernel" -name "$pattern.ko" | head -1; }
add_module() {
  local name=$1 file deps dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  file=$(module_file "$name")
  if [ -z "$file" ]; then
    grep -q "/$name.ko$" "$moddir/modules.builtin" && return 0
    echo "build-drbd-guest: module $name not found in $kernel_pkg" >&2; exit 1
  fi
  deps=$(tr '\0' '\n' < "$file" | sed -n 's/^depends=//p' | head -1)
  for dep in ${deps//,/ }; do add_module "$dep"; done
  cp "$file" "$root/usr/lib/modules/$name.ko"
  order+=("$name")
}
for m in "${roots[@]}"; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$root/usr/lib/modules/order"
say "modules (load order): ${order[*]}"

# Programs at the paths Debian gives them (the kernel calls /sbin/drbdadm for handlers), with their libraries.
programs=(/usr/sbin/drbdadm /usr/sbin/drbdsetup /usr/sbin/drbdmeta /usr/lib/drbd/drbdadm-84 /usr/lib/drbd/drbdsetup-84 /usr/sbin/mke2fs /usr/sbin/e2fsck)
for p in "${programs[@]}"; do
  [ -x "$p" ] || { echo "build-drbd-guest: $p is missing (drbd-utils, e2fsprogs)" >&2; exit 1; }
  cp "$p" "$root$p"
  for lib in $(ldd "$p" | grep -oE '/[^ ]+\.so[^ ]*'); do
    real=$(readlink -f "$lib")
    dest="$root$(echo "$lib" | sed -E 's#^/lib(64)?/#/usr/lib\1/#')"
    [ -e "$dest" ] || { mkdir -p "$(dirname "$dest")"; cp "$real" "$dest"; }
  done
done
ln -s mke2fs "$root/usr/sbin/mkfs.ext4"; ln -s e2fsck "$root/usr/sbin/fsck.ext4"
cp /etc/mke2fs.conf "$root/etc/mke2fs.conf"
cp "$(command -v busybox)" "$root/usr/bin/busybox"
for applet in $(busybox --list); do
  [ -e "$root/usr/bin/$applet" ] || [ -e "$root/usr/sbin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
ln -s /proc/mounts "$root/etc/mtab"
ln -s ../run/lock "$root/var/lock"; ln -s ../run "$root/var/run"  # as on Debian: drbdmeta locks in /var/lock
# As Debian's drbd.conf and global_common.conf: no usage count (drbdadm would ask for it on the console).
printf '%s\n' 'include "drbd.d/global_common.conf";' 'include "drbd.d/*.res";' > "$root/etc/drbd.conf"
printf '%s\n' 'global {' '  usage-count no;' '}' > "$root/etc/drbd.d/global_common.conf"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

# Stand-ins for Pacemaker's handlers, at the paths the rendered file names: there is no CIB in the guest. The
# harness plays STONITH: fence-peer asks it on the console, and answers "peer was stonithed" (exit 7) only after
# the harness has confirmed that the peer's qemu process is gone; no confirmation in 60 s, no promotion (exit 1).
cat > "$root/usr/lib/drbd/crm-fence-peer.sh" <<'EOF'
#!/bin/sh
echo "@@FENCE-REQUEST ${DRBD_RESOURCE:-?}" > /dev/ttyS0
i=0
while [ ! -e /run/ibac-fence-confirmed ]; do
  i=$((i + 1)); [ "$i" -gt 600 ] && { echo "@@FENCE-TIMEOUT" > /dev/ttyS0; exit 1; }
  usleep 100000
done
echo "@@FENCE-DONE" > /dev/ttyS0
exit 7
EOF
cat > "$root/usr/lib/drbd/crm-unfence-peer.sh" <<'EOF'
#!/bin/sh
echo "@@UNFENCE ${DRBD_RESOURCE:-?}" > /dev/ttyS0
exit 0
EOF
cat > "$root/usr/lib/drbd/notify-split-brain.sh" <<'EOF'
#!/bin/sh
echo "@@SPLIT-BRAIN ${DRBD_RESOURCE:-?}" > /dev/ttyS0
exit 0
EOF

cat > "$root/init" <<'EOF'
#!/bin/sh
# The guest's init: modules, host name and address from the kernel command line, then a shell on the serial
# console that the harness drives (it sends one command line at a time and reads markers that begin with @@).
export PATH=/usr/sbin:/usr/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev; mount -t tmpfs tmpfs /run
mkdir -p /run/lock /run/drbd
for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m.ko" || echo "@@INSMOD-FAILED $m"; done
host=; addr=
for arg in $(cat /proc/cmdline); do
  case "$arg" in ibac.host=*) host=${arg#ibac.host=} ;; ibac.addr=*) addr=${arg#ibac.addr=} ;; esac
done
hostname "$host"
# udev is absent: give the data disk the /dev/disk/by-id name that production's plan uses.
mkdir -p /dev/disk/by-id
for d in /sys/block/vd*; do
  [ -e "$d/serial" ] && ln -s "../../${d##*/}" "/dev/disk/by-id/virtio-$(cat "$d/serial")"
done
ip link set lo up; ip link set eth0 up; ip addr add "$addr" dev eth0
stty -echo -F /dev/ttyS0
echo "@@READY $(hostname) $(cat /proc/drbd | head -1)" > /dev/ttyS0
# A non-interactive loop (no prompt, no line editing echoing input back); `cmd &` gets /dev/null as its stdin.
exec setsid sh -c 'while IFS= read -r line; do eval "$line"; done </dev/ttyS0 >/dev/ttyS0 2>&1'
EOF
chmod 755 "$root/init" "$root"/usr/lib/drbd/*.sh

mkdir -p "$out"
cp "$work/kernel/boot/vmlinuz-$abi" "$out/vmlinuz"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$out/initrd.gz"
printf '%s\n' "$inputs" > "$out/inputs.txt"
say "built $out: vmlinuz ($abi, $(du -k "$out/vmlinuz" | cut -f1) KiB), initrd.gz ($(du -k "$out/initrd.gz" | cut -f1) KiB) in $(elapsed)"
