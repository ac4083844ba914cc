// What the program asks of Linux that Swift's Glibc module does not offer (it is built without
// _GNU_SOURCE): returning the pages of the executable's relocation table once start-up has applied
// it, starting a thread on another CPU than its creator's (bench/NOTES.md, "#29, round four"), and
// keeping malloc to one arena.
#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H
#ifdef __linux__
#include <malloc.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

struct el_relocation_table { uintptr_t start, end; };

// The main program's own table, found from its program headers (the kernel passes where they are).
// Why it can go: ld.so reads it once, before main, to relocate the executable (39,000 relative
// relocations, about 900 KiB), and every page of it then stays resident for the whole run. It sits
// in a read-only, file-backed segment, so the pages were never written: dropping them loses
// nothing, and a later read (there is none) would fetch the same bytes from the file again.
static inline struct el_relocation_table el_find_relocation_table(void) {
    struct el_relocation_table table = {0, 0};
    const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long count = getauxval(AT_PHNUM);
    if (phdr == NULL || count == 0) return table;
    uintptr_t base = 0;
    int have_base = 0;
    for (unsigned long i = 0; i < count; i++)
        if (phdr[i].p_type == PT_PHDR) { base = (uintptr_t)phdr - phdr[i].p_vaddr; have_base = 1; }
    if (!have_base) return table;
    const ElfW(Dyn) *dyn = NULL;
    for (unsigned long i = 0; i < count; i++)
        if (phdr[i].p_type == PT_DYNAMIC) dyn = (const ElfW(Dyn) *)(base + phdr[i].p_vaddr);
    if (dyn == NULL) return table;
    uintptr_t rela = 0, rela_size = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_RELA) rela = dyn->d_un.d_ptr;
        if (dyn->d_tag == DT_RELASZ) rela_size = dyn->d_un.d_val;
    }
    if (rela == 0 || rela_size == 0) return table;
    // Some versions of ld.so rewrite DT_RELA in place to the run-time address, others leave the
    // link-time one; a position-independent executable is never mapped below its own size.
    uintptr_t start = rela < base ? base + rela : rela;
    uintptr_t end = start + rela_size;
    // Only a table wholly inside one read-only segment is dropped: a writable page may hold data.
    for (unsigned long i = 0; i < count; i++) {
        uintptr_t seg = base + phdr[i].p_vaddr;
        if (phdr[i].p_type == PT_LOAD && !(phdr[i].p_flags & PF_W) && start >= seg && end <= seg + phdr[i].p_filesz) {
            table.start = start;
            table.end = end;
        }
    }
    return table;
}

// The number of bytes handed back (whole pages inside the table), 0 when there was nothing to do,
// or -1 when the kernel refused (errno is set).
static inline long el_release_relocation_table(void) {
    struct el_relocation_table table = el_find_relocation_table();
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || table.end <= table.start) return 0;
    uintptr_t first = (table.start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t last = table.end & ~((uintptr_t)page - 1);
    if (last <= first) return 0;
    if (madvise((void *)first, last - first, MADV_DONTNEED) != 0) return -1;
    return (long)(last - first);
}

#ifndef __USE_GNU
extern int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *set);
#endif

// The CPUs this thread may run on, into `set`: how many bytes of it the kernel filled, or -1.
static inline long el_allowed_cpus(cpu_set_t *set) {
    memset(set, 0, sizeof *set);
    long got = syscall(SYS_sched_getaffinity, 0, sizeof *set, set);
    return got > 0 && (size_t)got <= sizeof *set ? got : -1;
}

// How many CPUs of the first `bytes` of `set` are allowed, `except` (a CPU number) not counted.
static inline int el_count_cpus(const cpu_set_t *set, long bytes, long except) {
    const unsigned char *b = (const unsigned char *)set;
    int count = 0;
    for (long i = 0; i < bytes; i++)
        for (int bit = 0; bit < 8; bit++)
            if ((b[i] >> bit & 1) && i * 8 + bit != except) count++;
    return count;
}

// How many CPUs this thread may run on (its affinity mask), or -1 when the kernel will not say.
static inline int el_allowed_cpu_count(void) {
    cpu_set_t allowed;
    long got = el_allowed_cpus(&allowed);
    return got < 0 ? -1 : el_count_cpus(&allowed, got, -1);
}

// The CPU the calling thread is on now, or -1.
static inline int el_current_cpu(void) {
    unsigned cpu = 0;
    return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 && cpu < 8 * sizeof(cpu_set_t) ? (int)cpu : -1;
}

// Asks that a thread made with `attr` run on any CPU this process may use except the one the caller
// is on. Why: a new thread is queued on its creator's CPU, and on the build machine (2 vCPUs) it
// usually waited there until the creator blocked, so work meant to overlap the creator's ran after it
// (libcurl's initialisation started 0.7 ms late in 7 of 8 runs of a C test). Returns the CPU left
// out, or -1 when the attribute is left as it was (one CPU allowed, or the kernel's answers unusable).
static inline int el_thread_attr_elsewhere(pthread_attr_t *attr) {
    cpu_set_t allowed;
    long got = el_allowed_cpus(&allowed);
    int cpu = el_current_cpu();
    if (got < 0 || cpu < 0 || el_count_cpus(&allowed, got, cpu) == 0) return -1;
    ((unsigned char *)&allowed)[cpu / 8] &= (unsigned char)~(1u << (cpu % 8));
    return pthread_attr_setaffinity_np(attr, sizeof allowed, &allowed) == 0 ? cpu : -1;
}
/* At most `count` malloc arenas for the whole process (see main.swift); 1 on success, as mallopt. */
static inline int el_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

#endif /* __linux__ */
#endif
