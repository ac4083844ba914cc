# bash completion for elevenlabs. Generated from the option table; do not edit.
# Names, ids and devices come from `elevenlabs __complete KIND`: voices and models from the local
# cache (fetched once when missing), history ids from one page of history, all with short timeouts.
# Each value is quoted as it is inserted, so a voice named "My Narrator" stays one argument.
_elevenlabs_values() {
    local line word typed="$cur" quoted=""
    case "$typed" in \"*|\'*) quoted=1; typed="${typed:1}" ;; esac
    typed="${typed//\\/}"
    COMPREPLY=()
    while IFS= read -r line; do
        word="${line%%$'\t'*}"
        [[ "${word,,}" == "${typed,,}"* ]] || continue
        # Inside an open quote readline inserts the text as it is; outside, it must be escaped.
        if [[ -n "$quoted" ]]; then COMPREPLY+=("$word"); else COMPREPLY+=("$(printf '%q' "$word")"); fi
    done < <(command elevenlabs __complete "$1" 2>/dev/null)
}
_elevenlabs() {
    local cur prev cmd verb i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd=""
    verb=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ -z "$cmd" ]]; then
            case "${COMP_WORDS[i]}" in speak|models|user|voices|clone|history|dictionaries|config|cache|version|completion) cmd="${COMP_WORDS[i]}" ;; esac
        elif [[ -z "$verb" && "${COMP_WORDS[i]}" != -* ]]; then
            verb="${COMP_WORDS[i]}"
        fi
    done
    case "$prev" in
        --api-key-file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --base-url) return ;;
        --connect-timeout) return ;;
        --first-byte-timeout) return ;;
        --stall-timeout) return ;;
        --retries) return ;;
        --cacert) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --voice|-v) _elevenlabs_values voices; return ;;
        --model|-m) _elevenlabs_values models; return ;;
        --file|-f) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --output|-o) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --format) COMPREPLY=($(compgen -W "mp3_22050_32 mp3_24000_48 mp3_44100_32 mp3_44100_64 mp3_44100_96 mp3_44100_128 mp3_44100_192 pcm_8000 pcm_16000 pcm_22050 pcm_24000 pcm_32000 pcm_44100 pcm_48000 ulaw_8000 alaw_8000 opus_48000_32 opus_48000_64 opus_48000_96 opus_48000_128 opus_48000_192 wav_8000 wav_16000 wav_22050 wav_24000 wav_32000 wav_44100 wav_48000" -- "$cur")); return ;;
        --device|-a) _elevenlabs_values devices; return ;;
        --stability) return ;;
        --similarity-boost) return ;;
        --style) return ;;
        --speed) return ;;
        --rate|-r) return ;;
        --language) return ;;
        --dict) return ;;
        --seed) return ;;
        --text-normalization) COMPREPLY=($(compgen -W "auto on off" -- "$cur")); return ;;
        --out-dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
        --jobs|-j) return ;;
        --cast) return ;;
        --captions) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --input-format) COMPREPLY=($(compgen -W "md html epub text" -- "$cur")); return ;;
        --chapter-level) return ;;
        --author) return ;;
        --cover) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --search) return ;;
        --gender) return ;;
        --accent) return ;;
        --age) return ;;
        --label) return ;;
        --description) return ;;
        --name) return ;;
        --limit) return ;;
        --after) return ;;
        --before) return ;;
        --category) COMPREPLY=($(compgen -W "premade cloned generated professional" -- "$cur")); return ;;
    esac
    if [[ "$cur" != -* ]]; then
        case "$cmd $verb" in
            "config set") case "$prev" in voice) _elevenlabs_values voices; return ;; model) _elevenlabs_values models; return ;; format) _elevenlabs_values formats; return ;; device) _elevenlabs_values devices; return ;; set) _elevenlabs_values settings; return ;; esac; return ;;
            "voices show"|"voices settings"|"voices delete"|"voices preview") _elevenlabs_values voices; return ;;
            "clone edit") _elevenlabs_values voices; return ;;
            "history show"|"history play"|"history save"|"history delete") _elevenlabs_values history; return ;;
            "config set"|"config unset") _elevenlabs_values settings; return ;;
            "voices ") COMPREPLY=($(compgen -W "list search show settings delete preview" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            "clone ") COMPREPLY=($(compgen -W "edit" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            "history ") COMPREPLY=($(compgen -W "list search show play save download delete" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            "dictionaries ") COMPREPLY=($(compgen -W "list show add" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            "config ") COMPREPLY=($(compgen -W "show set unset path" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            "cache ") COMPREPLY=($(compgen -W "info clear path" -- "$cur")); [[ ${#COMPREPLY[@]} -gt 0 ]] && return ;;
            " ") COMPREPLY=($(compgen -W "speak models user voices clone history dictionaries config cache version completion help" -- "$cur")); return ;;
        esac
        return
    fi
    case "$cmd" in
        speak) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --voice --model --file --output --format --play --device --stability --similarity-boost --style --speaker-boost --no-speaker-boost --speed --rate --language --dict --seed --text-normalization --out-dir --create-dirs --each-line --jobs --force --dry-run --dialogue --cast --yes --progress --captions --highlight --no-cache --cache-info --clear-cache --live --no-live --metrics --input-format --chapter-level --read-code --split-chapters --author --cover -h -V -q -v -m -f -o -a -r -j -y -i" -- "$cur")) ;;
        models) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        user) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        voices) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --output --device --stability --similarity-boost --style --speaker-boost --no-speaker-boost --speed --language --create-dirs --yes --search --gender --accent --age --category -h -V -q -o -a -y" -- "$cur")) ;;
        clone) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --label --description --allow-duplicate --remove-background-noise --name -h -V -q" -- "$cur")) ;;
        history) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --voice --model --output --device --out-dir --create-dirs --yes --search --clobber --limit --after --before -h -V -q -v -m -o -a -y" -- "$cur")) ;;
        dictionaries) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --description --name -h -V -q" -- "$cur")) ;;
        config) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        cache) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        version) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        completion) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --voice --model --file --output --format --play --device --stability --similarity-boost --style --speaker-boost --no-speaker-boost --speed --rate --language --dict --seed --text-normalization --out-dir --create-dirs --each-line --jobs --force --dry-run --dialogue --cast --yes --progress --captions --highlight --no-cache --cache-info --clear-cache --live --no-live --metrics --input-format --chapter-level --read-code --split-chapters --author --cover -h -V -q -v -m -f -o -a -r -j -y -i" -- "$cur")) ;;
    esac
}
complete -o default -F _elevenlabs elevenlabs
