#!/usr/bin/env bash
# Build the Debian package of a built checkout (run scripts/build.sh first):
#
#   scripts/package.sh            -> build/podheitor-hpc_<version>_amd64.deb   (prints its path last)
#
# What goes in (docs/layout.md "The Debian package"):
#   /usr/lib/bacula/podheitor-hpc-fd.so           the shim, built with DEFAULT_BACKEND=/usr/lib/podheitor-hpc/bin/
#                                                 podheitor-hpc-backend (Debian's bacula-fd Plugin Directory)
#   /usr/lib/podheitor-hpc/bin/                   the launchers podheitor-hpc, podheitor-hpc-backend
#   /usr/lib/podheitor-hpc/lib/*.jar              backend + CLI jars and their dependencies; *.aot the AOT caches
#   /usr/lib/podheitor-hpc/runtime/               a Java runtime made by jlink from the modules jdeps finds
#   /usr/lib/podheitor-hpc/java.home, log.dir     which runtime the launchers run, where the JVM crash log goes
#   /usr/bin/podheitor-hpc                        -> ../lib/podheitor-hpc/bin/podheitor-hpc
#   /usr/share/man/man1/podheitor-hpc*.1.gz       from the picocli model (picocli-codegen + asciidoctor)
#   /usr/share/bash-completion/completions/podheitor-hpc   from the picocli model (picocli.AutoComplete)
#   /usr/share/doc/podheitor-hpc/                 README, copyright, changelog
#   DEBIAN/postinst, prerm, postrm                /var/log/podheitor-hpc (0700) made at configure, removed at
#                                                 purge (and at remove when empty); prerm names a bacula-fd that
#                                                 has the plugin loaded (to be restarted)
#
# Every file is root's and not group/other-writable (the shim runs a backend only then: docs/security.md).
# env: PHPC_DEB_VERSION (default: the pom's version, -SNAPSHOT -> ~snapshot+git<date>.<commit>),
#      PHPC_DEB_MAINTAINER, PHPC_AOT=0 (no AOT caches), PHPC_LINTIAN=1 (run lintian on the result if installed).
set -Eeuo pipefail
PHPC_PROG=package.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT

PKG=podheitor-hpc
LIBDIR=/usr/lib/podheitor-hpc
PLUGIN_DIR=/usr/lib/bacula
LOGDIR=/var/log/podheitor-hpc
OUT=$ROOT/build
STAGE=$OUT/deb/root
WORK=$OUT/deb/work

deb_version() {
  if [ -n "${PHPC_DEB_VERSION:-}" ]; then echo "$PHPC_DEB_VERSION"; return; fi
  local v
  v=$(sed -n '0,/<artifactId>podheitor-hpc<\/artifactId>/d; s/.*<version>\(.*\)<\/version>.*/\1/p' "$ROOT/pom.xml" | head -1)
  [ -n "$v" ] || die "cannot read the version from $ROOT/pom.xml"
  case $v in
    *-SNAPSHOT)
      v=${v%-SNAPSHOT}~snapshot
      local when sha
      if when=$(git -C "$ROOT" log -1 --format=%cd --date=format:%Y%m%d 2>/dev/null) \
         && sha=$(git -C "$ROOT" rev-parse --short=8 HEAD 2>/dev/null); then
        v=$v+git$when.$sha
      fi;;
  esac
  echo "$v"
}

# the modules the backend and the CLI need, by jdeps over every jar they run with
java_modules() { # jdk libdir
  local jdk=$1 lib=$2 mods
  # every jar is an input (so the references between them resolve); the last line is the module list
  mods=$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$lib"/*.jar 2>/dev/null \
         | tail -n 1) || die "jdeps failed"
  [[ "$mods" =~ ^[a-z.,]+$ ]] || die "jdeps printed no module list ($mods)"
  # jdk.unsupported: sun.misc.Unsafe for libraries that probe for it. java.desktop is left out: only
  # jackson-databind refers to it (java.beans, optional: databind works without it, and the backend reads the
  # plugin-key table with jackson-core's streaming parser), and it would bring AWT's native libraries, whose
  # X11/ALSA dependencies have no place on a File Daemon host (PHPC_JLINK_EXCLUDE, default java.desktop).
  local ex=${PHPC_JLINK_EXCLUDE-java.desktop}
  echo "$mods,jdk.unsupported" | tr ',' '\n' | sed '/^$/d' | grep -vxF -e "${ex//,/$'\n'}" | sort -u | paste -sd,
}

# the Debian packages of the shared libraries the .so and the runtime load from the system
shlib_depends() { # stage
  local stage=$1 f lib path pkgs=() p glibc=0 v
  local -A seen=() inside=()
  while IFS= read -r -d '' f; do inside[$(basename "$f")]=1; done \
    < <(find "$stage" -type f -name '*.so*' -print0)
  while IFS= read -r -d '' f; do
    file -b "$f" | grep -q '^ELF' || continue
    while read -r lib; do
      [ -n "$lib" ] && [ -z "${inside[$lib]:-}" ] && seen[$lib]=1
    done < <(objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }')
    # the newest GLIBC_x.y symbol version anything needs
    while read -r v; do
      if [ "$(printf '%s\n%s\n' "$glibc" "$v" | sort -V | tail -1)" = "$v" ]; then glibc=$v; fi
    done < <(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV)
  done < <(find "$stage" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
  for lib in "${!seen[@]}"; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')
    [ -n "$path" ] || die "shared library $lib (needed by the package) is not installed here"
    p=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [ -n "$p" ] || p=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [ -n "$p" ] || die "no Debian package owns $path ($lib)"
    pkgs+=("$p")
  done
  local out=() u
  for u in $(printf '%s\n' "${pkgs[@]}" libc6 | sort -u); do
    if [ "$u" = libc6 ] && [ "$glibc" != 0 ]; then out+=("libc6 (>= $glibc)"); else out+=("$u"); fi
  done
  local IFS=,
  echo "${out[*]}" | sed 's/,/, /g'
}

gen_docs() { # jdk -> man pages and bash completion into $STAGE
  local jdk=$1 cp codegen=$ROOT/hpc-cli/target/codegen/picocli-codegen.jar
  [ -f "$codegen" ] || die "$codegen missing (scripts/build.sh copies it at mvn package)"
  command -v asciidoctor >/dev/null 2>&1 || die "asciidoctor not found (apt-get install asciidoctor; scripts/install-deps.sh)"
  cp="$ROOT/hpc-cli/target/hpc-cli.jar:$ROOT/hpc-cli/target/lib/*:$codegen"
  rm -rf "$WORK/adoc" "$WORK/man"
  mkdir -p "$WORK/adoc" "$WORK/man"
  # one AsciiDoc page per command, from the picocli model, then troff
  "$jdk/bin/java" -cp "$cp" picocli.codegen.docgen.manpage.ManPageGenerator -d "$WORK/adoc" \
      io.podheitor.hpc.cli.PodheitorCli >/dev/null || die "ManPageGenerator failed"
  asciidoctor -b manpage -a reproducible -D "$WORK/man" "$WORK/adoc"/*.adoc || die "asciidoctor failed"
  install -d -m 755 "$STAGE/usr/share/man/man1"
  local m
  for m in "$WORK/man"/*.1; do
    gzip -9n < "$m" > "$STAGE/usr/share/man/man1/$(basename "$m").gz"
  done
  install -d -m 755 "$STAGE/usr/share/bash-completion/completions"
  "$jdk/bin/java" -cp "$cp" picocli.AutoComplete -f -n podheitor-hpc -o "$WORK/completion" \
      io.podheitor.hpc.cli.PodheitorCli >/dev/null || die "picocli.AutoComplete failed"
  # a completion file is sourced, not run: no #! line
  sed '1{/^#!/d}' "$WORK/completion" > "$STAGE/usr/share/bash-completion/completions/podheitor-hpc"
}

maintainer() {
  if [ -n "${PHPC_DEB_MAINTAINER:-}" ]; then echo "$PHPC_DEB_MAINTAINER"; return; fi
  echo "podheitor-hpc maintainers <$(git -C "$ROOT" log -1 --format=%ae 2>/dev/null || echo root@localhost)>"
}

write_control() { # version depends size
  local maint
  maint=$(maintainer)
  cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $1
Architecture: amd64
Maintainer: $maint
Installed-Size: $3
Depends: $2, bacula-fd (>= 9.6)
Section: admin
Priority: optional
Description: Bacula File Daemon plugin for HPC parallel file systems
 podheitor-hpc-fd.so is a bacula-fd plugin for Lustre, GPFS/Spectrum Scale,
 BeeGFS, CephFS and WekaFS trees: a small C plugin that starts a Java
 backend, which walks the namespace in parallel and streams the files back
 to bacula-fd. A FileSet names it as
 Plugin = "podheitor-hpc:path=/lustre/scratch/projectA".
 .
 The package brings its own Java runtime (made with jlink), the operator
 CLI podheitor-hpc (walk, bench, doctor) and its manual pages. Restart
 bacula-fd after installing it; "podheitor-hpc doctor" checks the install.
EOF
}

write_scripts() {
  cat > "$STAGE/DEBIAN/postinst" <<EOF
#!/bin/sh
# postinst of $PKG: the backend launcher's JVM fatal error log directory (docs/security.md), root's and 0700.
set -e
LOGDIR=$LOGDIR
case "\$1" in
  configure)
    if [ -L "\$LOGDIR" ] || { [ -e "\$LOGDIR" ] && [ ! -d "\$LOGDIR" ]; }; then
      echo "$PKG: \$LOGDIR exists and is not a directory: left alone (the backend's JVM crash log then goes to bacula-fd's working directory)" >&2
    else
      install -d -m 0700 -o root -g root "\$LOGDIR"
    fi
    echo "$PKG: restart bacula-fd to load $PLUGIN_DIR/podheitor-hpc-fd.so; check the install with: podheitor-hpc doctor" >&2
    ;;
esac
exit 0
EOF
  cat > "$STAGE/DEBIAN/postrm" <<EOF
#!/bin/sh
# postrm of $PKG: the crash log directory the postinst made; kept at remove while it holds logs, gone at purge.
set -e
LOGDIR=$LOGDIR
case "\$1" in
  remove)
    if [ -d "\$LOGDIR" ] && [ ! -L "\$LOGDIR" ]; then rmdir "\$LOGDIR" 2>/dev/null || true; fi
    ;;
  purge)
    if [ -L "\$LOGDIR" ]; then rm -f "\$LOGDIR"; elif [ -d "\$LOGDIR" ]; then rm -rf "\$LOGDIR"; fi
    ;;
esac
exit 0
EOF
  cat > "$STAGE/DEBIAN/prerm" <<EOF
#!/bin/sh
# prerm of $PKG: nothing to undo here (postrm removes what postinst made); a running bacula-fd keeps the plugin
# it loaded at its start, so say which one must be restarted.
set -e
case "\$1" in
  remove|upgrade|deconfigure)
    for m in /proc/[0-9]*/maps; do
      if grep -qs "$PLUGIN_DIR/podheitor-hpc-fd.so" "\$m"; then
        pid=\${m#/proc/}; pid=\${pid%/maps}
        echo "$PKG: bacula-fd (pid \$pid) has the plugin loaded: restart it after this \$1" >&2
      fi
    done
    ;;
esac
exit 0
EOF
  chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm" "$STAGE/DEBIAN/postrm"
}

# What lintian reports and why it stays (the rest of its findings are fixed here)
write_lintian_overrides() {
  local d=$STAGE/usr/share/lintian/overrides f
  install -d -m 755 "$d"
  {
    echo "# The runtime is the build JDK's own jlink image: OpenJDK compiles its zlib into these two libraries."
    echo "$PKG: embedded-library zlib [usr/lib/podheitor-hpc/runtime/lib/libjli.so]"
    echo "$PKG: embedded-library zlib [usr/lib/podheitor-hpc/runtime/lib/libzip.so]"
    echo "# Private jars of the launchers' class path (PREFIX/lib) and the runtime's own jrt-fs.jar, not Java"
    echo "# libraries for other packages."
    for f in "$STAGE$LIBDIR"/lib/*.jar "$STAGE$LIBDIR"/runtime/lib/jrt-fs.jar; do
      echo "$PKG: jar-not-in-usr-share [${f#"$STAGE"/}]"
    done
    echo "# Class files for Java 22 and newer (the FFM API): this lintian does not know those versions."
    echo "$PKG: unknown-java-class-version"
  } > "$d/$PKG"
  chmod 644 "$d/$PKG"
}

write_docs() { # version
  local doc=$STAGE/usr/share/doc/$PKG
  install -d -m 755 "$doc"
  gzip -9n < "$ROOT/README.md" > "$doc/README.md.gz"
  local date
  date=$(git -C "$ROOT" log -1 --format=%cD 2>/dev/null || date -R)
  {
    echo "$PKG ($1) unstable; urgency=medium"
    echo
    echo "  * Built from commit $(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)."
    echo
    echo " -- $(maintainer)  $date"
  } | gzip -9n > "$doc/changelog.gz"
  cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: podheitor-hpc
Comment: The Java runtime in /usr/lib/podheitor-hpc/runtime was made with jlink from
 the build machine's JDK; its own notices are in /usr/lib/podheitor-hpc/runtime/legal/.

Files: *
Copyright: 2026 the podheitor-hpc authors
License: AGPL-3.0-or-later
 This program is free software: you can redistribute it and/or modify it
 under the terms of the GNU Affero General Public License as published by
 the Free Software Foundation, either version 3 of the License, or (at your
 option) any later version.
 .
 This program is distributed in the hope that it will be useful, but WITHOUT
 ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 FITNESS FOR A PARTICULAR PURPOSE. See the GNU Affero General Public License
 for more details.
 .
 You should have received a copy of the GNU Affero General Public License
 along with this program. If not, see <https://www.gnu.org/licenses/>.

Files: usr/lib/podheitor-hpc/lib/picocli.jar
 usr/lib/podheitor-hpc/lib/jackson-*.jar
 usr/lib/podheitor-hpc/lib/zero-allocation-hashing.jar
Copyright: the picocli authors; FasterXML, LLC; Chronicle Software (OpenHFT)
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.

Files: usr/lib/podheitor-hpc/runtime/*
Copyright: Oracle and/or its affiliates, and the OpenJDK contributors
License: GPL-2 with Classpath exception
 On Debian systems the full text of the GNU General Public License version 2
 is in /usr/share/common-licenses/GPL-2; the Classpath exception and the
 notices of the bundled libraries are in usr/lib/podheitor-hpc/runtime/legal/.
EOF
}

main() {
  [ $# -eq 0 ] || die "usage: package.sh (no arguments; see the header)"
  local jdk m
  jdk=$(head -n 1 "$ROOT/build/java.home" 2>/dev/null) || die "build/java.home missing: run scripts/build.sh first"
  [ -x "$jdk/bin/jlink" ] && [ -x "$jdk/bin/jdeps" ] || die "$jdk has no jlink/jdeps: package.sh needs a full JDK (>= 22)"
  for m in hpc-backend hpc-cli; do
    [ -f "$ROOT/$m/target/$m.jar" ] || die "$ROOT/$m/target/$m.jar missing: run scripts/build.sh first"
  done
  local t
  for t in dpkg-deb objdump file gzip make; do command -v "$t" >/dev/null 2>&1 || die "$t not found"; done
  local version
  version=$(deb_version)
  info "version $version"

  rm -rf "$OUT/deb"
  mkdir -p "$STAGE/DEBIAN" "$WORK"
  chmod 755 "$OUT/deb" "$STAGE" "$STAGE/DEBIAN"
  local lib=$STAGE$LIBDIR
  install -d -m 755 "$lib" "$lib/bin" "$lib/lib" "$STAGE$PLUGIN_DIR" "$STAGE/usr/bin"

  # the shim, built apart from the checkout's shim-c/build (which keeps pointing at the checkout's launcher)
  info "shim: DEFAULT_BACKEND=$LIBDIR/bin/podheitor-hpc-backend"
  make -s -C "$ROOT/shim-c" BUILD="$WORK/shim" DEFAULT_BACKEND="$LIBDIR/bin/podheitor-hpc-backend" \
       CFLAGS="-O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security -Wl,-z,relro -Wl,-z,now" \
       "$WORK/shim/podheitor-hpc-fd.so" >/dev/null || die "shim build failed"
  install -m 644 "$WORK/shim/podheitor-hpc-fd.so" "$STAGE$PLUGIN_DIR/podheitor-hpc-fd.so"
  strip --strip-unneeded --remove-section=.comment "$STAGE$PLUGIN_DIR/podheitor-hpc-fd.so"
  grep -qaF "PODHEITOR_HPC_FD_BACKEND=$LIBDIR/bin/podheitor-hpc-backend" "$STAGE$PLUGIN_DIR/podheitor-hpc-fd.so" \
    || die "the packaged .so does not name $LIBDIR/bin/podheitor-hpc-backend"

  # jars and launchers
  for m in hpc-backend hpc-cli; do
    install -m 644 "$ROOT/$m/target/$m.jar" "$lib/lib/"
    find "$ROOT/$m/target/lib" -maxdepth 1 -name '*.jar' -exec install -m 644 {} "$lib/lib/" \;
  done
  install -m 755 "$ROOT/bin/podheitor-hpc" "$ROOT/bin/podheitor-hpc-backend" "$lib/bin/"
  ln -s ../lib/podheitor-hpc/bin/podheitor-hpc "$STAGE/usr/bin/podheitor-hpc"

  # the Java runtime
  local mods
  mods=$(java_modules "$jdk" "$lib/lib")
  info "jlink --add-modules $mods"
  "$jdk/bin/jlink" --add-modules "$mods" --output "$lib/runtime" --strip-debug --no-header-files \
      --no-man-pages --compress=zip-6 --generate-cds-archive >/dev/null || die "jlink failed"
  # jlink keeps the JDK's native symbol tables: strip them (the dynamic symbols the JVM and JNI use stay)
  local f
  while IFS= read -r -d '' f; do
    if file -b "$f" | grep -q '^ELF'; then strip --strip-unneeded --remove-section=.comment "$f" || die "strip $f failed"; fi
  done < <(find "$lib/runtime" -type f -print0)
  printf '%s\n' "$LIBDIR/runtime" > "$lib/java.home"
  printf '%s\n' "$LOGDIR" > "$lib/log.dir"
  chmod 644 "$lib/java.home" "$lib/log.dir"

  # AOT caches, trained on the staged tree with the staged runtime (the launchers list the jars by name, so the
  # class path differs from the installed one only in its directory, which the JVM accepts)
  if [ "${PHPC_AOT:-1}" = 1 ]; then
    printf '%s\n' "$lib/runtime" > "$lib/java.home"
    if "$ROOT/scripts/build-aot.sh" "$lib" >/dev/null 2>"$WORK/aot.log"; then
      info "AOT caches: $(cd "$lib/lib" && ls -- *.aot | paste -sd' ')"
    else
      warn "AOT caches not built (see $WORK/aot.log); the launchers start without them"
      rm -f "$lib/lib"/*.aot
    fi
    printf '%s\n' "$LIBDIR/runtime" > "$lib/java.home"
    chmod 644 "$lib"/lib/*.aot 2>/dev/null || true
  fi

  gen_docs "$jdk"
  write_docs "$version"

  # modes: directories 0755, executables 0755 (the runtime's bin/, jspawnhelper, the launchers), every other
  # file 0644 (shared libraries too; jlink's 0444 legal notices as well): nothing group- or other-writable
  find "$STAGE" -type d -exec chmod 755 {} +
  find "$STAGE" -type f ! -path "$STAGE/DEBIAN/*" -perm /111 ! -name '*.so' -exec chmod 755 {} +
  find "$STAGE" -type f ! -path "$STAGE/DEBIAN/*" \( ! -perm /111 -o -name '*.so' \) -exec chmod 644 {} +
  write_lintian_overrides
  local depends size
  depends=$(shlib_depends "$STAGE")
  size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
  write_control "$version" "$depends" "$size"
  write_scripts
  (cd "$STAGE" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    > "$STAGE/DEBIAN/md5sums"
  chmod 644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"

  local bad
  bad=$(find "$STAGE" \( -perm -g+w -o -perm -o+w \) ! -type l | head -3)
  [ -z "$bad" ] || die "group/other-writable in the package: $bad"

  local deb=$OUT/${PKG}_${version}_amd64.deb
  rm -f "$OUT/${PKG}"_*_amd64.deb
  dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$deb" >/dev/null || die "dpkg-deb failed"
  info "Depends: $depends, bacula-fd (>= 9.6)"
  info "$(du -h "$deb" | cut -f1) packed, $((size / 1024)) MiB installed, $(dpkg-deb -c "$deb" | wc -l) entries"
  if [ "${PHPC_LINTIAN:-0}" = 1 ]; then
    if command -v lintian >/dev/null 2>&1; then
      lintian --no-tag-display-limit "$deb" || true
    else
      warn "lintian not installed (apt-get install lintian)"
    fi
  fi
  echo "$deb"
}

main "$@"
