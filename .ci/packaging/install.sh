#!/bin/sh
# Installs elevenlabs from this release tarball (no Swift toolchain needed): the binaries, the man
# pages and the bash, zsh and fish completions. As root it installs to /usr/local; otherwise to
# ~/.local, with no root at all. --uninstall removes exactly what it installed.
#   sh install.sh [--prefix DIR] [--uninstall]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
action=install
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

# Every file, as a path under the prefix; the tarball holds the same paths under its own folder.
files="bin/elevenlabs bin/elevenlabs-sandbox share/man/man1/elevenlabs.1 share/man/man1/elevenlabs-sandbox.1
share/bash-completion/completions/elevenlabs share/zsh/site-functions/_elevenlabs
share/fish/vendor_completions.d/elevenlabs.fish"

if [ "$action" = uninstall ]; then
    for f in $files; do
        if [ -e "$prefix/$f" ]; then rm -f "$prefix/$f" && echo "removed $prefix/$f"; fi
    done
    exit 0
fi

for f in $files; do
    mode=644
    case "$f" in bin/*) mode=755 ;; esac
    mkdir -p "$prefix/$(dirname "$f")"
    # Through a temporary name and a rename, so a running copy is never overwritten in place.
    cp "$here/$f" "$prefix/$f.new.$$"
    chmod "$mode" "$prefix/$f.new.$$"
    mv -f "$prefix/$f.new.$$" "$prefix/$f"
    echo "installed $prefix/$f"
done

# What the binary needs at run time: libcurl (HTTP, loaded when first needed); libmpg123 and
# libasound only to play.
if command -v ldd >/dev/null 2>&1 && ldd "$prefix/bin/elevenlabs" 2>/dev/null | grep -q "not found"; then
    echo "install.sh: warning: libraries missing for elevenlabs:" >&2
    ldd "$prefix/bin/elevenlabs" | grep "not found" >&2
    echo "install.sh: on Debian or Ubuntu: install the packages that provide them" >&2
fi
# libcurl is loaded when the service is first reached, not at start, so ldd does not list it.
if command -v ldconfig >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q "libcurl.so.4 "; then
    echo "install.sh: warning: libcurl.so.4 is missing, so elevenlabs cannot reach the service" >&2
    echo "install.sh: on Debian or Ubuntu: sudo apt-get install libcurl4" >&2
fi
for lib in libmpg123.so.0:libmpg123-0 libasound.so.2:libasound2; do
    if command -v ldconfig >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q "${lib%%:*}"; then
        echo "install.sh: note: ${lib%%:*} is missing, so elevenlabs can write audio files but not play them (apt-get install ${lib#*:})" >&2
    fi
done
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: note: add $prefix/bin to your PATH" >&2 ;; esac
if [ "$prefix" != /usr/local ] && [ "$prefix" != /usr ]; then
    echo "install.sh: note: for zsh completion, add $prefix/share/zsh/site-functions to fpath before compinit" >&2
fi
