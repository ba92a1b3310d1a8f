# box - a Docker-compatible container toolkit
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/box
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
CC ?= cc
CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation $(WERROR)
# O: the build directory; SANITIZE=1 builds into build-asan/ with ASan+UBSan
SANITIZE ?=
ifeq ($(SANITIZE),1)
O ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O ?= build
SANFLAGS =
endif
PKGS = jansson libfyaml libcurl libarchive libcap-ng libseccomp libcrypto zlib libzstd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
# lib headers are named by subsystem ("base/err.h"); a tool's own modules by
# its folder ("ctr-create/ctrcfg.h", found beside tools/ctr-create.c)
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -iquote lib -MMD -MP
# --as-needed: each program loads only the libraries it uses (a run must not pay for libcurl)
ALL_LDFLAGS = -Wl,--as-needed $(LDFLAGS) $(SANFLAGS)

TOOLS = $(patsubst tools/%.c,%,$(filter-out tools/skeleton.c,$(wildcard tools/*.c)))
# lib/<subsystem>/*.c: what two or more tools share, one archive
LIBSRC = $(wildcard lib/*/*.c)
LIBOBJ = $(patsubst %.c,$(O)/%.o,$(LIBSRC))
# tools/<tool>/*.c: modules only that tool uses, linked into it alone
TOOLMODSRC = $(wildcard tools/*/*.c)
TOOLMODOBJ = $(patsubst %.c,$(O)/%.o,$(TOOLMODSRC))
TESTBINSRC = $(wildcard tests/fixtures/*.c)
TESTBINS = $(patsubst tests/fixtures/%.c,$(O)/tests/%,$(TESTBINSRC))
# unit tests, one per module, TAP on stdout, run by tests/unit/unit.bats
UNITSRC = $(wildcard tests/unit/*.c)
UNITBINS = $(patsubst tests/unit/%.c,$(O)/unit/%,$(UNITSRC))
BINS = $(addprefix $(O)/bin/,$(TOOLS))
# box version and box --version (sys-info): the release and the commit built
BOX_VERSION = 0.1.0
BOX_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# "Built:" as Docker writes it, the commit's time: the same sources, the same text
BOX_BUILT := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:'%a %b %e %H:%M:%S %Y' 2>/dev/null)
$(O)/tools/sys-info.o: ALL_CFLAGS += -DBOX_VERSION='"$(BOX_VERSION)"' -DBOX_COMMIT='"$(BOX_COMMIT)"' -DBOX_BUILT='"$(BOX_BUILT)"'

# Debian packages: to build, and to run the tests (with the peers they compare against).
# libcurl's GnuTLS flavour: Debian's libcurl loads GnuTLS anyway (librtmp),
# and the OpenSSL one's TLS set-up adds 0.5 MB to img-fetch's peak RSS.
BUILD_DEPS = gcc make pkg-config libjansson-dev libcurl4-gnutls-dev libarchive-dev \
	libcap-ng-dev libseccomp-dev libssl-dev zlib1g-dev libzstd-dev libfyaml-dev
TEST_DEPS = bats jq clang-format docker-registry skopeo umoci crun runc busybox-static apache2-utils \
	iproute2 nftables dnsmasq-base shellcheck mandoc scdoc attr xz-utils zstd curl \
	util-linux python3 tini docker-compose docker.io openssh-client containerd podman \
	uidmap slirp4netns passt fuse-overlayfs

all: deps-build
	@$(MAKE) --no-print-directory build

build: $(BINS) $(O)/bin/box $(TESTBINS) $(UNITBINS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libbox.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

# every tool's own modules, for the unit tests that test them
$(O)/libtools.a: $(TOOLMODOBJ)
	rm -f $@
	ar rcs $@ $(TOOLMODOBJ)

.SECONDEXPANSION:
$(O)/bin/%: $(O)/tools/%.o $$(addprefix $(O)/,$$(addsuffix .o,$$(basename $$(wildcard tools/$$*/*.c)))) $(O)/libbox.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(O)/libbox.a $(PKG_LIBS)

# box sources the flags that take a value from create-value-flags, written
# from ctr-create's table here: reading them on each box run from ctr-create
# would cost a process more
$(O)/bin/box: shell/box shell/box-sh-setup shell/box-help $(O)/bin/ctr-create
	@mkdir -p $(@D)
	cp shell/box-sh-setup shell/box-help $(@D)/
	{ echo "create_value_flags='" && $(O)/bin/ctr-create --value-flags && echo "'"; } >$(@D)/create-value-flags.tmp
	mv $(@D)/create-value-flags.tmp $(@D)/create-value-flags
	cp shell/box $@
	chmod +x $@

$(O)/unit/%: tests/unit/%.c $(O)/libtools.a $(O)/libbox.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -iquote tools $(ALL_LDFLAGS) -o $@ $< $(O)/libtools.a $(O)/libbox.a $(PKG_LIBS)

# test payloads are static so they run inside any rootfs
$(O)/tests/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra $(WERROR) -o $@ $<

# what box needs at run time, beside its libraries
RUN_DEPS = busybox-static iproute2 nftables dnsmasq-base tini

# install what is missing, only that (Debian; needs root)
deps-build:
	@sh mk/deps.sh $(BUILD_DEPS)

deps: deps-build
	@sh mk/deps.sh $(TEST_DEPS) $(RUN_DEPS)

# a hung test fails after BATS_TEST_TIMEOUT seconds instead of holding CI
test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory lint
	BOX_BUILD=$(CURDIR)/$(O) BATS_TEST_TIMEOUT=$${BATS_TEST_TIMEOUT:-180} bats $(BATSFLAGS) tests/unit tests/system tests/tools tests/box tests/compat

# the differential suite alone (tests/compat/: box against a private
# dockerd), then its score: identical, wording-only, different, deliberate
compat: deps
	@$(MAKE) --no-print-directory build
	rm -f $(O)/compat.tsv
	BOX_BUILD=$(CURDIR)/$(O) COMPAT_RESULTS=$(CURDIR)/$(O)/compat.tsv bats $(BATSFLAGS) tests/compat || rc=$$?; \
		sh tests/compat/score.sh $(O)/compat.tsv; exit $${rc:-0}

# libFuzzer targets, one per parser of outside input: make fuzz FUZZTIME=60
# runs each for FUZZTIME seconds on its seeds (fuzz/corpus/<target>/, from
# the tests) and what earlier runs found (build-fuzz/<target>.corpus/). lib
# and the tools' modules are compiled once for all targets; UB aborts, as
# ASan does, so that every report is a finding.
FUZZTIME ?= 30
FUZZSRC = $(wildcard fuzz/*.c)
FUZZBINS = $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZSRC))
FUZZOBJ = $(patsubst %.c,build-fuzz/obj/%.o,$(LIBSRC) $(TOOLMODSRC))
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -iquote lib -iquote tools $(PKG_CFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined

# what CI runs (.ci/run), README's second command: the suite, then every
# fuzz target for 20 s
check: test
	@$(MAKE) --no-print-directory fuzz FUZZTIME=20

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-run

deps-fuzz:
	@sh mk/deps.sh clang

fuzz-run: $(FUZZBINS)
	for n in $(patsubst fuzz/%.c,%,$(FUZZSRC)); do \
		mkdir -p build-fuzz/$$n.corpus; \
		seeds=; [ -d fuzz/corpus/$$n ] && seeds=fuzz/corpus/$$n; \
		build-fuzz/$$n -max_total_time=$(FUZZTIME) -timeout=20 -print_final_stats=1 -artifact_prefix=build-fuzz/$$n- \
			build-fuzz/$$n.corpus $$seeds || exit 1; \
	done

build-fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

build-fuzz/%: fuzz/%.c $(FUZZOBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZOBJ) $(PKG_LIBS)

# kept between runs: make would remove them as intermediate files
.SECONDARY: $(FUZZOBJ)
-include $(FUZZOBJ:.o=.d) $(FUZZBINS:=.d)

# README's first command: build, then run a container from a busybox image made offline
demo: all
	@sh mk/deps.sh $(RUN_DEPS)
	@sh mk/demo.sh $(O)

bench: all
	@sh mk/deps.sh time podman buildah docker.io
	BOX_BUILD=$(CURDIR)/$(O) sh bench/run-all

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for t in $(TOOLS); do install -m 755 $(O)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; done
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|' shell/box > $(DESTDIR)$(BINDIR)/box
	chmod 755 $(DESTDIR)$(BINDIR)/box
	install -m 644 shell/box-sh-setup shell/box-help $(DESTDIR)$(LIBEXECDIR)/
	install -m 644 $(O)/bin/create-value-flags $(DESTDIR)$(LIBEXECDIR)/create-value-flags
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	install -m 644 completions/box.bash $(DESTDIR)$(BASHCOMPDIR)/box
	install -m 644 completions/_box $(DESTDIR)$(ZSHCOMPDIR)/_box

uninstall:
	for t in $(TOOLS) box; do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	rm -rf $(DESTDIR)$(LIBEXECDIR)
	for m in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$${m#man/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/box $(DESTDIR)$(ZSHCOMPDIR)/_box

# the conventions of docs/STYLE.md a machine checks (mk/lint.sh), then the sh and man pages
lint: deps-lint
	sh mk/lint.sh
	shellcheck -s sh shell/box shell/box-sh-setup mk/lint.sh
	mandoc -Tlint -Wwarning man/*.1

deps-lint:
	@sh mk/deps.sh clang-format shellcheck mandoc

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all build deps-build deps deps-lint deps-fuzz demo fuzz fuzz-run check test compat bench install uninstall lint clean

-include $(LIBOBJ:.o=.d) $(TOOLMODOBJ:.o=.d) $(patsubst %,$(O)/tools/%.d,$(TOOLS)) $(UNITBINS:=.d)
