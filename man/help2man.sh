#!/bin/sh
# help2man.sh HUSK CMD - the man page of "husk CMD", made from its --help, so that
# the two can never disagree.
set -eu
husk=$1 cmd=$2
help=$("$husk" "$cmd" --help)
# The first sentence of the paragraph after the usage line.
summary=$(printf '%s\n' "$help" | awk 'NR >= 3 && /^$/ { exit } NR >= 3 { printf "%s ", $0 }' |
	sed 's/\. .*//; s/ *$//; s/\.$//')
cat <<MAN
.TH HUSK-$(echo "$cmd" | tr a-z A-Z) 1 "2026-11" "husk" "User Commands"
.SH NAME
husk-$cmd \\- $summary
.SH DESCRIPTION
.nf
$(printf '%s\n' "$help" | sed 's/\\/\\\\/g; s/^\./\\\&./; s/^'"'"'/\\\&'"'"'/')
.fi
.SH SEE ALSO
.BR husk (1)
MAN
