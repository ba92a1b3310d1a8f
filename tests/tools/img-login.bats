#!/usr/bin/env bats
# img-login: checks credentials against a real htpasswd registry (and the
# Bearer flow of tests/fixtures/fakereg.py), writes Docker's config.json.

load ../helpers

setup_file () {
	registry_start_auth
	registry_push_auth small small:latest
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
}

teardown () {
	[[ -n ${FAKEREG_PID-} ]] && kill "$FAKEREG_PID" 2>/dev/null
	box_teardown
}

cfg () {
	echo "$DOCKER_CONFIG/config.json"
}

@test "usage errors exit 2" {
	run -2 img-login --bogus
	run -2 --separate-stderr img-login -u a -p b --password-stdin "$AUTH_REGISTRY"
	[[ $stderr == "img-login: --password and --password-stdin are mutually exclusive" ]]
	run -2 --separate-stderr img-login --password-stdin "$AUTH_REGISTRY" </dev/null
	[[ $stderr == "img-login: must provide --username with --password-stdin" ]]
	run -2 --separate-stderr img-login "$AUTH_REGISTRY" </dev/null
	[[ $stderr == "img-login: cannot perform an interactive login from a non TTY device" ]]
	run -2 img-login --logout -u x "$AUTH_REGISTRY"
}

@test "wrong credentials: exit 1, unauthorized, config.json unchanged" {
	echo '{"auths":{},"currentContext":"x"}' >"$(cfg)"
	local before
	before=$(cat "$(cfg)")
	run -1 --separate-stderr img-login -u "$AUTH_USER" --password-stdin "$AUTH_REGISTRY" <<<"nope"
	[[ $stderr == "img-login: $AUTH_REGISTRY: unauthorized: authentication required" ]]
	[[ -z $output ]]
	[[ $(cat "$(cfg)") == "$before" ]]
}

@test "right credentials: Login Succeeded, Docker's format, 0600, other keys kept" {
	printf '{"auths":{"other.example":{"auth":"eDp5"}},"credHelpers":{"gcr.io":"gcloud"},"psFormat":"table"}' >"$(cfg)"
	run -0 --separate-stderr img-login -u "$AUTH_USER" --password-stdin "$AUTH_REGISTRY" <<<"$AUTH_PASS"
	[[ $output == "Login Succeeded" ]]
	[[ $(stat -c %a "$(cfg)") == 600 ]]
	[[ $(jq -r --arg k "$AUTH_REGISTRY" '.auths[$k].auth' "$(cfg)" | base64 -d) == "$AUTH_USER:$AUTH_PASS" ]]
	jq -e '.auths["other.example"].auth == "eDp5" and .credHelpers["gcr.io"] == "gcloud" and .psFormat == "table"' "$(cfg)"
	[[ -z $(ls "$DOCKER_CONFIG" | grep tmp) ]]
	# and img-fetch uses them
	run -0 img-fetch "$AUTH_REGISTRY/small"
	[[ $output == "$(fixture_digest small)" ]]
}

@test "-p works and warns; a missing config dir is created" {
	rm -rf "$DOCKER_CONFIG"
	run -0 --separate-stderr img-login -u "$AUTH_USER" -p "$AUTH_PASS" "http://$AUTH_REGISTRY"
	[[ $stderr == "WARNING! Using --password via the CLI is insecure. Use --password-stdin." ]]
	jq -e --arg k "$AUTH_REGISTRY" '.auths | has($k)' "$(cfg)"
}

@test "--logout removes the entry; again says not logged in" {
	printf '{"auths":{"%s":{"auth":"eDp5"},"https://index.docker.io/v1/":{"auth":"eDp5"}}}' "$AUTH_REGISTRY" >"$(cfg)"
	run -0 img-login --logout "$AUTH_REGISTRY"
	[[ $output == "Removing login credentials for $AUTH_REGISTRY" ]]
	jq -e --arg k "$AUTH_REGISTRY" '.auths | has($k) | not' "$(cfg)"
	run -0 img-login --logout "$AUTH_REGISTRY"
	[[ $output == "Not logged in to $AUTH_REGISTRY" ]]
	# the default server is Docker Hub, under Docker's key
	run -0 img-login --logout
	[[ $output == "Removing login credentials for https://index.docker.io/v1/" ]]
	[[ $(jq -c .auths "$(cfg)") == "{}" ]]
}

@test "Bearer token registry: login checks the credentials with the token server" {
	local fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake"
	echo tok >"$fake/token"
	echo u:p >"$fake/creds"
	setsid python3 "$TESTS_DIR/fixtures/fakereg.py" "$fake" "$fake/port" </dev/null >/dev/null 2>&1 3>&- &
	FAKEREG_PID=$!
	for _ in $(seq 50); do [[ -f $fake/port ]] && break; sleep 0.1; done
	local reg=127.0.0.1:$(cat "$fake/port")
	run -1 --separate-stderr img-login -u u --password-stdin "$reg" <<<"bad"
	[[ $stderr == "img-login: $reg: unauthorized: incorrect username or password" ]]
	[[ ! -e $(cfg) ]]
	run -0 img-login -u u --password-stdin "$reg" <<<"p"
	grep -q 'GET /token?service=fakereg&account=u range=' "$fake/requests.log"
}
