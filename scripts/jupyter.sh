# Sourced by the npm scripts: finds Jupyter (installing Debian's packages when it can),
# and points it at the tslab kernelspec kept in this repo, so nothing is installed globally.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$root/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"


ensure_jupyter() {
  if command -v jupyter >/dev/null && jupyter nbconvert --version >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Jupyter is missing: installing Debian's packages (jupyter-nbconvert python3-nbclient jupyter-client)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client >/dev/null) || {
      echo "error: apt-get could not install Jupyter." >&2; return 1; }
    return 0
  fi
  cat >&2 <<'MSG'
error: Jupyter (nbconvert) is not installed, and this user cannot install Debian's packages.
  On Debian/Ubuntu: sudo apt-get install --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client
  Elsewhere:        pip install jupyterlab nbconvert
Then run the command again.
MSG
  return 1
}
