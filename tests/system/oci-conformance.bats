#!/usr/bin/env bats
# lib/image/oci's validators against the OCI image-spec conformance documents
# (../shared/conformance/oci-image-spec): every case of cases/INDEX.json must
# get its "expect", every md-example must be valid, and the docker-v2-compat
# documents must hash to their digest_of_raw_bytes. Driven by the unit
# program tests/unit/oci.c.

load ../helpers

setup () {
	box_setup
	V=$BOX_BUILD/unit/oci
	[[ -x $V ]] || {
		echo "$V not built" >&2
		return 1
	}
}

teardown () {
	box_teardown
}

@test "every conformance case gets its expected verdict" {
	conformance_or_skip oci-image-spec
	local want
	want=$(jq '(. | length)' "$CONFORMANCE/oci-image-spec/cases/INDEX.json")
	want=$((want + $(jq length "$CONFORMANCE/oci-image-spec/md-examples/INDEX.json")))
	run "$V" --cases "$CONFORMANCE/oci-image-spec"
	echo "$output" | grep '^not ok' >&2 || true
	[[ $status == 0 ]]
	[[ $output == *"1..$want"* ]]
	[[ $(grep -c '^ok ' <<<"$output") == "$want" ]]
}

@test "each invalid case is refused for its own reason" {
	conformance_or_skip oci-image-spec
	local c=$CONFORMANCE/oci-image-spec/cases
	run -1 "$V" Descriptor "$c/descriptor-Descriptor-16-invalid.json"
	[[ $output == *"descriptor: digest: invalid digest"* ]]
	run -1 "$V" Descriptor "$c/descriptor-Descriptor-29-invalid.json"
	[[ $output == *"descriptor: data: must be base64"* ]]
	run -1 "$V" Descriptor "$c/descriptor-Descriptor-30-invalid.json"
	[[ $output == *"descriptor: size: must not be negative"* ]]
	run -1 "$V" Manifest "$c/image-manifest-Manifest-06-invalid.json"
	[[ $output == *"manifest: layers: must not be empty"* ]]
	run -1 "$V" Manifest "$c/image-manifest-Manifest-09-invalid.json"
	[[ $output == *"manifest: layers[0].digest: invalid digest"* ]]
	run -1 "$V" ImageIndex "$c/image-index-ImageIndex-04-invalid.json"
	[[ $output == *"index: manifests[0].platform.architecture: missing"* ]]
	run -1 "$V" ImageConfig "$c/image-config-Config-10-invalid.json"
	[[ $output == *"config: config.Env[0]: not VAR=value"* ]]
	run -1 "$V" ImageConfig "$c/image-config-Config-07-invalid.json"
	[[ $output == *"config: not JSON"* ]]
	run -1 "$V" LayoutHeader "$c/image-layout-ImageLayout-01-invalid.json"
}

@test "docker v2 documents: raw digests match and Docker media types are accepted" {
	conformance_or_skip oci-image-spec
	local c=$CONFORMANCE/oci-image-spec f want kind n=0
	while IFS=$'\t' read -r f want kind; do
		n=$((n + 1))
		[[ sha256:$(sha256sum "$c/$f" | cut -d' ' -f1) == "$want" ]]
		run -0 "$V" "$kind" "$c/$f"
		[[ $output == valid ]]
	done < <(jq -r '.[] | select(.digest_of_raw_bytes) | [.file, .digest_of_raw_bytes, .validator] | @tsv' \
		"$c/cases/INDEX.json")
	[[ $n == 4 ]]
	grep -q 'application/vnd.docker.distribution.manifest.v2+json' \
		"$c/cases/docker-v2-compat-BackwardsCompatibilityManifest-01-valid.json"
	grep -q 'application/vnd.docker.distribution.manifest.list.v2+json' \
		"$c/cases/docker-v2-compat-BackwardsCompatibilityImageIndex-01-valid.json"
}

@test "the driver itself fails on a wrong verdict" {
	conformance_or_skip oci-image-spec
	local d=$BATS_TEST_TMPDIR/fake
	mkdir -p "$d/cases" "$d/md-examples"
	cp "$CONFORMANCE/oci-image-spec/cases/descriptor-Descriptor-30-invalid.json" "$d/cases/x.json"
	echo '[{"file":"cases/x.json","validator":"Descriptor","expect":"valid"}]' >"$d/cases/INDEX.json"
	echo '[]' >"$d/md-examples/INDEX.json"
	run -1 "$V" --cases "$d"
	[[ $output == *"not ok 1"* ]]
}

@test "usage errors" {
	run -2 "$V" Nonsense /dev/null
	run -2 "$V" Manifest /nonexistent
}
