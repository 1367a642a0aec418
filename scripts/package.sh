#!/usr/bin/env bash
# Builds the Debian package in one command (docs/operations.md "Installing the package"):
# installs the build dependencies (scripts/install-deps.sh), configures a Release build for
# /usr in build-package/ with Debian's hardening flags, runs cpack -G DEB and prints the .deb's
# path. The version is the project's (CMakeLists.txt), the one `tracecollector --version` prints.
#   scripts/package.sh [OUTPUT_DIR]     (default: build-package/)
# Then: sudo apt install ./build-package/tracecollector_<version>_amd64.deb
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${TC_PACKAGE_BUILD_DIR:-$here/build-package}"
out="${1:-$build}"
"$here/scripts/install-deps.sh"
command -v dpkg-shlibdeps >/dev/null || {
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends dpkg-dev
}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_CXX_FLAGS="-D_FORTIFY_SOURCE=2 -fstack-protector-strong" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-z,relro,-z,now"
cmake --build "$build" -j"$(nproc)"
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb="$(ls -t "$out"/tracecollector_*_amd64.deb | head -n1)"
if command -v lintian >/dev/null; then
  lintian "$deb" 2>&1 | grep -v 'running with root privileges' || true
fi
echo "$deb"
