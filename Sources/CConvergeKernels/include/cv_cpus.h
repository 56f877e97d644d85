// How many CPUs this process may run on.
#ifndef CV_CPUS_H
#define CV_CPUS_H
#ifdef __cplusplus
extern "C" {
#endif
/// The CPUs this process may use: the smallest of the online CPUs, the CPUs in its affinity mask
/// (`taskset`, `numactl`, a container's cpuset) and its cgroup v2 CPU quota (`cpu.max`, rounded
/// up to whole CPUs, as `docker run --cpus` sets it). At least 1. Computed once.
long cv_available_cpus(void);
#ifdef __cplusplus
}
#endif
#endif
