// The CPU count of cv_cpus.h.
#define _GNU_SOURCE
#include "cv_cpus.h"

#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

static _Atomic long cached = 0;

#if defined(__linux__)
// The cgroup v2 quota of this process's own cgroup, in whole CPUs (rounded up), or 0 for none.
static long cgroup_quota_cpus(void) {
    char path[512] = "/sys/fs/cgroup";
    FILE *self = fopen("/proc/self/cgroup", "r");
    if (self) {
        char line[400];
        while (fgets(line, sizeof line, self)) {
            if (line[0] == '0' && line[1] == ':' && line[2] == ':') {   // the v2 hierarchy: "0::/path"
                size_t length = 0;
                while (line[3 + length] && line[3 + length] != '\n') length++;
                if (length > 1) snprintf(path, sizeof path, "/sys/fs/cgroup%.*s", (int)length, line + 3);
                break;
            }
        }
        fclose(self);
    }
    char file[600];
    snprintf(file, sizeof file, "%s/cpu.max", path);
    FILE *limits = fopen(file, "r");
    if (!limits) return 0;
    char quota[32] = {0};
    long period = 0;
    long cpus = 0;
    if (fscanf(limits, "%31s %ld", quota, &period) == 2 && period > 0 && quota[0] >= '0' && quota[0] <= '9') {
        long microseconds = 0;
        if (sscanf(quota, "%ld", &microseconds) == 1 && microseconds > 0) cpus = (microseconds + period - 1) / period;
    }
    fclose(limits);
    return cpus;
}
#endif

long cv_available_cpus(void) {
    long value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value > 0) return value;
    long count = sysconf(_SC_NPROCESSORS_ONLN);
    if (count < 1) count = 1;
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        long allowed = CPU_COUNT(&set);
        if (allowed >= 1 && allowed < count) count = allowed;
    }
    long quota = cgroup_quota_cpus();
    if (quota >= 1 && quota < count) count = quota;
#endif
    atomic_store_explicit(&cached, count, memory_order_relaxed);
    return count;
}
