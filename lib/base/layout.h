/* layout - every name in the state directory, defined once */
#ifndef BOX_LAYOUT_H
#define BOX_LAYOUT_H

#define BOX_ROOT_DEFAULT "/var/lib/box"

/* $BOX_ROOT/ */
#define L_LOCK "lock"             /* global: gc only */
#define L_IMAGES "images"         /* an OCI image layout */
#define L_LAYERS "layers"         /* layers/<diffid hex>/ */
#define L_LAYER_LOCK ".lock"      /* layers/<hex>.lock: held while layers/<hex>.tmp-<pid>/ is built */
#define L_CONTAINERS "containers" /* containers/<id>/: an OCI bundle */
#define L_NAMES "names"           /* names/<name> -> <id> */
#define L_NETWORKS "networks"     /* networks/<name>/: a bridge network (ctr-net) */
#define L_VOLUMES "volumes"       /* volumes/<name>/: a volume (lib/runtime/volume) */
#define L_BUILD "build"
#define L_BUILD_CACHE "build/cache"     /* <key hex>: a built step's image, the build cache (lib/image/bcache) */
#define L_BUILD_FILES "build/files"     /* <context hex>: the context's file hashes (df-build/cachefiles) */
#define L_TMP "tmp"                     /* partial downloads, staging; same fs as images/ */
#define L_SECCOMP_CACHE "cache/seccomp" /* <fnv64 hex>: a compiled seccomp filter and the JSON it came from */
#define L_INIT_CACHE "cache/init"       /* <image id hex>/: the image's mount points, a layer on top of it */
#define L_RUN_CACHE "cache/run"         /* <sha256 hex of the id>/: RUN --mount=type=cache (df-build runmount), .lock */
#define L_SIZE_CACHE "cache/diffsize"   /* <diff_id hex>: a layer's extracted size, "N\n" (lib/layers/diffsize) */
#define L_IDCOPIES "idcopies"           /* <maps>/<diff_id hex>/: a layer for one id range (lib/layers/idcopy) */
#define L_EVENTS "events"               /* what every verb did, one record a line (lib/runtime/event) */
#define L_EVENTS_OLD "events.1"         /* the log before, once events grew past its bound */
#define L_SETTINGS "settings"           /* key=value: box config's settings (lib/runtime/settings) */
#define L_SETTINGS_LOCK "settings.lock" /* held while settings change, or boxremap is made (lib/runtime/remap) */
#define L_USERNS_RANGES "userns-ranges" /* OFFSET SIZE ID lines: --userns=auto's ranges (lib/runtime/idalloc) */
#define L_USERNS_LOCK "userns-ranges.lock"
#define L_USERNS_HOLDER "userns"           /* rootless: pid= and start= of the user namespace holder (usr-ns) */
#define L_USERNS_HOLDER_LOCK "userns.lock" /* held while usr-ns makes the holder */
#define L_RL_NETNS "netns"           /* rootless: the namespace of the networks' bridges, bind-mounted (ctr-net) */
#define L_RL_NETNS_SYS "netns.sys"   /* its sysfs (bridge ports' files), mounted there */
#define L_RL_NETNS_LOCK "netns.lock" /* held while ctr-net makes it and its slirp4netns */
#define L_RL_SLIRP "slirp.pid"       /* pid= and start= of its slirp4netns */
#define L_RL_SLIRP_SOCK "slirp.sock" /* slirp4netns's API socket: published ports (add_hostfwd) */
#define L_RL_SLIRP_LOG "slirp.log"   /* its output */
#define L_RL_PROXY "slirp6"          /* tcp-PORT, udp[6]-PORT: pid= and start= of a port's relay (ctr-net rlnet) */

/* images/ (image-spec image-layout.md) */
#define L_OCI_LAYOUT "oci-layout"
#define L_INDEX "index.json"
#define L_INDEX_LOCK "lock" /* images/lock guards index.json */
#define L_GC_LOCK "gc.lock" /* shared: blobs being added (store_pin); exclusive: store_gc */
#define L_BLOBS "blobs/sha256"
#define OCI_LAYOUT_CONTENT "{\"imageLayoutVersion\":\"1.0.0\"}"

/* tmp/ */
#define L_INGEST "tmp/ingest" /* tmp/ingest/<hex>: a blob being fetched, resumable */
#define L_LOAD_STAGE "load-"  /* tmp/load-<pid>/: what img-load stages; a dead loader's goes with the next load */
/* tmp/build-<pid>/: a layer df-build writes; tmp/build-<pid>.context/: its
 * tar context; a dead build's go with the next */
#define L_BUILD_TMP "build-"
#define L_RUN_TMP "run-" /* tmp/run-<pid>/: a RUN's secrets, here-document, rw copies (df-build runmount) */

/* containers/<id>/ */
#define L_CONFIG "config.json"
#define L_ROOTFS "rootfs"
#define L_UPPER "upper"
#define L_IDCOPIED "idcopied"      /* "<maps>\n": rootfs over idcopies/<maps>/, upper in host ids (layers/idcopy) */
#define L_FUSEOVL "fuse-overlayfs" /* empty: rootfs mounted by fuse-overlayfs, its upper its own (layers/fuseovl) */
#define L_WORK "work"
#define L_STATE "state"
#define L_LOG "log"
#define L_CTR_LOCK "lock" /* the container lock: held by whoever owns its life (ctr-spawn, the -d supervisor) */
#define L_NETNS "netns"   /* a bind-mounted network namespace (ctr-net), named in config.json */
#define L_HOSTS "hosts"   /* bind-mounted at /etc/hosts, /etc/resolv.conf, /etc/hostname */
#define L_RESOLV "resolv.conf"
#define L_HOSTNAME "hostname"
#define L_ATTACH "attach"             /* the -d supervisor's attach socket (lib/runtime/attach), while it lives */
#define L_STOPPED "stopped"           /* made by ctr-kill --stop and ctr-rm -f before signalling: no restart */
#define L_CREATE_JSON "create.json"   /* Docker's view: Name, Config, HostConfig (ctr-create) */
#define L_NETWORK_JSON "network.json" /* Docker's NetworkSettings (ctr-net); absent when not attached */
#define L_HEALTH "health" /* State.Health: its health checks' status and last results (lib/runtime/health) */
/* and L_DNSMASQ_PID, L_DNSMASQ_LOG: its own resolver, while on two user networks or more (ctr-net) */
#define L_CIMAGE                                                                                                       \
	"image" /* the image id (config digest, "sha256:...") it was made from:                                        \
	           img-list rm refuses to remove that image */

/* volumes/<name>/ */
#define L_VOLUME_DATA "_data"       /* the Mountpoint: what a container mounts */
#define L_VOLUME_JSON "volume.json" /* {"Labels", "Options"} given to docker volume create; absent without */

/* networks/ (ctr-net) */
#define L_NETS_LOCK ".lock" /* held while a network is made */
/* .ports/<proto>-<port> -> <container id>: a published host port, reserved;
 * .ports/<proto>6-<port>: pid= and start= of its relay from [::] (portmap) */
#define L_PORTS ".ports"

/* networks/<name>/ */
#define L_NET_CONFIG "config.json"  /* as docker network inspect shows it, plus Box: {Bridge, UserSubnet} */
#define L_NET_LOCK "lock"           /* held while its endpoints, leases or resolver change */
#define L_NET_MAKING "making"       /* flock held by the ctr-net making it: not there until it is gone */
#define L_LEASES "leases"           /* leases/<A.B.C.D> -> <container id>: an address, taken */
#define L_ENDPOINTS "endpoints"     /* endpoints/<container id>: key=value, what attaching made */
#define L_NET_HOSTS "hosts"         /* the resolver's names: IP name aliases... short id */
#define L_DNSMASQ_PID "dnsmasq.pid" /* the resolver's pid and log */
#define L_DNSMASQ_LOG "dnsmasq.log"

/* labels */
#define LABEL_BUILD_PID                                                                                                \
	"io.box.build.pid" /* a df-build step's container: the build's pid (hidden from ps -a once stopped) */

/* annotations */
#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_CREATED "org.opencontainers.image.created"
/* on an index.json entry: the digest the registry knows the image by (an
 * index's, when the tag points at one platform's manifest); Docker's RepoDigests */
#define ANN_REPO_DIGEST "io.box.repo.digest"
/* on an index.json entry: the image id of the image it was committed from
 * (box commit), Docker's Parent, which `box history` follows */
#define ANN_PARENT "io.box.parent"

#endif
