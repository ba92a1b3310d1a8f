#!/usr/bin/env bats
# box login / logout against a registry with basic auth

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
	box_teardown
}

@test "box login, pull, logout" {
	run -1 --separate-stderr box pull -q "$AUTH_REGISTRY/small"
	[[ $stderr == *"unauthorized: authentication required" ]]
	run -0 box login -u "$AUTH_USER" --password-stdin "$AUTH_REGISTRY" <<<"$AUTH_PASS"
	[[ $output == "Login Succeeded" ]]
	run -0 box pull -q "$AUTH_REGISTRY/small"
	[[ $output == "$AUTH_REGISTRY/small:latest" ]]
	run -0 box logout "$AUTH_REGISTRY"
	[[ $output == "Removing login credentials for $AUTH_REGISTRY" ]]
	run -1 box pull -q "$AUTH_REGISTRY/small:other"
}

@test "box login with wrong credentials: exit 1, nothing written" {
	run -1 --separate-stderr box login -u "$AUTH_USER" --password-stdin "$AUTH_REGISTRY" <<<"wrong"
	[[ $stderr == "Error response from daemon: $AUTH_REGISTRY: unauthorized: authentication required" ]]
	[[ ! -e $DOCKER_CONFIG/config.json ]]
}
