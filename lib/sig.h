/* sig: signal handling for long-running commands. Handlers only set
 * flags; the command's loop polls them. A second SIGINT or SIGTERM while
 * a stop is pending exits at once (status 1). */
#ifndef CT_SIG_H
#define CT_SIG_H

#include <signal.h>

extern volatile sig_atomic_t ct_sig_stop;   /* SIGINT/SIGTERM seen */
extern volatile sig_atomic_t ct_sig_usr1;   /* SIGUSR1 seen */
extern volatile sig_atomic_t ct_sig_hup;    /* SIGHUP seen */

/* Install the handlers (without SA_RESTART, so blocking calls return
 * EINTR). ignore_pipe: set SIGPIPE to SIG_IGN (network programs). If
 * wake_fd >= 0, a byte is written to it on every signal (self-pipe). */
void ct_sig_setup(int ignore_pipe, int wake_fd);

#endif
