#!/bin/sh
# Installs Debian font packages for benchmarks/letters.py (the notMNIST-style letters set).
# Run as root once per machine: sh benchmarks/setup_fonts.sh
# Every family here is free software; together they give a few hundred TrueType/OpenType
# faces (serif, sans, mono, slab, handwriting-like), which is what makes the letters set
# "very different" from Fashion-MNIST yet learnable.
set -eu
PACKAGES="fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf \
fonts-crosextra-caladea fonts-crosextra-carlito fonts-comic-neue fonts-cantarell \
fonts-ebgaramond fonts-hack fonts-inconsolata fonts-lato fonts-open-sans \
fonts-roboto-unhinted fonts-roboto-slab fonts-noto-core"
LOCK=/tmp/kr-apt.lock
run() { if command -v flock >/dev/null; then flock "$LOCK" "$@"; else "$@"; fi; }
run apt-get update -qq
# shellcheck disable=SC2086
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES
find /usr/share/fonts -name '*.ttf' -o -name '*.otf' | wc -l | xargs echo "font files:"
