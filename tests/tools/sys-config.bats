#!/usr/bin/env bats
# sys-config (box config): box's settings in $BOX_ROOT/settings, shown,
# set, checked and unset; userns-remap default makes boxremap as dockerd
# makes dockremap.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	MADE_BOXREMAP=
}

teardown () {
	[[ -z $MADE_BOXREMAP ]] || userdel boxremap 2>/dev/null || true
	box_teardown
}

@test "settings shown, set, read back and unset" {
	run -0 sys-config
	[[ $output == "userns-remap=" ]]
	run -0 sys-config userns-remap root
	[[ -z $output ]]
	[[ $(cat "$BOX_ROOT/settings") == "userns-remap=root" ]]
	run -0 sys-config userns-remap
	[[ $output == root ]]
	run -0 sys-config
	[[ $output == "userns-remap=root" ]]
	run -0 sys-config userns-remap nobody:nogroup
	[[ $(cat "$BOX_ROOT/settings") == "userns-remap=nobody:nogroup" ]]
	run -0 sys-config --unset userns-remap
	run -0 sys-config userns-remap
	[[ -z $output ]]
	[[ ! -s $BOX_ROOT/settings ]]
	run -0 sys-config userns-remap root
	run -0 sys-config userns-remap ''
	[[ ! -s $BOX_ROOT/settings ]]
}

@test "unknown keys, users and groups are refused, the settings kept" {
	run -0 sys-config userns-remap root
	run --separate-stderr -2 sys-config userns-rmap default
	[[ $stderr == "sys-config: unknown setting: userns-rmap (known: userns-remap)" ]]
	run --separate-stderr -2 sys-config userns-remap no-such-user-x
	[[ $stderr == "sys-config: userns-remap no-such-user-x: no such user: no-such-user-x" ]]
	run --separate-stderr -2 sys-config userns-remap root:no-such-group-x
	[[ $stderr == "sys-config: userns-remap root:no-such-group-x: no such group: no-such-group-x" ]]
	run --separate-stderr -2 sys-config userns-remap root:
	[[ $stderr == "sys-config: userns-remap root:: not USER[:GROUP]" ]]
	run --separate-stderr -2 sys-config a b c
	[[ $stderr == "usage: sys-config [--root DIR] [KEY [VALUE] | --unset KEY]" ]]
	[[ $(cat "$BOX_ROOT/settings") == "userns-remap=root" ]]
}

@test "userns-remap default: boxremap and its ranges, after the highest range, made once" {
	getent passwd boxremap >/dev/null || MADE_BOXREMAP=1
	run -0 sys-config userns-remap default
	[[ $(sys-config userns-remap) == default ]]
	run -0 getent passwd boxremap
	# a system user, no login
	IFS=: read -r _ _ uid _ _ _ shell <<<"$output"
	((uid < 1000)) && [[ $shell == /bin/false ]]
	run -0 grep -c '^boxremap:' /etc/subuid
	[[ $output == 1 ]]
	line=$(grep '^boxremap:' /etc/subuid)
	[[ ${line##*:} == 65536 ]]
	[[ $(grep '^boxremap:' /etc/subgid) == "$line" ]]
	if [[ -n $MADE_BOXREMAP ]]; then
		# after every range the files held before it
		start=${line#boxremap:}
		start=${start%%:*}
		while IFS=: read -r owner s n; do
			[[ $owner == boxremap ]] || ((s + n <= start))
		done </etc/subuid
	fi
	# made once: a second time adds nothing
	run -0 sys-config userns-remap default
	[[ $(grep -c '^boxremap:' /etc/subuid) == 1 ]]
}

@test "info's SecurityOptions say name=userns while containers are remapped, as dockerd's" {
	run -0 sys-info info --format '{{.SecurityOptions}}'
	[[ $output == "[name=seccomp,profile=default]" || $output == "[name=seccomp,profile=default name=cgroupns]" ]]
	base=$output
	run -0 sys-config userns-remap root
	run -0 sys-info info --format '{{.SecurityOptions}}'
	[[ $output == "${base/default/default name=userns}" ]]
	run -0 box info
	[[ $output == *$'\n Security Options:\n  seccomp\n   Profile: default\n  userns\n'* ]]
	run -0 sys-config --unset userns-remap
	BOX_USERNS_REMAP=default run -0 sys-info info --format '{{.SecurityOptions}}'
	[[ $output == "${base/default/default name=userns}" ]]
	# set empty: no remap, whatever the setting says
	run -0 sys-config userns-remap root
	BOX_USERNS_REMAP= run -0 sys-info info --format '{{.SecurityOptions}}'
	[[ $output == "$base" ]]
}
