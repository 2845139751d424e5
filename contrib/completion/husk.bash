# bash completion for husk.  Installed as
# $(datadir)/bash-completion/completions/husk; or: source contrib/completion/husk.bash
#
# Commands and options are read from husk's own --help, so they cannot drift from the
# binary; container ids come from "husk list -q" under the --root given on the line.

_husk_options() { # husk [CMD] --help -> its long and short options
	"$1" ${2:+"$2"} --help 2>/dev/null | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '-(-[a-z-]+|[a-zA-Z])'
}

_husk() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local husk=${COMP_WORDS[0]} cmd="" root=() i w
	local global_with_value='--root|--log|--log-format|--log-level|--cgroup-manager|--rootless|--criu'

	# The command is the first word that is not a global option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --root ]]; then root=(--root "${COMP_WORDS[i+1]}"); fi
		if [[ $w == --root=* ]]; then root=("$w"); fi
		if [[ $w == -* ]]; then
			[[ $w =~ ^($global_with_value)$ ]] && ((i++))
			continue
		fi
		cmd=$w
		break
	done

	if [[ -z $cmd ]]; then
		case $prev in
		--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")); return ;;
		--rootless) COMPREPLY=($(compgen -W "true false auto" -- "$cur")); return ;;
		--root|--log|--criu) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_husk_options "$husk")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$husk" --help 2>/dev/null |
				sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')" -- "$cur"))
		fi
		return
	fi

	case $prev in
	-b|--bundle|--cwd) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--config|--pid-file|--console-socket|-p|--process|-r|--resources) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format|-f) COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_husk_options "$husk" "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	spec|features|list) ;;
	create|run) ;; # a new id: nothing to offer
	kill)
		# The id first, then a signal.
		local n=0
		for ((i = i + 1; i < COMP_CWORD; i++)); do [[ ${COMP_WORDS[i]} == -* ]] || ((n++)); done
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "$("$husk" "${root[@]}" list -q 2>/dev/null)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT" -- "$cur"))
		fi
		;;
	*) COMPREPLY=($(compgen -W "$("$husk" "${root[@]}" list -q 2>/dev/null)" -- "$cur")) ;;
	esac
}
complete -F _husk husk
