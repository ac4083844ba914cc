// What the program asks of Linux that Swift's Glibc module does not offer (it is built without
// _GNU_SOURCE): returning the pages of the executable's relocation table once start-up has applied
// it, and starting a thread on another CPU than its creator's (bench/NOTES.md, "#29, round four").
#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H
#ifdef __linux__
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

// How many CPUs this thread may run on (its affinity mask), or -1 when the kernel will not say.
static inline int el_allowed_cpu_count(void) {
    cpu_set_t allowed;
    memset(&allowed, 0, sizeof allowed);
    long got = syscall(SYS_sched_getaffinity, 0, sizeof allowed, &allowed);
    if (got <= 0) return -1;
    int count = 0;
    unsigned char *bytes = (unsigned char *)&allowed;
    for (size_t i = 0; i < (size_t)got && i < sizeof allowed; i++)
        for (int b = 0; b < 8; b++) count += bytes[i] >> b & 1;
    return count;
}

// The CPU the calling thread is on now, or -1.
static inline int el_current_cpu(void) {
    unsigned cpu = 0;
    return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 ? (int)cpu : -1;
}

// Asks that a thread made with `attr` run on any CPU this process may use except the one the caller
// is on. Why: a new thread is queued on its creator's CPU, and on the build machine (2 vCPUs) it
// usually waited there until the creator blocked, so work meant to overlap the creator's ran after it
// (libcurl's initialisation started 0.7 ms late in 7 of 8 runs of a C test). Returns the CPU left
// out, or -1 when the attribute is left as it was (one CPU allowed, or the kernel's answers unusable).
static inline int el_thread_attr_elsewhere(pthread_attr_t *attr) {
    cpu_set_t allowed;
    memset(&allowed, 0, sizeof allowed);
    long got = syscall(SYS_sched_getaffinity, 0, sizeof allowed, &allowed);
    unsigned cpu = 0;
    if (got <= 0 || syscall(SYS_getcpu, &cpu, NULL, NULL) != 0 || cpu >= 8 * sizeof allowed) return -1;
    unsigned char *bytes = (unsigned char *)&allowed;
    int others = 0;
    for (size_t i = 0; i < (size_t)got && i < sizeof allowed; i++)
        for (int b = 0; b < 8; b++)
            if ((bytes[i] >> b & 1) && i * 8 + b != cpu) others++;
    if (others == 0) return -1;
    bytes[cpu / 8] &= (unsigned char)~(1u << (cpu % 8));
    return pthread_attr_setaffinity_np(attr, sizeof allowed, &allowed) == 0 ? (int)cpu : -1;
}
#endif /* __linux__ */
#endif
