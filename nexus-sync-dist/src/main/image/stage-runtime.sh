#!/usr/bin/env bash
# Stages the image's Java runtime for Jib, which layers OUT onto `scratch`: no registry is reachable from the build
# (or CI), so no base image can be pulled. OUT/opt/java is a jlink'd runtime of the JDK that runs the build, and
# beside it, at their own paths, the shared libraries that runtime links against (glibc, libz, the dynamic loader...)
# copied from the build host. The image therefore runs the build host's JRE on the build host's glibc.
# Usage: stage-runtime.sh JAVA_HOME OUT
set -euo pipefail
java_home="$1"
out="$2"
# What the service needs, taken wide rather than from jdeps (drivers and Netty load some modules reflectively):
# java.se, sun.misc.Unsafe for Netty, elliptic-curve TLS, JMX and JFR for the JVM metrics, DNS for JNDI lookups.
modules="java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.management,jdk.management.jfr,jdk.jfr,jdk.zipfs,jdk.naming.dns,jdk.net,jdk.charsets,jdk.localedata"
stamp="$out.staged-from"   # beside OUT: everything in OUT goes into the image
want="$java_home $("$java_home/bin/java" -version 2>&1 | head -1) $modules $(sha256sum "$0" | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0   # staged from this JDK with these modules already: jlink takes a while on a small machine
fi
rm -rf "$out"
mkdir -p "$out/opt"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$out/opt/java"
# ldd names each library by the path the loader found it at; copy the file (not a symlink) to that same path. The
# desktop's native libraries (AWT, fonts, sound, images) are left unlinked: java.desktop stays for java.beans, which
# HikariCP uses, but a headless service never loads them, and their X11 and font libraries would double the image.
linked="$(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  -not \( -name 'libawt*' -o -name 'libfontmanager*' -o -name 'libjawt*' -o -name 'libsplashscreen*' -o -name 'liblcms*' \
         -o -name 'libjavajpeg*' -o -name 'libmlib_image*' -o -name 'libjsound*' \) -print0 \
  | xargs -0 ldd 2>&1)" || true   # ldd's status is not the test: its "not found" below is
# "not found" is fine for a library the runtime carries itself (libjvm.so: the launcher has loaded it before its users)
missing="$(sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' <<<"$linked" | sort -u \
  | while read -r name; do [ -n "$(find "$out/opt/java" -name "$name" -print -quit)" ] || echo "$name"; done)"
if [ -n "$missing" ]; then
  echo "stage-runtime: the runtime links against libraries this host lacks: $missing" >&2
  exit 1
fi
sed -n -e 's/^.*=> \(\/[^ ]*\) .*$/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p' <<<"$linked" \
  | sort -u \
  | while read -r lib; do
      case "$lib" in "$out"/*) continue ;; esac   # the runtime's own libraries, already there
      mkdir -p "$out$(dirname "$lib")"
      cp -L "$lib" "$out$lib"
    done
# the JVM's temporary files (hsperfdata) and anything the service writes there
mkdir -p "$out/tmp"
echo "$want" > "$stamp"
