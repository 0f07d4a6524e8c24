# The Kotlin side of the tests: a pinned kotlinc (npm package
# kotlin-compiler, with kotlin-stdlib, kotlin-test and kotlinx-coroutines),
# JNA and JUnit 4 from Debian, and a JDK. Installed on first use; nothing
# outside the cache folder and Debian's packages is touched.

KOTLIN_COMPILER_VERSION=2.4.20

# Sets KOTLINC and KOTLIN_LIB; installs what is missing.
ensure_kotlin() {
  command -v javac >/dev/null 2>&1 || need_apt default-jdk-headless
  need_apt libjna-java junit4
  if ! command -v npm >/dev/null 2>&1; then need_apt nodejs npm; fi
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/tandem-tools/kotlin-$KOTLIN_COMPILER_VERSION"
  KOTLINC="$dir/node_modules/kotlin-compiler/bin/kotlinc"
  KOTLIN_LIB="$dir/node_modules/kotlin-compiler/lib"
  if [ ! -x "$KOTLINC" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_COMPILER_VERSION")
  fi
  export KOTLINC KOTLIN_LIB
}

# The classpath the JVM tests compile and run with.
kotlin_classpath() {
  local jars=(
    "$KOTLIN_LIB/kotlin-stdlib.jar"
    "$KOTLIN_LIB/kotlin-test.jar"
    "$KOTLIN_LIB/kotlin-test-junit.jar"
    "$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar"
    /usr/share/java/jna.jar
    /usr/share/java/junit4.jar
    /usr/share/java/hamcrest-core.jar
  )
  local IFS=:
  echo "${jars[*]}"
}
