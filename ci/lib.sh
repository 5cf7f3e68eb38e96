# Shared by ci/test and ci/demo: install Debian packages the project needs, only when missing.
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "ci: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        $sudo apt-get update -qq >/dev/null
        $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    }
}

# The system libraries the package links (TLS probe: OpenSSL; HTTP probe: libcurl) and the
# real servers the integration tests start (openssl s_server).
BASE_PACKAGES=(pkg-config libssl-dev libcurl4-openssl-dev libsqlite3-dev openssl ca-certificates nginx-light)
# What only the tests need: headless Chromium and poppler render the HTML report to PNG/PDF;
# python3-jsonschema validates SARIF against its schema; openssh-server is a real SSH server for the SSH audit.
TEST_PACKAGES=(chromium fonts-liberation fonts-dejavu-core poppler-utils python3 python3-jsonschema openssh-server openssh-client)
