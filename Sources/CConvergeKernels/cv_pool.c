// The spin-then-sleep worker pool of cv_pool.h.
//
// A job is a descriptor (task, context, count) and one claim word per participant. The job's
// indices are cut into at most 65535 units (consecutive indices), and participant p owns the
// p-th contiguous share of the units: its word holds the job's sequence number (high half), the
// next unit of the share and the share's end. A participant runs the units of its own share from
// the front, each taken with a compare-and-swap that also checks the sequence, then takes what is
// left of the other shares the same way. So on a quiet machine every thread runs the rows it ran
// last time (the same halves a split matrix product gives it: its cache holds them), and a thread
// that the scheduler keeps off its core (a busy machine, a slow virtual CPU) costs the job only
// the unit it holds: the others run the rest of its share. A worker that wakes after the job
// finished, or after the next one began, takes nothing: the sequence no longer matches. The
// caller returns when `completed` reaches the unit count.
//
// Sleeping uses a mutex and condition variable per worker with a `sleeping` flag; the caller's
// store of `posted` and its load of `sleeping`, and the worker's store of `sleeping` and its load
// of `posted`, are sequentially consistent, so at least one side sees the other (no lost wake-up).
// An idle worker spins before it sleeps only when the pool has no more threads than the process
// has CPUs, and it offers its core to other threads (sched_yield) every few microseconds.
#include "cv_pool.h"

#include "cv_cpus.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CV_POOL_MAX_WORKERS 255

typedef struct {
    _Atomic unsigned long posted;
    _Atomic int sleeping;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    long index;            // 1-based participant number
    unsigned long initial; // the job sequence when the worker was made (it has seen that one)
} cv_worker;

static cv_worker *workers[CV_POOL_MAX_WORKERS];
static _Atomic long started = 0;
static pthread_mutex_t start_mutex = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int busy = 0;
static _Atomic long spin_ns = -1;
static _Atomic int spin_notice_printed = 0;

// The job in flight: written by its caller before it posts the job to the workers, read by
// workers after they load a claim word of the job (relaxed atomics: a late worker may read them
// while the next job's caller rewrites them, and its claim then fails).
static _Atomic(cv_pool_task) job_task;
static _Atomic(void *) job_context;
static _Atomic long job_count;         // indices
static _Atomic long job_group;         // indices per unit
static _Atomic long job_participants;  // shares
static _Atomic long job_completed;     // units that have returned

#define CV_POOL_MAX_UNITS 65535L
// A participant's claim word: sequence (32 bits) | next unit (16) | end of its share (16), on a
// cache line of its own.
typedef struct { _Atomic uint64_t word; char padding[56]; } cv_share;
static cv_share shares[CV_POOL_MAX_WORKERS + 1];
static long shares_written = 0;        // shares any job has used (only the caller holding `busy` changes it)
static unsigned long job_sequence;     // only the caller holding `busy` changes it

static _Thread_local int in_task = 0;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static long spin_budget(void) {
    long value = atomic_load_explicit(&spin_ns, memory_order_relaxed);
    if (value >= 0) return value;
    long microseconds = 200;
    const char *text = getenv("CONVERGE_SPIN_US");
    if (text && *text) {
        char *end = NULL;
        long parsed = strtol(text, &end, 10);
        if (end && *end == '\0' && parsed >= 0 && parsed <= 1000000) {
            microseconds = parsed;
        } else if (!atomic_exchange(&spin_notice_printed, 1)) {
            fprintf(stderr, "converge: CONVERGE_SPIN_US=%s is not a whole number of microseconds from 0 to 1000000; using 200\n", text);
        }
    }
    value = microseconds * 1000;
    atomic_store_explicit(&spin_ns, value, memory_order_relaxed);
    return value;
}

long cv_pool_set_spin_microseconds(long microseconds) {
    long previous = spin_budget() / 1000;
    if (microseconds < 0) microseconds = 0;
    if (microseconds > 1000000) microseconds = 1000000;
    atomic_store_explicit(&spin_ns, microseconds * 1000, memory_order_relaxed);
    return previous;
}

long cv_pool_spin_microseconds(void) { return spin_budget() / 1000; }

int cv_pool_in_task(void) { return in_task; }

long cv_pool_started_workers(void) { return atomic_load(&started); }

static inline uint64_t share_word(uint32_t tag, long next, long end) {
    return (uint64_t)tag << 32 | (uint64_t)next << 16 | (uint64_t)end;
}

// Runs the units of share `p` of job `tag` until none is left there (or the job was replaced).
static void drain(long p, uint32_t tag) {
    _Atomic uint64_t *slot = &shares[p].word;
    uint64_t word = atomic_load_explicit(slot, memory_order_acquire);
    for (;;) {
        long next = (long)((word >> 16) & 0xFFFF), end = (long)(word & 0xFFFF);
        if ((uint32_t)(word >> 32) != tag || next >= end) return;
        // While the word still reads (tag, next, end) the job is not finished (unit `next` is
        // not taken), so its descriptor is still this job's.
        cv_pool_task task = atomic_load_explicit(&job_task, memory_order_relaxed);
        void *context = atomic_load_explicit(&job_context, memory_order_relaxed);
        long count = atomic_load_explicit(&job_count, memory_order_relaxed);
        long group = atomic_load_explicit(&job_group, memory_order_relaxed);
        if (!atomic_compare_exchange_weak_explicit(slot, &word, word + (1u << 16), memory_order_acq_rel,
                                                   memory_order_acquire)) continue;
        long first = next * group, last = first + group < count ? first + group : count;
        int outer = in_task;
        in_task = 1;
        for (long i = first; i < last; i++) task(context, i);
        in_task = outer;
        atomic_fetch_add_explicit(&job_completed, 1, memory_order_release);
        word = atomic_load_explicit(slot, memory_order_acquire);
    }
}

// Participant `self`'s part of job `sequence`: its own share, then the rest of the others'.
static void participate(unsigned long sequence, long self) {
    const uint32_t tag = (uint32_t)sequence;
    long participants = atomic_load_explicit(&job_participants, memory_order_relaxed);
    if (participants > CV_POOL_MAX_WORKERS + 1) participants = CV_POOL_MAX_WORKERS + 1;
    if (self < participants) drain(self, tag);
    for (long k = 1; k < participants; k++) drain((self + k) % participants, tag);
}

/// Spinning pays only when every thread of the pool can have a CPU of its own.
static int spinning_pays(void) {
    return atomic_load_explicit(&started, memory_order_relaxed) + 1 <= cv_available_cpus();
}

static void *worker_main(void *argument) {
    cv_worker *self = (cv_worker *)argument;
    unsigned long seen = self->initial;
    for (;;) {
        unsigned long posted = atomic_load_explicit(&self->posted, memory_order_acquire);
        if (posted == seen) {
            long budget = spinning_pays() ? spin_budget() : 0;
            long start = budget > 0 ? now_ns() : 0, offered = start;
            int spins = 0;
            while (budget > 0 && (posted = atomic_load_explicit(&self->posted, memory_order_acquire)) == seen) {
                cpu_relax();
                if (++spins == 64) {
                    spins = 0;
                    long now = now_ns();
                    if (now - start > budget) break;
                    // Another thread waiting for this core (on a busy machine) gets it now.
                    if (now - offered > 20000) { sched_yield(); offered = now; }
                }
            }
            if (posted == seen) {
                pthread_mutex_lock(&self->mutex);
                atomic_store(&self->sleeping, 1);
                while ((posted = atomic_load(&self->posted)) == seen) pthread_cond_wait(&self->wake, &self->mutex);
                atomic_store(&self->sleeping, 0);
                pthread_mutex_unlock(&self->mutex);
            }
        }
        seen = posted;
        participate(seen, self->index);
    }
    return NULL;
}

// A child of fork() has only the thread that forked: it starts its own workers when it needs them
// (the parent's worker records are leaked in the child, which is harmless).
static void forget_workers_in_child(void) {
    atomic_store(&started, 0);
    atomic_store(&busy, 0);
    in_task = 0;
    pthread_mutex_init(&start_mutex, NULL);
}

// Starts workers until `needed` exist; returns how many exist (fewer when a thread cannot start).
static long ensure_workers(long needed) {
    if (needed > CV_POOL_MAX_WORKERS) needed = CV_POOL_MAX_WORKERS;
    long have = atomic_load_explicit(&started, memory_order_acquire);
    if (have >= needed) return have;
    pthread_mutex_lock(&start_mutex);
    static int registered = 0;
    if (!registered) {
        pthread_atfork(NULL, NULL, forget_workers_in_child);
        registered = 1;
    }
    have = atomic_load(&started);
    while (have < needed) {
        cv_worker *worker = calloc(1, sizeof(cv_worker));
        if (!worker) break;
        pthread_mutex_init(&worker->mutex, NULL);
        pthread_cond_init(&worker->wake, NULL);
        worker->index = have + 1;
        worker->initial = job_sequence;
        atomic_init(&worker->posted, job_sequence);
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_t thread;
        int failed = pthread_create(&thread, &attributes, worker_main, worker);
        pthread_attr_destroy(&attributes);
        if (failed) {
            pthread_cond_destroy(&worker->wake);
            pthread_mutex_destroy(&worker->mutex);
            free(worker);
            break;
        }
        workers[have] = worker;
        have += 1;
        atomic_store_explicit(&started, have, memory_order_release);
    }
    pthread_mutex_unlock(&start_mutex);
    return have;
}

static void run_inline(long count, cv_pool_task task, void *context) {
    for (long i = 0; i < count; i++) task(context, i);
}

void cv_pool_run(long count, long threads, cv_pool_task task, void *context) {
    if (count <= 0) return;
    if (threads > count) threads = count;
    if (threads > CV_POOL_MAX_WORKERS + 1) threads = CV_POOL_MAX_WORKERS + 1;
    int expected = 0;
    if (threads < 2 || in_task || !atomic_compare_exchange_strong(&busy, &expected, 1)) {
        int outer = in_task;
        in_task = 1;
        run_inline(count, task, context);
        in_task = outer;
        return;
    }
    long available = ensure_workers(threads - 1);
    if (available < threads - 1) threads = available + 1;
    if (threads < 2) {
        atomic_store(&busy, 0);
        in_task = 1;
        run_inline(count, task, context);
        in_task = 0;
        return;
    }
    long group = (count + CV_POOL_MAX_UNITS - 1) / CV_POOL_MAX_UNITS;
    long units = (count + group - 1) / group;
    unsigned long sequence = ++job_sequence;
    const uint32_t tag = (uint32_t)sequence;
    // The shares first, under the new sequence (a late worker's claim on the last job fails from
    // here on), then the descriptor; the workers see both once they see `posted`.
    for (long p = 0; p < threads; p++) {
        atomic_store_explicit(&shares[p].word, share_word(tag, p * units / threads, (p + 1) * units / threads),
                              memory_order_relaxed);
    }
    for (long p = threads; p < shares_written; p++) {
        atomic_store_explicit(&shares[p].word, share_word(tag, 0, 0), memory_order_relaxed);
    }
    if (shares_written < threads) shares_written = threads;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&job_task, task, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_count, count, memory_order_relaxed);
    atomic_store_explicit(&job_group, group, memory_order_relaxed);
    atomic_store_explicit(&job_participants, threads, memory_order_relaxed);
    atomic_store_explicit(&job_completed, 0, memory_order_relaxed);
    for (long w = 0; w < threads - 1; w++) {
        cv_worker *worker = workers[w];
        atomic_store(&worker->posted, sequence);
        if (atomic_load(&worker->sleeping)) {
            pthread_mutex_lock(&worker->mutex);
            pthread_cond_signal(&worker->wake);
            pthread_mutex_unlock(&worker->mutex);
        }
    }
    participate(sequence, 0);
    // Every unit is taken; wait for those still running on workers. A worker preempted in the
    // middle of one gets the core when the machine is busy.
    for (long spins = 0; atomic_load_explicit(&job_completed, memory_order_acquire) < units; spins++) {
        if (spins < 20000) cpu_relax(); else sched_yield();
    }
    atomic_store_explicit(&busy, 0, memory_order_release);
}
