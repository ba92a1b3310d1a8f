#!/usr/bin/env bats
# Health checks (docker run --health-*, an image's HEALTHCHECK): Config.Healthcheck
# as Docker stores it, the checks run by the -d supervisor through ctr-exec,
# State.Health in inspect, "(healthy)" in ps, ps --filter health=.
# No timed assertion: short intervals, and a bounded wait for each state.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

# health NAME: State.Health.Status ("null" without one)
health () { box inspect "$1" | jq -r '.[0].State.Health.Status'; }

# health_wait NAME STATUS [JQ]: until the status is STATUS (and JQ, a test
# of State.Health, holds), 20 s at most
health_wait () {
	local _t
	for _t in $(seq 200); do
		[[ $(box inspect "$1" | jq -r --arg s "$2" ".[0].State.Health | .Status == \$s and (${3:-true})") == true ]] &&
			return 0
		sleep 0.1
	done
	box inspect "$1" | jq '.[0].State.Health' >&2
	return 1
}

@test "create: the flags as Docker's Config.Healthcheck; --no-healthcheck; none without" {
	box create --name ha --network none --health-cmd 'curl -f localhost' --health-interval 1m30s --health-timeout 500ms \
		--health-start-period 2s --health-start-interval 100ms --health-retries 4 small >/dev/null
	run -0 box inspect ha
	[[ $(jq -c '.[0].Config.Healthcheck' <<<"$output") == \
		'{"Test":["CMD-SHELL","curl -f localhost"],"Interval":90000000000,"Timeout":500000000,"StartPeriod":2000000000,"StartInterval":100000000,"Retries":4}' ]]
	# unset fields are left out, as Go's omitempty
	box create --name hb --network none --health-interval 2s small >/dev/null
	[[ $(box inspect hb | jq -c '.[0].Config.Healthcheck') == '{"Interval":2000000000}' ]]
	box create --name hc1 --network none --no-healthcheck small >/dev/null
	[[ $(box inspect hc1 | jq -c '.[0].Config.Healthcheck') == '{"Test":["NONE"]}' ]]
	box create --name hd --network none small >/dev/null
	[[ $(box inspect hd | jq -c '.[0].Config | has("Healthcheck")') == false ]]
	# never started: no State.Health
	[[ $(box inspect ha | jq -c '.[0].State | has("Health")') == false ]]
}

@test "create: bad health flags are refused with Docker's words, nothing made" {
	run --separate-stderr -125 box create --health-interval 5x small
	[[ $stderr == *'invalid argument "5x" for "--health-interval" flag: time: invalid duration "5x"'$'\nSee \'box create --help\'.' ]]
	run --separate-stderr -125 box create --health-retries x small
	[[ $stderr == *'invalid argument "x" for "--health-retries" flag: strconv.ParseInt: parsing "x": invalid syntax'$'\nSee \'box create --help\'.' ]]
	run --separate-stderr -125 box create --no-healthcheck --health-cmd true small
	[[ $stderr == *"--no-healthcheck conflicts with --health-* options."$'\nSee \'box create --help\'.' ]]
	run --separate-stderr -125 box create --health-timeout -1s small
	[[ $stderr == *"--health-timeout cannot be negative."$'\nSee \'box create --help\'.' ]]
	run --separate-stderr -125 box create --health-retries -1 small
	[[ $stderr == *"--health-retries cannot be negative."$'\nSee \'box create --help\'.' ]]
	# the daemon's check: docker create gives its error as it is, exit 1
	run --separate-stderr -1 box create --health-interval 10us small
	[[ $stderr == "Error response from daemon: Interval in Healthcheck cannot be less than 1ms" ]]
	run -0 box ps -aq
	[[ -z $output ]]
}

@test "create: an image's HEALTHCHECK, each field a flag sets overriding it (moby's merge)" {
	df-build -q -t hc - <<<$'FROM small\nHEALTHCHECK --interval=3s --retries=2 CMD ["true", "x"]' >/dev/null
	box create --name ha --network none hc >/dev/null
	[[ $(box inspect ha | jq -c '.[0].Config.Healthcheck') == '{"Test":["CMD","true","x"],"Interval":3000000000,"Retries":2}' ]]
	box create --name hb --network none --health-retries 5 --health-timeout 1s hc >/dev/null
	[[ $(box inspect hb | jq -c '.[0].Config.Healthcheck') == '{"Test":["CMD","true","x"],"Interval":3000000000,"Timeout":1000000000,"Retries":5}' ]]
	box create --name hc1 --network none --health-cmd 'exit 0' hc >/dev/null
	[[ $(box inspect hc1 | jq -c '.[0].Config.Healthcheck.Test') == '["CMD-SHELL","exit 0"]' ]]
	box create --name hd --network none --no-healthcheck hc >/dev/null
	[[ $(box inspect hd | jq -c '.[0].Config.Healthcheck') == '{"Test":["NONE"]}' ]]
}

@test "a passing check: healthy, its results in State.Health.Log, (healthy) in ps" {
	box run -d --name ok --network none --health-cmd 'echo hi; echo err >&2' --health-interval 100ms small sleep 60 >/dev/null
	health_wait ok healthy '(.Log | length) >= 2'
	run -0 box inspect ok
	jq -e '.[0].State.Health | .FailingStreak == 0 and all(.Log[]; .ExitCode == 0 and .Output == "hi\nerr\n")' <<<"$output"
	# Start and End are RFC 3339 times, End after Start
	jq -e '.[0].State.Health.Log[0] | (.Start | test("^20[0-9-]+T[0-9:.]+Z$")) and .End >= .Start' <<<"$output"
	run -0 box ps --format '{{.Names}} {{.Status}}'
	[[ $output == "ok Up "*" (healthy)" ]]
}

@test "a failing check: unhealthy after --health-retries failures in a row" {
	box run -d --name bad --network none --health-cmd 'echo no; exit 3' --health-interval 100ms --health-retries 2 \
		small sleep 60 >/dev/null
	health_wait bad unhealthy
	run -0 box inspect bad
	jq -e '.[0].State.Health | .FailingStreak >= 2 and .Log[-1].ExitCode == 3 and .Log[-1].Output == "no\n"' <<<"$output"
	run -0 box ps --format '{{.Status}}'
	[[ $output == "Up "*" (unhealthy)" ]]
}

@test "a check in exec form (CMD) runs without a shell, as the container's user and env" {
	df-build -q -t hc - <<<$'FROM small\nUSER app\nHEALTHCHECK --interval=100ms CMD ["sh", "-c", "echo $FOO $(id -u)"]' >/dev/null
	box run -d --name he --network none hc sleep 60 >/dev/null
	health_wait he healthy
	[[ $(box inspect he | jq -r '.[0].State.Health.Log[0].Output') == "bar 1000" ]]
	# a command that cannot run is a failure
	box run -d --name nf --network none --health-cmd 'nope-not-here' --health-interval 100ms --health-retries 1 \
		small sleep 60 >/dev/null
	health_wait nf unhealthy
	[[ $(box inspect nf | jq -r '.[0].State.Health.Log[0].ExitCode') == 127 ]]
}

@test "a check past --health-timeout is killed: exit -1, Docker's words" {
	box run -d --name slow --network none --health-cmd 'sleep 30' --health-interval 100ms --health-timeout 200ms \
		--health-retries 1 small sleep 60 >/dev/null
	health_wait slow unhealthy '(.Log | length) >= 3'
	run -0 box inspect slow
	jq -e '.[0].State.Health.Log[0] | .ExitCode == -1 and .Output == "Health check exceeded timeout (200ms)"' <<<"$output"
	# each check's process went with it: one sleep 30 at most, the current check's
	run -0 box exec slow ps -o args
	(( $(grep -c "sleep 30" <<<"$output") <= 1 ))
}

@test "the output is cut at 4096 bytes with '...'; the log keeps the last 5 results" {
	box run -d --name big --network none --health-cmd 'head -c 5000 /dev/zero | tr "\0" a; exit 1' \
		--health-interval 50ms --health-retries 100 small sleep 60 >/dev/null
	health_wait big starting '.FailingStreak >= 7'
	run -0 box inspect big
	jq -e '.[0].State.Health.Log | length == 5' <<<"$output"
	jq -e '.[0].State.Health.Log[0].Output | length == 4099 and endswith("aaa...")' <<<"$output"
}

@test "--health-start-period: failures do not count while starting; checks at --health-start-interval" {
	# one check an hour, but every 100 ms within the start period
	box run -d --name sp --network none --health-cmd 'exit 1' --health-interval 1h --health-start-period 1h \
		--health-start-interval 100ms --health-retries 1 small sleep 60 >/dev/null
	health_wait sp starting '(.Log | length) >= 3'
	[[ $(box inspect sp | jq -r '.[0].State.Health.FailingStreak') == 0 ]]
	run -0 box ps --format '{{.Status}}'
	[[ $output == "Up "*" (health: starting)" ]]
}

@test "stop: the health is unhealthy, the log kept; start: starting again, no streak" {
	box run -d --name hs --network none --health-cmd 'exit 0' --health-interval 100ms small sleep 60 >/dev/null
	health_wait hs healthy
	box stop -t 0 hs >/dev/null
	run -0 box inspect hs
	jq -e '.[0].State | .Status == "exited" and .Health.Status == "unhealthy" and (.Health.Log | length) >= 1' <<<"$output"
	box start hs >/dev/null
	health_wait hs starting '.FailingStreak == 0 and (.Log | length) >= 1' ||
		health_wait hs healthy
	health_wait hs healthy
}

@test "ps --filter health=: starting, healthy, unhealthy, none; a bad value refused" {
	box run -d --name ok --network none --health-cmd 'exit 0' --health-interval 100ms small sleep 60 >/dev/null
	box run -d --name bad --network none --health-cmd 'exit 1' --health-interval 100ms --health-retries 1 small sleep 60 >/dev/null
	box run -d --name wait --network none --health-cmd 'exit 0' --health-interval 1h small sleep 60 >/dev/null
	box run -d --name plain --network none small sleep 60 >/dev/null
	health_wait ok healthy
	health_wait bad unhealthy
	run -0 box ps --filter health=healthy --format '{{.Names}}'
	[[ $output == ok ]]
	run -0 box ps --filter health=unhealthy --format '{{.Names}}'
	[[ $output == bad ]]
	run -0 box ps --filter health=starting --format '{{.Names}}'
	[[ $output == wait ]]
	run -0 box ps --filter health=none --format '{{.Names}}'
	[[ $output == plain ]]
	# values of one key are alternatives
	run -0 box ps --filter health=healthy --filter health=none --format '{{.Names}}'
	[[ $(sort <<<"$output" | tr '\n' ' ') == "ok plain " ]]
	run --separate-stderr -1 box ps --filter health=sick
	[[ $stderr == *"Unrecognised filter value for health: sick" ]]
}

@test "an attached run has its checks too; they end with it" {
	box run --name att --network none --health-cmd 'exit 0' --health-interval 100ms small sleep 60 >/dev/null 3>&- &
	local runner=$!
	health_wait att healthy
	run -0 box stop -t 0 att
	wait "$runner" || true
	[[ $(health att) == unhealthy ]]
	# --rm: nothing left behind
	run -0 box run --rm --network none --health-cmd 'exit 0' --health-interval 50ms small sh -c 'sleep 0.5; echo done'
	[[ $output == done ]]
	run -0 box ps -aq --filter name=att
	[[ $(wc -l <<<"$output") == 1 ]]
}

@test "a container that ends during a check: the check is killed, nothing of it left" {
	local id _t
	id=$(box run -d --name short --network none --health-cmd 'sleep 30' --health-interval 50ms small sleep 1)
	run -0 box wait short
	[[ $(health short) == unhealthy ]]
	for _t in $(seq 50); do
		pgrep -f "ctr-exec --root $BOX_ROOT $id" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "ctr-exec --root $BOX_ROOT $id"
}

@test "CMD-SHELL runs under /bin/sh -c, not the image's SHELL (as Docker)" {
	df-build -q -t sh2 - <<<$'FROM small\nSHELL ["/bin/sh", "-c", "echo via-shell; eval \\"$1\\"", "x"]' >/dev/null
	box run -d --name hs2 --network none --health-cmd 'exit 0' --health-interval 100ms sh2 sleep 60 >/dev/null
	health_wait hs2 healthy
	[[ $(box inspect hs2 | jq -r '.[0].State.Health.Log[0].Output') == "" ]]
}

@test "--no-healthcheck: an image's HEALTHCHECK does not run" {
	df-build -q -t hc - <<<$'FROM small\nHEALTHCHECK --interval=50ms CMD ["false"]' >/dev/null
	box run -d --name off --network none --no-healthcheck hc sleep 60 >/dev/null
	box run -d --name on --network none hc sleep 60 >/dev/null
	health_wait on unhealthy
	# on ran its checks meanwhile; off has no health at all
	[[ $(health off) == null ]]
	run -0 box ps --filter name=off --format '{{.Status}}'
	[[ $output == "Up "* && $output != *"("* ]]
	run -0 box ps --filter health=none --format '{{.Names}}'
	[[ $output == off ]]
}
