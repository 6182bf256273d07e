#!/usr/bin/env python3
"""A certstream-style WebSocket client for the tests (python3-websockets).

usage: wsclient.py URL COUNT [TIMEOUT] [HEADER=VALUE ...]
Prints the first COUNT text messages, one per line, then closes
cleanly. Exit 0 if it got COUNT messages, 1 on timeout, 2 on a
connection error (its status code printed when the handshake failed).
"""
import asyncio, sys
import websockets


async def main(url, count, timeout, headers):
    try:
        async with websockets.connect(url, extra_headers=headers,
                                      max_size=2 ** 24) as ws:
            print("connected", file=sys.stderr, flush=True)
            got = 0
            while got < count:
                msg = await asyncio.wait_for(ws.recv(), timeout)
                print(msg, flush=True)
                got += 1
            return 0
    except asyncio.TimeoutError:
        return 1
    except websockets.exceptions.InvalidStatusCode as e:
        print("status %d" % e.status_code, flush=True)
        return 2
    except Exception as e:  # noqa: BLE001 - report any failure
        print("error %r" % e, file=sys.stderr)
        return 2


url, count = sys.argv[1], int(sys.argv[2])
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10
hdrs = [tuple(a.split("=", 1)) for a in sys.argv[4:]]
sys.exit(asyncio.run(main(url, count, timeout, hdrs)))
