#!/bin/sh
# Installs (or with --uninstall removes) elevenlabs: the release binaries, the man page, and the
# bash, zsh and fish completions, each where its tools look for it.
#   sh completions/install.sh [--prefix /usr/local] [--destdir STAGING] [--build-dir .build/release] [--uninstall]
set -eu

prefix=/usr/local
destdir=
action=install
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/.build/release"

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=$2; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --build-dir) build=$2; shift 2 ;;
        --build-dir=*) build=${1#*=}; shift ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

base="$destdir$prefix"
files="bin/elevenlabs bin/elevenlabs-sandbox share/man/man1/elevenlabs.1
share/bash-completion/completions/elevenlabs share/zsh/site-functions/_elevenlabs
share/fish/vendor_completions.d/elevenlabs.fish"

if [ "$action" = uninstall ]; then
    for f in $files; do
        if [ -e "$base/$f" ]; then rm -f "$base/$f" && echo "removed $base/$f"; fi
    done
    exit 0
fi

for b in elevenlabs elevenlabs-sandbox; do
    if [ ! -x "$build/$b" ]; then
        echo "install.sh: $build/$b is missing; build it first: swift build -c release --static-swift-stdlib" >&2
        exit 3
    fi
done

put() { # mode source target
    mkdir -p "$(dirname "$3")"
    cp "$2" "$3.tmp.$$" && chmod "$1" "$3.tmp.$$" && mv -f "$3.tmp.$$" "$3"
    echo "installed $3"
}
put 755 "$build/elevenlabs" "$base/bin/elevenlabs"
put 755 "$build/elevenlabs-sandbox" "$base/bin/elevenlabs-sandbox"
put 644 "$root/man/elevenlabs.1" "$base/share/man/man1/elevenlabs.1"
put 644 "$root/completions/elevenlabs.bash" "$base/share/bash-completion/completions/elevenlabs"
put 644 "$root/completions/_elevenlabs" "$base/share/zsh/site-functions/_elevenlabs"
put 644 "$root/completions/elevenlabs.fish" "$base/share/fish/vendor_completions.d/elevenlabs.fish"
