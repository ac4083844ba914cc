#!/bin/bash
# Really completes in an interactive shell: starts SHELL in a tmux pane (its own server socket),
# loads the completion script, and for each LINE types it, presses Tab, and prints the prompt line
# as the shell then shows it (one output line per LINE). "@type TEXT" types TEXT after what is on
# the line, "@enter" runs the line, and "@run COMMAND" runs COMMAND on a line of its own; none
# prints anything.
# usage: complete_in_shell.sh bash|zsh|fish COMPLETION-FILE LINE...
set -u
shell=$1 file=$2; shift 2
sock=elevenlabs-complete-$$
t() { tmux -L "$sock" -f /dev/null "$@"; }
case $shell in
    bash) start="bash --norc --noprofile -i"; setup="PS1='$ '; source $file" ;;
    zsh) start="zsh -f -i"; setup="PS1='$ '; fpath=($(dirname "$file") \$fpath); autoload -Uz compinit; compinit -u -d $(dirname "$file")/zcompdump" ;;
    fish) start="fish --no-config -i"; setup="source $file; function fish_prompt; echo -n '$ '; end" ;;
esac
t new-session -d -s s -x 200 -y 50 "$start" </dev/null >/dev/null 2>&1
server=$(t display-message -p '#{pid}') pane=$(t display-message -p -t s '#{pane_pid}')
# Signals ignored by whoever started us stay ignored in the server and the shell (a test runner may
# ignore SIGHUP), so kill-server alone can leave both running: they are killed outright.
trap 'kill -KILL $pane 2>/dev/null; t kill-server 2>/dev/null; kill -KILL $server 2>/dev/null' EXIT
# Set up, then wait until the shell has really done it: a fresh machine's first compinit can take
# seconds, and keys typed before then would be completed by a shell with no completion loaded.
t send-keys -t s "$setup; echo elevenlabs-ready-\"42\"" Enter
for i in $(seq 1 240); do
    sleep 0.25
    t capture-pane -p -t s | grep -qx 'elevenlabs-ready-42' && break
done
t send-keys -t s C-l
sleep 0.3
# The prompt line once Tab has changed it and it has stopped changing (completion runs the binary,
# which under load can take a while); after 15 s, whatever it shows.
settle() {
    local typed="\$ $1" last="" now i
    typed="${typed%"${typed##*[! ]}"}"
    for i in $(seq 1 60); do
        sleep 0.25
        now=$(t capture-pane -p -t s | grep '^\$ ' | tail -n 1)
        now="${now%"${now##*[! ]}"}"
        [[ "$now" != "$typed" && "$now" == "$last" ]] && break
        last=$now
    done
    # A line for every LINE even when no prompt was found, so answers never shift onto other cases.
    printf '%s\n' "${now:-(no prompt)}"
}
for line in "$@"; do
    if [[ $line == @enter ]]; then
        # Until the command has ended: an empty prompt is back (at most 30 s).
        t send-keys -t s Enter
        for i in $(seq 1 120); do
            sleep 0.25
            [[ "$(t capture-pane -p -t s | grep '^\$' | tail -n 1)" =~ ^\$\ *$ ]] && break
        done
        continue
    fi
    if [[ $line == "@type "* ]]; then t send-keys -t s -l "${line#@type }"; continue; fi
    if [[ $line == "@run "* ]]; then
        t send-keys -t s C-u
        t send-keys -t s -l "${line#@run }"
        t send-keys -t s Enter C-l
        sleep 0.5
        continue
    fi
    t send-keys -t s C-u
    t send-keys -t s -l "$line"
    sleep 0.3
    t send-keys -t s Tab
    settle "$line"
done
