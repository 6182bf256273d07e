/* wsconn: a WebSocket client's input. Complete frames are answered (a
 * ping with a pong, a close with a close), checked (masked, not too
 * large, text valid UTF-8 once inflated, fragments in order) and
 * otherwise ignored; a protocol error is answered with a close frame
 * (1002, 1007, 1009) and the client dropped once it is written. A
 * partial frame waits in a CIN-byte buffer of the client's own. */
#ifndef CTSERVE_WSCONN_H
#define CTSERVE_WSCONN_H

#include "server.h"

/* Read and handle what WebSocket client c sent (it may be dropped). */
void ws_readable(struct server *s, struct client *c);

#endif
