# Sourced by .ci/run: system packages the tests need on a fresh Debian machine (run as root).
APT="apt-get -o DPkg::Lock::Timeout=300 -qq"
export DEBIAN_FRONTEND=noninteractive

# Dawn (the `webgpu` npm package) needs a Vulkan driver; on a machine without a GPU that is Mesa's
# lavapipe >= 25 (Debian 12's own 22.3.6 is rejected: bookworm-backports has 25.x).
ensure_lavapipe() {
  local have codename
  have=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  if [[ $have == ii* ]] && dpkg --compare-versions "${have#ii }" ge 25 \
    && dpkg-query -W -f='${db:Status-Abbrev}' libvulkan1 2>/dev/null | grep -q '^ii'; then return 0; fi
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  if [[ $codename == bookworm ]]; then
    if ! grep -qsE '^[^#]*bookworm-backports' /etc/apt/sources.list \
      /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
      printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
        >/etc/apt/sources.list.d/bookworm-backports.sources
    fi
    $APT update
    $APT install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
  else
    $APT update
    $APT install -y --no-install-recommends mesa-vulkan-drivers libvulkan1
  fi
}

# Headless Chromium for the browser tests (never a downloaded browser).
ensure_chromium() {
  command -v chromium >/dev/null || { $APT update; $APT install -y --no-install-recommends chromium; }
}

# Python's filelock (what huggingface_hub locks its cache with), for transformers-lite's test that a
# Python process and a Lumen process take turns on one download (test/hub/pyHubDownload.py).
ensure_python_filelock() {
  /usr/bin/python3 -c 'import filelock' 2>/dev/null || { $APT update; $APT install -y --no-install-recommends python3-filelock; }
}
