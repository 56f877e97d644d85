// A persistent pool of worker threads that spin for a short while after each job before they
// sleep, so that the many short parallel regions of a training step (matrix products split by
// rows, elementwise passes) do not pay a thread wake-up each.
//
// `cv_pool_run(count, threads, task, context)` calls `task(context, i)` for every i in
// 0..<count on up to `threads` threads: the calling thread and pool workers (started on first
// use, never stopped) each run their own contiguous share of the indices first, then take what is
// left of the others' shares, so a worker that is slow to get a core leaves its work to the
// others. It returns when every call has returned.
// A call made from inside a task, or while another thread's job is in flight, runs all its
// indices inline on the calling thread, so nesting never deadlocks.
#ifndef CV_POOL_H
#define CV_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

/// One index of a job.
typedef void (*cv_pool_task)(void *context, long index);

/// Runs `task(context, i)` for i in 0..<count on up to `threads` threads (see above).
void cv_pool_run(long count, long threads, cv_pool_task task, void *context);

/// Whether the calling thread is inside a task of `cv_pool_run` (then a nested call runs inline).
int cv_pool_in_task(void);

/// How long an idle worker spins before it sleeps, in microseconds (0: it sleeps at once).
/// Returns the previous value. The default is `CONVERGE_SPIN_US` when set, otherwise 200.
long cv_pool_set_spin_microseconds(long microseconds);

/// How long an idle worker spins before it sleeps, in microseconds.
long cv_pool_spin_microseconds(void);

/// The number of worker threads started so far (not counting callers).
long cv_pool_started_workers(void);

#ifdef __cplusplus
}
#endif
#endif
