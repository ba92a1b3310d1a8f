/* hostcfg - a container's HostConfig as docker inspect shows it */
#include "hostcfg.h"

#include <string.h>

/* Docker 20.10's HostConfig (api/types/container.HostConfig and its
 * Resources), in order, each at what `docker create` with no flags
 * records; Runtime is box's (sys-info's Default Runtime) */
static const char DEFAULTS[] =
    "{\"Binds\": null, \"ContainerIDFile\": \"\", \"LogConfig\": {\"Type\": \"json-file\", \"Config\": {}},"
    " \"NetworkMode\": \"default\", \"PortBindings\": {},"
    " \"RestartPolicy\": {\"Name\": \"no\", \"MaximumRetryCount\": 0}, \"AutoRemove\": false,"
    " \"VolumeDriver\": \"\", \"VolumesFrom\": null, \"CapAdd\": null, \"CapDrop\": null,"
    " \"CgroupnsMode\": \"private\", \"Dns\": [], \"DnsOptions\": [], \"DnsSearch\": [], \"ExtraHosts\": null,"
    " \"GroupAdd\": null, \"IpcMode\": \"private\", \"Cgroup\": \"\", \"Links\": null, \"OomScoreAdj\": 0,"
    " \"PidMode\": \"\", \"Privileged\": false, \"PublishAllPorts\": false, \"ReadonlyRootfs\": false,"
    " \"SecurityOpt\": null, \"UTSMode\": \"\", \"UsernsMode\": \"\", \"ShmSize\": 67108864,"
    " \"Runtime\": \"ctr-spawn\", \"ConsoleSize\": [0, 0], \"Isolation\": \"\", \"CpuShares\": 0, \"Memory\": 0,"
    " \"NanoCpus\": 0, \"CgroupParent\": \"\", \"BlkioWeight\": 0, \"BlkioWeightDevice\": [],"
    " \"BlkioDeviceReadBps\": null, \"BlkioDeviceWriteBps\": null, \"BlkioDeviceReadIOps\": null,"
    " \"BlkioDeviceWriteIOps\": null, \"CpuPeriod\": 0, \"CpuQuota\": 0, \"CpuRealtimePeriod\": 0,"
    " \"CpuRealtimeRuntime\": 0, \"CpusetCpus\": \"\", \"CpusetMems\": \"\", \"Devices\": [],"
    " \"DeviceCgroupRules\": null, \"DeviceRequests\": null, \"KernelMemory\": 0, \"KernelMemoryTCP\": 0,"
    " \"MemoryReservation\": 0, \"MemorySwap\": 0, \"MemorySwappiness\": null, \"OomKillDisable\": false,"
    " \"PidsLimit\": null, \"Ulimits\": [], \"CpuCount\": 0, \"CpuPercent\": 0, \"IOMaximumIOps\": 0,"
    " \"IOMaximumBandwidth\": 0, \"MaskedPaths\": null, \"ReadonlyPaths\": null}";

/* the fields Docker leaves out when empty, each shown after the field
 * it follows in the struct */
static const char *const OMITEMPTY[][2] = {
    {"SecurityOpt", "StorageOpt"},    {"SecurityOpt", "Tmpfs"},  {"ShmSize", "Sysctls"},
    {"IOMaximumBandwidth", "Mounts"}, {"ReadonlyPaths", "Init"},
};

static int
is_empty (json_t *v)
{
	return !v || json_is_null (v) || (json_is_object (v) && !json_object_size (v)) ||
	       (json_is_array (v) && !json_array_size (v));
}

static int
is_omitempty (const char *key)
{
	for (size_t i = 0; i < sizeof OMITEMPTY / sizeof *OMITEMPTY; i++)
		if (!strcmp (OMITEMPTY[i][1], key))
			return 1;
	return 0;
}

/* the runtime's own masks, as Docker reports the defaults it applied */
static json_t *
oci_paths (json_t *oci, const char *key)
{
	json_t *v = json_object_get (json_object_get (oci, "linux"), key);

	return json_array_size (v) ? v : NULL;
}

json_t *
hostcfg_inspect (json_t *recorded, json_t *oci)
{
	json_t *def = json_loads (DEFAULTS, 0, NULL), *out = json_object (), *v, *d;
	const char *k;

	if (!def || !out) {
		json_decref (def);
		json_decref (out);
		return NULL;
	}
	json_object_set (def, "MaskedPaths", oci_paths (oci, "maskedPaths") ?: json_null ());
	json_object_set (def, "ReadonlyPaths", oci_paths (oci, "readonlyPaths") ?: json_null ());
	json_object_foreach (def, k, d)
	{
		v = json_object_get (recorded, k);
		/* a list Docker's CLI always sends, recorded as null: Docker's [] */
		if (!v || (json_is_null (v) && json_is_array (d)))
			v = d;
		json_object_set (out, k, v);
		for (size_t i = 0; i < sizeof OMITEMPTY / sizeof *OMITEMPTY; i++)
			if (!strcmp (OMITEMPTY[i][0], k) && !is_empty (v = json_object_get (recorded, OMITEMPTY[i][1])))
				json_object_set (out, OMITEMPTY[i][1], v);
	}
	json_object_foreach (recorded, k, v) if (!json_object_get (def, k) && !is_omitempty (k))
	    json_object_set (out, k, v);
	json_decref (def);
	return out;
}
