#!/usr/bin/env bats
# box events: what every verb did, from the state directory's event log
# (lib/runtime/event, sys-events), in Docker 20.10's words and layout
# (taken from a dockerd run on this machine): the past with --since and
# --until, the new ones followed, filters, templates, the log's rotation
# and concurrent writers.

load ../helpers
load ../fixtures/net

setup () {
	box_setup_small
	net_setup
}

teardown () {
	net_teardown
	box_teardown
}

# the events so far: "TYPE ACTION NAME-OR-ID" lines
so_far () {
	box events --since 0 --until 0s --format '{{.Type}} {{.Action}} {{with .Actor.Attributes.name}}{{.}}{{else}}{{.Actor.ID}}{{end}}' "$@"
}

@test "container events of run, exec, kill, stop, rm as Docker's, with image, name, labels" {
	local id
	run -0 box run --rm --network none --name once -l a=b small true
	id=$(box run -d --network none --name web small sleep 1000)
	run -3 box exec web sh -c 'exit 3'
	run -0 box kill -s USR1 web
	# sleep as pid 1 ignores SIGTERM: SIGKILL after the timeout, recorded
	run -0 box stop -t 1 web
	run -0 box rm web
	run -0 so_far --filter type=container
	[[ $output == "container create once
container attach once
container start once
container die once
container destroy once
container create web
container start web
container exec_create: sh -c exit 3 web
container exec_start: sh -c exit 3 web
container exec_die web
container kill web
container kill web
container kill web
container die web
container stop web
container destroy web" ]]
	# Docker's line: local time, type, action, id, attributes sorted
	run -0 box events --since 0 --until 0s --filter container=once --filter event=die
	[[ $output =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z\ container\ die\ [0-9a-f]{64}\ \(a=b,\ exitCode=0,\ image=small,\ name=once,\ org.example.k=v\)$ ]]
	run -0 box events --since 0 --until 0s --filter container=web --filter event=kill --format '{{.Actor.Attributes.signal}}'
	[[ $output == $'10\n15\n9' ]]
	# rm -f kills it with SIGKILL, as Docker records it
	box run -d --network none --name gone small sleep 1000 >/dev/null
	run -0 box rm -f gone
	run -0 box events --since 0 --until 0s --filter container=gone --format '{{.Action}} {{.Actor.Attributes.signal}}'
	[[ $output == $'create <no value>\nstart <no value>\nkill 9\ndie <no value>\ndestroy <no value>' ]]
	run -0 box events --since 0 --until 0s --filter event=exec_die --format '{{.Actor.Attributes.exitCode}} {{len .Actor.Attributes.execID}}'
	[[ $output == "3 64" ]]
	run -0 box events --since 0 --until 0s --filter event=start --filter container="${id:0:12}" --format '{{.ID}}'
	[[ $output == "$id" ]]
}

@test "image and volume events: tag, untag, delete, volume create and destroy" {
	local img
	img=$(box image inspect -f '{{.Id}}' small)
	run -0 box tag small small:x
	run -0 box rmi small:x
	run -0 box volume create vv
	run -0 box volume rm vv
	run -0 box events --since 0 --until 0s
	[[ ${lines[0]} == *" image tag $img (name=small:x)" ]]
	[[ ${lines[1]} == *" image untag $img (name=$img)" ]]
	[[ ${lines[2]} == *" volume create vv (driver=local)" ]]
	[[ ${lines[3]} == *" volume destroy vv (driver=local)" ]]
	run -0 box rmi small
	run -0 box events --since 0 --until 0s --filter type=image --filter event=delete --format '{{.Actor.ID}}'
	[[ $output == "$img" ]]
}

@test "commit (paused meanwhile), cp, export, update; image save, load, import; as Docker records them" {
	local img cid
	img=$(box image inspect -f '{{.Id}}' small)
	box run -d --network none --name ww small sleep 1000 >/dev/null
	run -0 box commit -m msg ww snap:1
	local snap=$output
	run -0 box commit --pause=false ww
	box exec ww sh -c 'echo x >/f'
	box cp ww:/f "$BATS_TEST_TMPDIR/hn"
	box cp "$BATS_TEST_TMPDIR/hn" ww:/tmp/
	box export ww >/dev/null
	box update --cpu-shares 512 ww >/dev/null
	run -0 so_far --filter container=ww --filter type=container
	[[ $output == "container create ww
container start ww
container pause ww
container commit ww
container unpause ww
container commit ww
container exec_create: sh -c echo x >/f ww
container exec_start: sh -c echo x >/f ww
container exec_die ww
container archive-path ww
container extract-to-dir ww
container export ww
container update ww" ]]
	run -0 box events --since 0 --until 0s --filter event=commit --format '{{.Actor.Attributes.comment}}|{{.Actor.Attributes.imageID}}|{{.Actor.Attributes.imageRef}}|{{.Actor.Attributes.image}}'
	[[ ${lines[0]} == "msg|$snap|snap:1|small" && ${lines[1]} == "|sha256:"*"||small" ]]
	# the pause let go: it runs on
	[[ $(box inspect -f '{{.State.Status}} {{.State.Paused}}' ww) == "running false" ]]
	# a stopped container is committed without a pause, as Docker's
	box rm -f ww >/dev/null
	box create --network none --name st small true >/dev/null
	box commit st >/dev/null
	run -0 so_far --filter container=st
	[[ $output == $'container create st\ncontainer commit st' ]]
	box save -o "$BATS_TEST_TMPDIR/s.tar" small
	box load -qi "$BATS_TEST_TMPDIR/s.tar" >/dev/null
	tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/i.tar" hn
	run -0 box import "$BATS_TEST_TMPDIR/i.tar"
	cid=$output
	run -0 box events --since 0 --until 0s --filter type=image --format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'
	[[ $output == *"save $img $img
load $img $img
import $cid $cid" ]]
}

@test "volume mount and unmount at each start and end; health_status; exec -d's exec_die" {
	box volume create vol >/dev/null
	box run --rm --network none -v vol:/data:ro --name v1 small true
	box run -d --network none -v vol:/data --name v2 small sleep 1000 >/dev/null
	box stop -t 0 v2 >/dev/null
	run -0 box events --since 0 --until 0s --filter type=volume --format '{{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}'
	local c1 c2
	c1=$(box events --since 0 --until 0s --filter container=v1 --filter event=create --format '{{.Actor.ID}}')
	c2=$(box inspect -f '{{.Id}}' v2)
	# dockerd logs a create for each container's use of it too
	[[ $output == "create vol {\"driver\":\"local\"}
create vol {\"driver\":\"local\"}
mount vol {\"container\":\"$c1\",\"destination\":\"/data\",\"driver\":\"local\",\"propagation\":\"\",\"read/write\":\"false\"}
unmount vol {\"container\":\"$c1\",\"driver\":\"local\"}
create vol {\"driver\":\"local\"}
mount vol {\"container\":\"$c2\",\"destination\":\"/data\",\"driver\":\"local\",\"propagation\":\"\",\"read/write\":\"true\"}
unmount vol {\"container\":\"$c2\",\"driver\":\"local\"}" ]]
	# a check that passes, then fails: each change of status, once
	box run -d --network none --name hc --health-cmd 'test ! -e /tmp/bad' --health-interval 0.2s --health-retries 1 small sleep 1000 >/dev/null
	for _ in $(seq 50); do [[ $(box inspect -f '{{.State.Health.Status}}' hc) == healthy ]] && break; sleep 0.1; done
	box exec hc touch /tmp/bad
	for _ in $(seq 50); do [[ $(box inspect -f '{{.State.Health.Status}}' hc) == unhealthy ]] && break; sleep 0.1; done
	run -0 box events --since 0 --until 0s --filter container=hc --filter event=health_status --format '{{.Action}}'
	[[ $output == $'health_status: healthy\nhealth_status: unhealthy' ]]
	box rm -f hc >/dev/null
	# exec -d: its end recorded when it comes, with its code
	box run -d --network none --name ed small sleep 1000 >/dev/null
	box exec -d ed sh -c 'sleep 0.3; exit 7'
	run -0 box events --since 0 --until 0s --filter event=exec_die --filter container=ed
	[[ $output == "" ]]
	for _ in $(seq 50); do [[ -n $(box events --since 0 --until 0s --filter event=exec_die --filter container=ed) ]] && break; sleep 0.1; done
	run -0 box events --since 0 --until 0s --filter event=exec_die --filter container=ed --format '{{.Actor.Attributes.exitCode}}'
	[[ $output == 7 ]]
}

@test "filters: type, event, image, label, volume; keys combine, values of one key are alternatives" {
	box run --rm --network none -l tier=db small true
	box run --rm --network none --name plain small true
	box volume create data >/dev/null
	run -0 so_far --filter label=tier=db --filter event=start
	[[ $output == "container start "* && ${#lines[@]} == 1 ]]
	run -0 so_far --filter label=tier --filter event=create --filter event=destroy
	[[ ${#lines[@]} == 2 ]]
	run -0 so_far --filter image=small --filter event=create
	[[ ${#lines[@]} == 2 ]]
	run -0 so_far --filter image=small:latest --filter event=create
	[[ ${#lines[@]} == 0 ]]
	run -0 so_far --filter volume=da
	[[ $output == "volume create data" ]]
	run -0 so_far --filter type=volume --filter type=image
	# failed once in a full run, never alone: say what came
	[[ $output == "volume create data" ]] || { echo "got: $output" >&2; false; }
	run -0 so_far --filter container=plain --filter event=die
	[[ $output == "container die plain" ]]
}

@test "--format: Docker's events.Message, {{json .}} as dockerd sends it" {
	box volume create vv >/dev/null
	box run --rm --network none --name jj small true
	run -0 box events --since 0 --until 0s --filter type=volume --format '{{json .}}'
	[[ $output =~ ^\{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":\{\"ID\":\"vv\",\"Attributes\":\{\"driver\":\"local\"\}\},\"scope\":\"local\",\"time\":[0-9]+,\"timeNano\":[0-9]+\}$ ]]
	run -0 box events --since 0 --until 0s --filter event=die --format '{{json .}}'
	[[ $output =~ ^\{\"status\":\"die\",\"id\":\"[0-9a-f]{64}\",\"from\":\"small\",\"Type\":\"container\",\"Action\":\"die\",\"Actor\":\{\"ID\":\"[0-9a-f]{64}\",\"Attributes\":\{\"exitCode\":\"0\",\"image\":\"small\",\"name\":\"jj\",\"org.example.k\":\"v\"\}\},\"scope\":\"local\",\"time\":[0-9]+,\"timeNano\":[0-9]+\}$ ]]
	run -0 box events --since 0 --until 0s --filter event=die --format '{{.Status}} {{.From}} {{.Scope}} {{.Actor.Attributes.name}} {{.Actor.Attributes.nope}}'
	[[ $output == "die small local jj <no value>" ]]
	run -0 box events --since 0 --until 0s --filter type=volume --format '{{.Time}} {{.TimeNano}}'
	[[ $output =~ ^([0-9]+)\ ([0-9]+)$ && ${BASH_REMATCH[2]} == "${BASH_REMATCH[1]}"[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9] ]]
}

@test "errors in docker events' words and codes" {
	box volume create vv >/dev/null
	run --separate-stderr -64 box events --since 0 --until 0s --format '{{.Nope}}'
	[[ $stderr == 'Error parsing format: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *events.Message' ]]
	run --separate-stderr -64 box events --until 0s --format '{{'
	[[ $stderr == "Error parsing format: template: :1: unclosed action" ]]
	run --separate-stderr -125 box events --until 0s --filter bogus
	[[ $stderr == *'invalid argument "bogus" for "-f, --filter" flag: bad format of filter (expected name=value)' ]]
	run --separate-stderr -1 box events --since xyz
	[[ $stderr == *'failed to parse value as time or duration: "xyz"' ]]
	run -0 box events --help
	[[ ${lines[0]} == "Usage:  box events [OPTIONS]" ]]
	run -0 box system events --help
	[[ ${lines[0]} == "Usage:  box system events [OPTIONS]" ]]
}

@test "--since and --until: times, durations, Unix seconds; the past ones only" {
	local t
	box volume create old >/dev/null
	sleep 1.1
	t=$(date +%s.%N)
	box volume create new >/dev/null
	run -0 so_far --since "$t"
	[[ $output == "volume create new" ]]
	run -0 so_far --until "$t"
	[[ $output == "volume create old" ]]
	run -0 box events --since "$(date -u -d "@${t%.*}" +%Y-%m-%dT%H:%M:%SZ)" --until 0s --format '{{.Actor.ID}}'
	[[ $output == new ]]
	run -0 box events --since 1h --until 0s --format '{{.Actor.ID}}'
	[[ $output == $'old\nnew' ]]
}

@test "follow: events as they come, across the log's rotation; --until in the future ends it" {
	local pid t out=$BATS_TEST_TMPDIR/out
	box volume create old >/dev/null
	sleep 0.1
	t=$(date +%s.%N)
	# from T on: nothing before, what comes while it runs
	box events --since "$t" >"$out" 3>&- &
	pid=$!
	box volume create va >/dev/null
	# a log past its bound: the next writer makes it events.1
	python3 -c "
import sys, time
line = '%d\tvolume\tcreate\tfiller\tdriver=local\n' % time.time_ns()
sys.stdout.write(line * (1100000 // len(line)))" >>"$BOX_ROOT/events"
	box volume create vb >/dev/null
	box volume create vc >/dev/null
	for _ in $(seq 50); do grep -q 'volume create vc ' "$out" && break; sleep 0.1; done
	kill "$pid"
	wait "$pid" || true
	[[ -f $BOX_ROOT/events.1 && $(stat -c %s "$BOX_ROOT/events") -lt 1000 ]]
	run -0 grep -c filler "$out"
	[[ $output -gt 1000 ]]
	run -0 grep -v filler "$out"
	[[ ${#lines[@]} == 3 && ${lines[0]} == *"volume create va "* && ${lines[1]} == *"volume create vb "* && ${lines[2]} == *"volume create vc "* ]]
	# the past, from both files
	run -0 so_far --filter volume=va --filter volume=vb --filter volume=vc
	[[ $output == $'volume create va\nvolume create vb\nvolume create vc' ]]
	# --until two seconds ahead: followed, then ended
	timeout 10 box events --since 0s --until "$(($(date +%s) + 2))" --format '{{.Actor.ID}}' >"$out" 3>&- &
	pid=$!
	sleep 0.5
	box volume create vd >/dev/null
	wait "$pid"
	[[ $(cat "$out") == vd ]]
}

@test "concurrent writers: every record whole, none lost" {
	local k pids=()
	for k in 1 2 3 4; do
		(for n in $(seq 25); do box volume create "v$k-$n" >/dev/null; done) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	run -0 so_far --filter type=volume
	[[ ${#lines[@]} == 100 ]]
	run -0 awk -F'\t' 'NF != 5 || $2 != "volume" { bad++ } END { print bad + 0 }' "$BOX_ROOT/events"
	[[ $output == 0 ]]
}

@test "network, pause, unpause and rename events" {
	local nid
	box network create evnet >/dev/null
	nid=$(box network inspect -f '{{.Id}}' evnet)
	box run -d --name pz --network evnet small sleep 1000 >/dev/null
	box network disconnect evnet pz
	box pause pz
	box unpause pz
	box rename pz pz2
	box rm -f pz2 >/dev/null
	box network rm evnet >/dev/null
	run -0 so_far --filter type=network
	[[ $output == $'network create evnet\nnetwork connect evnet\nnetwork disconnect evnet\nnetwork destroy evnet' ]]
	run -0 box events --since 0 --until 0s --filter type=network --filter event=connect --format '{{.Actor.ID}} {{.Actor.Attributes.type}} {{len .Actor.Attributes.container}}'
	[[ $output == "$nid bridge 64" ]]
	run -0 box events --since 0 --until 0s --filter event=pause --filter event=unpause --filter event=rename --format '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}'
	[[ $output == $'pause pz <no value>\nunpause pz <no value>\nrename pz2 /pz' ]]
}
