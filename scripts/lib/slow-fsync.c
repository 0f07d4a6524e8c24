/*
 * Slows the disk down for benchmarks: loaded with LD_PRELOAD, it makes every
 * fsync and fdatasync of the process wait TANDEM_SLOW_FSYNC_US microseconds
 * first, but only while the file named by TANDEM_SLOW_FSYNC_FLAG exists (so
 * a benchmark's set-up runs at full speed). Used by scripts/bench-slow-disk.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_if_slow(void) {
    const char *flag = getenv("TANDEM_SLOW_FSYNC_FLAG");
    const char *us = getenv("TANDEM_SLOW_FSYNC_US");
    if (flag && us && access(flag, F_OK) == 0) {
        usleep((useconds_t)atoi(us));
    }
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_if_slow();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_if_slow();
    return real(fd);
}
