# bash completion for elevenlabs. Generated from the option table; do not edit.
# Voice and model names come from the local cache: Tab never makes a network call.
_elevenlabs() {
    local cur prev cmd i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            speak|models|user|voices|clone|history|config|version|completion) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$prev" in
        --api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --base-url) return ;;
        --connect-timeout) return ;;
        --first-byte-timeout) return ;;
        --stall-timeout) return ;;
        --retries) return ;;
        --cacert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --voice|-v) local IFS=$'\n'; COMPREPLY=($(compgen -W "$(cat "${XDG_CACHE_HOME:-$HOME/.cache}"/elevenlabs/voices-*.json 2>/dev/null | grep -o '"name":"[^"]*"' | sed 's/"name":"//;s/ - .*//;s/"$//' | sort -u)" -- "$cur")); return ;;
        --model|-m) COMPREPLY=($(compgen -W "$(cat "${XDG_CACHE_HOME:-$HOME/.cache}"/elevenlabs/models-*.json 2>/dev/null | grep -o '"model_id":"[^"]*"' | sed 's/"model_id":"//;s/"$//' | sort -u)" -- "$cur")); return ;;
        --file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --output|-o) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "mp3_22050_32 mp3_24000_48 mp3_44100_32 mp3_44100_64 mp3_44100_96 mp3_44100_128 mp3_44100_192 pcm_8000 pcm_16000 pcm_22050 pcm_24000 pcm_32000 pcm_44100 pcm_48000 ulaw_8000 alaw_8000 opus_48000_32 opus_48000_64 opus_48000_96 opus_48000_128 opus_48000_192 wav_8000 wav_16000 wav_22050 wav_24000 wav_32000 wav_44100 wav_48000" -- "$cur")); return ;;
        --device|-a) COMPREPLY=($(compgen -W "$(elevenlabs speak --device '?' 2>/dev/null | tail -n +2 | cut -d' ' -f1)" -- "$cur")); return ;;
        --stability) return ;;
        --similarity-boost) return ;;
        --style) return ;;
        --speed) return ;;
        --rate|-r) return ;;
        --language) return ;;
        --seed) return ;;
        --text-normalization) COMPREPLY=($(compgen -W "auto on off" -- "$cur")); return ;;
        --out-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --jobs|-j) return ;;
        --captions) return ;;
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
    case "$cmd" in
        speak) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --voice --model --file --output --format --play --device --stability --similarity-boost --style --speaker-boost --no-speaker-boost --speed --rate --language --seed --text-normalization --out-dir --each-line --jobs --force --dry-run --yes --progress --captions --highlight --no-cache --cache-info --clear-cache --live --no-live --metrics -h -V -q -v -m -f -o -a -r -j -y -i" -- "$cur")) ;;
        models) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        user) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        voices) COMPREPLY=($(compgen -W "show settings delete preview --help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --output --device --stability --similarity-boost --style --speaker-boost --no-speaker-boost --speed --language --yes --search --gender --accent --age --category -h -V -q -o -a -y" -- "$cur")) ;;
        clone) COMPREPLY=($(compgen -W "edit --help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --label --description --remove-background-noise --name -h -V -q" -- "$cur")) ;;
        history) COMPREPLY=($(compgen -W "show play save download delete --help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert --voice --model --output --device --out-dir --yes --search --limit --after --before -h -V -q -v -m -o -a -y" -- "$cur")) ;;
        config) COMPREPLY=($(compgen -W "show set unset path --help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        version) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        completion) COMPREPLY=($(compgen -W "--help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "speak models user voices clone history config version completion help --help --version --api-key-file --base-url --json --verbose --quiet --connect-timeout --first-byte-timeout --stall-timeout --retries --cacert -h -V -q" -- "$cur")) ;;
    esac
}
complete -o default -F _elevenlabs elevenlabs
