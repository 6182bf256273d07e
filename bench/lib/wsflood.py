#!/usr/bin/env python3
"""N WebSocket clients in one process, each counting messages until it
has COUNT or TIMEOUT passes; prints the total received.
usage: wsflood.py URL N COUNT TIMEOUT"""
import asyncio, sys
import websockets


async def one(url, count, timeout, ready):
    got = 0
    try:
        async with websockets.connect(url, max_size=2 ** 24) as ws:
            ready.append(1)
            while got < count:
                m = await asyncio.wait_for(ws.recv(), timeout)
                if '"heartbeat"' not in m[:40]:
                    got += 1
    except Exception:  # noqa: BLE001 - a bench counts what arrived
        pass
    return got


async def main(url, n, count, timeout):
    ready = []
    tasks = [asyncio.create_task(one(url, count, timeout, ready)) for _ in range(n)]
    while len(ready) < n:
        await asyncio.sleep(0.05)
    print("ready", flush=True)
    print(sum(await asyncio.gather(*tasks)), flush=True)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
