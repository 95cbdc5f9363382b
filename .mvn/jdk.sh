# Finds the JDK 25 (or newer) that Drover builds and runs on, and exports JAVA_HOME to it. Sourced (POSIX sh) by
# ./mvnw and ./drover, so both work on a machine whose default `java` is older, as long as a JDK 25 is installed.
#
#   JAVA_HOME is a JDK 25+   it is used;
#   otherwise                the `java` on the PATH if it is 25+, else the first JDK 25+ under /usr/lib/jvm, /usr/java,
#                            /opt/java or /opt (Temurin 25 first) -- with a line on stderr when that overrides an older
#                            JAVA_HOME; none found: one line says how to fix it, and the script exits 2.
drover_java_major() { # $1 = a Java home; prints its feature version (25), or nothing
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
  fi
}

drover_is_jdk25() { # $1 = a Java home
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(drover_java_major "$1")" -ge 25 ] 2>/dev/null
}

drover_find_jdk() { # $1 = the command's name, for its messages
  _drover_old=
  if [ -n "${JAVA_HOME-}" ]; then
    drover_is_jdk25 "$JAVA_HOME" && return 0
    _drover_old="$JAVA_HOME"
    unset JAVA_HOME
  fi
  _drover_java="$(command -v java 2>/dev/null || :)"
  if [ -n "$_drover_java" ]; then
    _drover_home="$(dirname "$(dirname "$(readlink -f "$_drover_java")")")"
    if drover_is_jdk25 "$_drover_home"; then
      JAVA_HOME="$_drover_home"
      export JAVA_HOME
      return 0
    fi
  fi
  # mvnw runs with globbing off (set -f); the search below needs it for a moment
  case "$-" in *f*) _drover_noglob=1; set +f ;; *) _drover_noglob= ;; esac
  for _drover_home in /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*; do
    if drover_is_jdk25 "$_drover_home"; then
      JAVA_HOME="$_drover_home"
      export JAVA_HOME
      [ -z "$_drover_noglob" ] || set -f
      [ -z "$_drover_old" ] || echo "$1: JAVA_HOME=$_drover_old is not a JDK 25; using $JAVA_HOME" >&2
      return 0
    fi
  done
  [ -z "$_drover_noglob" ] || set -f
  echo "$1: Drover needs a JDK 25 and found none (JAVA_HOME=${_drover_old:-unset}, java on the PATH: ${_drover_java:-none}); install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
  exit 2
}
