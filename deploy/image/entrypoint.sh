#!/bin/sh
# The container image's entrypoint (/opt/quill/bin/quill): the deploy/quill launcher for a shell-only
# image. Runs `quill <command>` with the JVM options the engine needs, the heap from QUILL_HEAP and
# the options in JAVA_OPTS (last, so they win).
set -e
heap="${QUILL_HEAP:-25%}"
case "$heap" in
  *[!0-9.%kKmMgG]* | "" | %* | *%?*)
    echo "quill: QUILL_HEAP must be a size such as 2g or 512m, or a percentage such as 40%; got '$heap'" >&2
    exit 2 ;;
  *%) heap_option="-XX:MaxRAMPercentage=${heap%\%}" ;;
  *) heap_option="-Xmx$heap" ;;
esac
gc_option="-XX:+UseParallelGC"
if [ "$1" = health ]; then
  # The health check runs every few seconds beside the server: a small, quickly started JVM.
  heap_option="-Xmx64m -XX:TieredStopAtLevel=1"
  gc_option="-XX:+UseSerialGC"
fi
# The Vector API is an incubator module and FFM memory mapping needs native access; weights are
# memory-mapped outside the heap, which holds the KV caches. Objects are 64-byte aligned so the
# matrix kernels can put their arrays on cache-line boundaries (see deploy/quill).
# shellcheck disable=SC2086 # heap_option and JAVA_OPTS are lists of options.
exec /opt/java/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -XX:CompileCommand=quiet '-XX:CompileCommand=inline,dev.quill.tensor.Simd::*' \
  -XX:ObjectAlignmentInBytes=64 $gc_option $heap_option ${JAVA_OPTS:-} -jar /opt/quill/quarkus-run.jar "$@"
