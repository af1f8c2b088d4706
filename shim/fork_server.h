/*
 * fork_server.h — the signal setup of the shim's two fork servers, `spawner` and `zygote`: a poll loop that reads
 * SIGCHLD from a signalfd and reaps, and children that start from a clean signal state.
 */
#ifndef NODELET_FORK_SERVER_H
#define NODELET_FORK_SERVER_H

/* In the server: SIGCHLD blocked and delivered to the returned non-blocking signalfd (the loop polls it, then
 * reaps with waitpid(WNOHANG)); SIGPIPE ignored, so a reader that went away is a write error, not the server's
 * death. The fd, or -1 with fail_errno. */
int fork_server_signals(void);

/* Discards the SIGCHLDs pending on the signalfd once it polled readable (the caller then reaps every exited child:
 * one siginfo may stand for several exits). */
void fork_server_drain(int sigfd);

/* In a child the server forked: nothing blocked and SIGPIPE's default action, what fork_server_signals changed. */
void fork_server_child_signals(void);

#endif
