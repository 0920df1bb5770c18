#!/usr/bin/env bash
# End-to-end tests of what the CLI says to a user who gets something wrong: the closest name
# for a typo, a hint where the usual mistake is known, and a man page that lists every option.
# Usage: guidance_test.sh SYSGATE_BINARY SOURCE_DIR
set -uo pipefail
sg=$1
src=$2
source "$(dirname "$0")/lib.sh"
make_scratch

# A typo of a subcommand, a syscall, a profile, a group.
expect "command typo"       2 "unknown command 'chek'; did you mean 'check'?" -- "$sg" chek
expect "command unknown"    2 "unknown command 'frobnicate' (sysgate --help lists" -- "$sg" frobnicate
printf 'default errno(EPERM)\nallow read\n' > "$tmp/web.sgp"
expect "check syscall typo" 1 "unknown syscall 'opneat'; did you mean 'openat'?" -- "$sg" check "$tmp/web.sgp" opneat
expect "check not on arch"  1 "open does not exist on aarch64" -- "$sg" check --arch aarch64 "$tmp/web.sgp" open
expect "profile typo"       125 "no built-in profile 'strcit'; did you mean 'strict'? (profiles: default, strict)" \
                                        -- "$sg" run --profile strcit -- true
expect_line "profile typo: one line" 0 "1" -- bash -c "'$sg' run --profile strcit -- true 2>&1 | wc -l"
expect "print profile typo" 2 "did you mean 'strict'?" -- "$sg" run --profile strcit --print
expect "lint profile typo"  2 "did you mean 'strict'?" -- "$sg" lint --profile strcit

# Options after the program belong to it: `run ls -l` needs a `--`.
expect "run without --"     2 "put -- before it (sysgate run [OPTIONS] -- PROGRAM [ARG...])" -- "$sg" run ls -l
expect "learn without --"   2 "put -- before it (sysgate learn" -- "$sg" learn -o "$tmp/x.sgp" ls -l
expect_without "no hint for a bad option" 2 "hint" -- "$sg" validate --frob "$tmp/web.sgp"

# --strict (unknown names are errors) is --strict-names now; `run --strict` without a policy
# file meant the strict profile.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["nosuchcall"], "action": "SCMP_ACT_ERRNO"}]}\n' > "$tmp/unknown.json"
expect "strict-names"       1 "nosuchcall" -- "$sg" validate --strict-names "$tmp/unknown.json"
expect "not strict"         0 "ok" -- "$sg" validate "$tmp/unknown.json"
expect "--strict deprecated" 1 "warning: --strict is deprecated: say --strict-names" -- "$sg" validate --strict "$tmp/unknown.json"
expect "run --strict"       2 "for the strict built-in profile, say --profile strict" -- "$sg" run --strict -- true

# The agent says it listens only once it does.
expect_without "agent: no listening before the error" 1 "listening" -- "$sg" agent --socket /nonexistent/x
expect "agent: the error"   1 "/nonexistent/x" -- "$sg" agent --socket /nonexistent/x

# The man page lists every option `sysgate run` has (in its synopsis, or among the options
# every command that reads a policy shares), so that the two cannot drift apart.
man="$src/docs/sysgate.1"
expect "man page: every run option" 0 "all documented" -- "$py" - "$man" <<'PY' "$("$sg" run --help)"
import re, sys
man = open(sys.argv[1]).read().replace(r"\-", "-")
help_text = sys.argv[2]
synopsis = re.search(r"^\.B sysgate run\n(.*?)^\.br$", man, re.S | re.M).group(1)
options = re.search(r"^\.SH OPTIONS\n(.*?)^\.SH ", man, re.S | re.M).group(1)
names = []
for line in help_text.splitlines():
    m = re.match(r"\s+(-[^ ]+)", line)
    if not m: continue
    names.append(m.group(1).split(","))
names = [forms for forms in names if "--help" not in forms]
documented = lambda form: re.search(re.escape(form) + r"(?![\w-])", synopsis + options)
missing = [forms[-1] for forms in names if not any(documented(f) for f in forms)]
print("missing from the man page:", missing if missing else "none; all documented")
sys.exit(1 if missing or len(names) < 20 else 0)
PY

# Shell completion, made from the CLI's own options.
"$sg" completion bash > "$tmp/sysgate.bash"
complete_words() {  # complete_words WORD...: what bash completes for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sysgate; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$tmp/sysgate.bash" "$@"
}
expect "bash: a subcommand"     0 "check" -- complete_words sysgate ch
expect "bash: completion itself" 0 "completion" -- complete_words sysgate co
expect "bash: and convert"      0 "convert" -- complete_words sysgate co
expect "help lists completion"  0 "completion" -- "$sg" --help
expect "bash: an option"        0 "--allow" -- complete_words sysgate run --al
expect "bash: a short option"   0 "--no-new-session" -- complete_words sysgate run -p x.sgp --no-new
expect "bash: profile names"    0 "strict" -- complete_words sysgate run --profile st
expect "bash: arch names"       0 "aarch64" -- complete_words sysgate check --arch aa
expect "bash: the program"      0 "truncate" -- complete_words sysgate run --profile strict -- trun
expect "bash: not a deprecated spelling" 0 "" -- test "$(complete_words sysgate validate --stric)" = --strict-names
expect "bash: no option, files" 0 "sysgate.bash" -- complete_words sysgate validate "$tmp/sysgate.b"
expect "completion: bad shell"  2 "" -- "$sg" completion fish
if command -v zsh > /dev/null; then
  "$sg" completion zsh > "$tmp/_sysgate"
  expect "zsh: parses"          0 "" -- zsh -n "$tmp/_sysgate"
  # Loaded by compinit as a completion function, it defines _sysgate, and it knows run's options.
  mkdir -p "$tmp/zfunc" && cp "$tmp/_sysgate" "$tmp/zfunc/"
  expect "zsh: loads"           0 "_sysgate: function" -- zsh -f -c "fpath=('$tmp/zfunc' \$fpath); autoload -U compinit; compinit -u -D; autoload -Uz _sysgate; source '$tmp/_sysgate'; whence -w _sysgate"
  expect "zsh: run's options"   0 "--report-access" -- cat "$tmp/_sysgate"
else
  skip_part "zsh is not installed; its completion script is not checked"
fi

finish
