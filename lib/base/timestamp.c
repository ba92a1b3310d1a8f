#include "base/timestamp.h"

#include <stdio.h>
#include <time.h>

void
timestamp_now (char out[TIMESTAMP_LEN])
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime (CLOCK_REALTIME, &ts);
	gmtime_r (&ts.tv_sec, &tm);
	strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf (out, TIMESTAMP_LEN, "%s.%09ldZ", base, ts.tv_nsec);
}
