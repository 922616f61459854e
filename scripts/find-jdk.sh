# Sourced by the scripts: sets JAVA_HOME to a JDK 21 or newer, or exits with a clear message.
# Looks at $JAVA_HOME first, then the usual JVM folders, then the java on PATH.

ember_java_major() {
  # Prints the major version of the JDK at $1, or nothing if there is none.
  local home="$1"
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  "$home/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

ember_find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$d" ] && candidates+=("$d")
  done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  local best="" best_major=0 c major
  for c in "${candidates[@]}"; do
    major=$(ember_java_major "$c")
    [ -n "$major" ] || continue
    # $JAVA_HOME wins when it is new enough; otherwise take the newest found.
    if [ "$c" = "${JAVA_HOME:-}" ] && [ "$major" -ge 21 ]; then best="$c"; best_major=$major; break; fi
    if [ "$major" -gt "$best_major" ]; then best="$c"; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$best_major" -lt 21 ]; then
    echo "error: Ember needs a JDK 21 or newer to build (Lucene 10)." >&2
    echo "       Looked at \$JAVA_HOME, /usr/lib/jvm/*, /opt/java/*, ~/.sdkman and the java on PATH;" >&2
    echo "       newest found: ${best:-none} (version ${best_major})." >&2
    echo "       Install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}

ember_find_jdk
