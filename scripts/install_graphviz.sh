#!/usr/bin/env bash
# Graphviz's `dot` draws keras.utils.plot_model diagrams. Install it with apt
# when we are root and it is missing; otherwise say what to do. Never fatal:
# the notebooks print a one-line note instead of a diagram without it.
if command -v dot >/dev/null 2>&1; then
  echo "graphviz: $(dot -V 2>&1)"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "graphviz: installing with apt-get (for keras.utils.plot_model)..."
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null 2>&1; then
    echo "graphviz: $(dot -V 2>&1)"
    exit 0
  fi
  echo "graphviz: apt-get install graphviz failed; plot_model diagrams will be skipped."
  exit 0
fi
cat <<'MSG'
graphviz: `dot` is not installed and this is not a root shell with apt-get.
  Install it yourself for plot_model diagrams, e.g.
    sudo apt-get install graphviz      (Debian/Ubuntu)
    brew install graphviz              (macOS)
    conda install -c conda-forge graphviz
  Everything else works without it; the notebooks print a note instead of the diagram.
MSG
