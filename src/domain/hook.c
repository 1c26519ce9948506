/* SPDX-License-Identifier: Apache-2.0 */
/* The decision hook (hook.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/event.h"
#include "domain/hook.h"

int ts_domain_hook_run(const char *cmd, const char *action, const ts_domain_case_t *c, char *why,
                       size_t size)
{
    if (cmd == NULL || cmd[0] == '\0' || action == NULL || c == NULL)
        return TS_EINVAL;
    char id[24], until[48] = "";
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    if (c->until > 0)
        ts_time_format_utc(c->until, until, sizeof until);
    char *const argv[] = {
        (char *)cmd, (char *)action, (char *)c->domain, id, (char *)c->state, until, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            dup2(fd, 0);
        execv(cmd, argv);
        _exit(127);
    }
    if (pid < 0) {
        snprintf(why, size, "cannot start %s: %s", cmd, strerror(errno));
        return TS_EIO;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            snprintf(why, size, "%s: %s", cmd, strerror(errno));
            return TS_EIO;
        }
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec >= TS_HOOK_TIMEOUT_S) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            snprintf(why, size, "%s: killed after %d s", cmd, TS_HOOK_TIMEOUT_S);
            return TS_EIO;
        }
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(why, size, "%s: could not be run (exit 127)", cmd);
    else if (WIFEXITED(status))
        snprintf(why, size, "%s: exit status %d", cmd, WEXITSTATUS(status));
    else
        snprintf(why, size, "%s: killed by signal %d", cmd, WTERMSIG(status));
    return TS_EIO;
}
