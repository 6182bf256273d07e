/* sig: flag-setting handlers. */
#include "sig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t ct_sig_stop;
volatile sig_atomic_t ct_sig_usr1;
volatile sig_atomic_t ct_sig_hup;
static volatile int wake = -1;

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGINT || sig == SIGTERM) {
		if (ct_sig_stop)
			_exit(1);
		ct_sig_stop = sig;
	} else if (sig == SIGUSR1) {
		ct_sig_usr1 = 1;
	} else if (sig == SIGHUP) {
		ct_sig_hup = 1;
	}
	if (wake >= 0) {
		char c = (char)sig;
		ssize_t r = write(wake, &c, 1);
		(void)r;
	}
	errno = saved;
}

void ct_sig_setup(int ignore_pipe, int wake_fd)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	wake = wake_fd;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (ignore_pipe) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
}
