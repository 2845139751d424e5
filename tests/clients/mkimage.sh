#!/bin/sh
# mkimage.sh OUT.tar [ROOTFS.tar] - an OCI image archive (image-spec 1.0 layout in a
# tar) of one uncompressed layer: the busybox rootfs of contrib/mkbundle.sh, or the
# given rootfs tarball.  Tagged docker.io/library/husk-busybox:latest for containerd
# (io.containerd.image.name) and "latest" for the OCI ref name.  No registry needed.
set -eu
out=${1:?usage: mkimage.sh OUT.tar [ROOTFS.tar]}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 2 ]; then
	cp "$2" "$work/layer.tar"
else
	HUSK=${HUSK:-$here/../../husk} "$here/../../contrib/mkbundle.sh" "$work/b" >/dev/null
	tar -C "$work/b/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/layer.tar" .
	rm -rf "$work/b"
fi
mkdir -p "$work/img/blobs/sha256"
blob() { # blob FILE -> moves FILE into the layout, prints "sha256:<hex> <size>"
	h=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$work/img/blobs/sha256/$h"
	echo "sha256:$h $s"
}
set -- $(blob "$work/layer.tar")
layer=$1 layer_size=$2
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"tests/clients/mkimage.sh"}]}' \
	"$layer" > "$work/config.json"
set -- $(blob "$work/config.json")
config=$1 config_size=$2
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
	"$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
set -- $(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"docker.io/library/husk-busybox:latest","org.opencontainers.image.ref.name":"latest"}}]}' \
	"$1" "$2" > "$work/img/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/img/oci-layout"
tar -C "$work/img" -cf "$out" oci-layout index.json blobs
