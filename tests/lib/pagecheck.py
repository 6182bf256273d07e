#!/usr/bin/env python3
"""ct-serve's web page in headless Chromium, over the DevTools protocol
(python3-websockets; no puppeteer), for tests only.

usage: pagecheck.py URL OUTDIR FILTER LOGNAME TREESIZE [RESTART]

Starts chromium (profile in $PAGECHECK_PROFILE, else OUTDIR/chr; its
output in OUTDIR/chromium.log; screenshots in OUTDIR), opens
URL at 1280x900 and checks, each within a few seconds:
  - the feed fills (rows > 0) and holds a row FILTER does not match;
  - the status says live, certificates/s and clients show numbers > 0;
  - the log table has a row LOGNAME with tree size TREESIZE;
  - typing FILTER (ct-match items: names or .domains, split by commas or
    blanks) into the filter box
    empties the feed and fills it again with matching rows only;
  - at 390x844 (a phone): rows still there, no sideways scrolling;
  - no CSP violation, console error or uncaught exception so far;
then (at phone width):
  - Pause holds the feed still (and counts what comes), Resume goes on;
  - a filter the server refuses is shown with its reason;
  - with RESTART (a sh command that restarts ct-serve), the page notices
    and reconnects by itself, and the feed goes on;
  - and still no CSP violation or error, but the requests that failed on
    purpose.
Writes OUTDIR/page-desktop.png, OUTDIR/page-filtered.png,
OUTDIR/page-phone.png and OUTDIR/page-phone-dark.png. Prints what it checked; exit 0 if all held, 1 if
not (the reason printed), 2 if chromium would not start."""
import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import websockets

CHROMIUM = os.environ.get("CHROMIUM", "chromium")
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--disable-breakpad", "--mute-audio",
    "--disable-dev-shm-usage",  # containers have a small /dev/shm
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]
# what the page does in the browser is recorded where DevTools reads it
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Failed(Exception):
    pass


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.waiting = ws, 0, {}
        self.errors, self.loaded = [], asyncio.Event()

    async def reader(self):
        async for raw in self.ws:
            m = json.loads(raw)
            if "id" in m:
                fut = self.waiting.pop(m["id"], None)
                if fut and not fut.done():
                    fut.set_result(m)
                continue
            self.event(m.get("method"), m.get("params", {}))

    def event(self, method, p):
        if method == "Page.loadEventFired":
            self.loaded.set()
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append("exception: %s" % (
                d.get("exception", {}).get("description") or d.get("text")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in (
                "error", "assert"):
            self.errors.append("console.%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p.get("args", []))))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            if e.get("level") == "error":
                self.errors.append("%s: %s %s" % (
                    e.get("source"), e.get("text"), e.get("url", "")))

    async def call(self, method, **params):
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = fut
        await self.ws.send(json.dumps(
            {"id": self.next_id, "method": method, "params": params}))
        m = await asyncio.wait_for(fut, 30)
        if "error" in m:
            raise Failed("%s: %s" % (method, m["error"]))
        return m.get("result", {})

    async def js(self, expr):
        r = await self.call("Runtime.evaluate", expression=expr,
                            returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise Failed("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    async def until(self, what, expr, seconds):
        """Poll expr until it is truthy; its value."""
        end = time.monotonic() + seconds
        while True:
            v = await self.js(expr)
            if v:
                return v
            if time.monotonic() > end:
                raise Failed("%s: not within %g s" % (what, seconds))
            await asyncio.sleep(0.1)

    async def size(self, w, h, mobile):
        await self.call("Emulation.setDeviceMetricsOverride", width=w,
                        height=h, deviceScaleFactor=2 if mobile else 1,
                        mobile=mobile)

    async def shot(self, path):
        r = await self.call("Page.captureScreenshot", format="png",
                            captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        print("screenshot: %s" % path)


ROWS = "[...document.querySelectorAll('#feed tbody tr')]"
# each row's names: the cell's title holds them all
NAMES = ROWS + ".map((r) => r.cells[1].title.split('\\n'))"


def matches(flt, names):
    """Does any item of flt (names, .domains, split by commas or blanks)
    match one of names?"""
    return any(match1(i, names) for i in flt.replace(",", " ").split())


def match1(item, names):
    """ct-match's rule: a name, or .domain for it and all under it; a
    wildcard name covers one label."""
    item = item.lower().rstrip(".")
    for n in names:
        n = n.lower().rstrip(".")
        if item.startswith("."):
            if n == item[1:] or n.endswith(item):
                return True
            if n.startswith("*.") and (n[1:] == item or n[1:].endswith(item)):
                return True
        elif n == item or (n.startswith("*.") and "." in item and
                           item.split(".", 1)[1] == n[2:]):
            return True
    return False


async def check(page, out, flt, logname, tree, restart):
    await page.size(1280, 900, False)
    await page.call("Page.navigate", url=sys.argv[1])
    await asyncio.wait_for(page.loaded.wait(), 15)
    n = await page.until("feed rows", ROWS + ".length", 15)
    print("feed: %d rows" % n)
    end = time.monotonic() + 10
    while True:
        names = await page.js(NAMES)
        if not all(matches(flt, r) for r in names):
            break
        if time.monotonic() > end:
            raise Failed("every row matches %s before filtering" % flt)
        await asyncio.sleep(0.1)
    print("before the filter: %d rows, %d match %s" % (
        len(names), sum(matches(flt, r) for r in names), flt))
    st = await page.js("document.getElementById('status').textContent")
    if st != "live":
        raise Failed("status: %r, not live" % st)
    rate = await page.until(
        "certificates/s", "(() => { const t = document.getElementById"
        "('rate').textContent; return parseFloat(t) > 0 && t; })()", 10)
    clients = await page.until(
        "clients", "(() => { const t = document.getElementById"
        "('clients').textContent; return parseInt(t) > 0 && t; })()", 5)
    print("status live, %s certificates/s, %s clients" % (rate, clients))
    row = await page.until(
        "log %s with tree size %s" % (logname, tree),
        "[...document.querySelectorAll('#logs tbody tr')].map((r) => "
        "[...r.cells].map((c) => c.textContent)).find((c) => c[0] === %s "
        "&& c[3].replace(/,/g, '') === %s)" % (
            json.dumps(logname), json.dumps(str(tree))), 12)
    print("log table: %s" % " | ".join(row))
    await page.shot(os.path.join(out, "page-desktop.png"))

    await page.js("document.getElementById('filter').focus()")
    await page.call("Input.insertText", text=flt)
    await page.until("the URL to carry the filter",
                     "location.search.includes('domain=')", 5)
    await asyncio.sleep(0.3)
    names = await page.until("filtered rows", NAMES + ".length >= 3 && "
                             + NAMES, 15)
    bad = [r for r in names if not matches(flt, r)]
    if bad:
        raise Failed("rows the filter %s does not match: %s" % (flt, bad[:3]))
    print("filter %s: %d rows, every one matches" % (flt, len(names)))
    await page.shot(os.path.join(out, "page-filtered.png"))

    await page.size(390, 844, True)
    await asyncio.sleep(0.5)
    # (a mobile browser widens its layout viewport to content that
    # overflows, so innerWidth is compared with the 390 px too)
    w = await page.js("[document.documentElement.scrollWidth, innerWidth, "
                      "document.getElementById('feed').scrollWidth, "
                      "document.getElementById('feed').parentElement"
                      ".clientWidth]")
    if max(w[0], w[1]) > 390 or w[2] > w[3]:
        raise Failed("at 390 px: page %d wide in %d, feed %d in %d" % tuple(w))
    n = await page.until("rows at phone width", ROWS + ".length", 5)
    print("phone width: page %d px in %d, feed %d in %d, %d rows" % (
        w[0], w[1], w[2], w[3], n))
    await page.shot(os.path.join(out, "page-phone.png"))
    await page.call("Emulation.setEmulatedMedia", features=[
        {"name": "prefers-color-scheme", "value": "dark"}])
    await asyncio.sleep(0.3)
    await page.shot(os.path.join(out, "page-phone-dark.png"))
    csp = await page.js("window.__csp")
    if csp or page.errors:
        raise Failed("CSP violations %s; errors %s" % (csp, page.errors))
    print("no CSP violation, no console error")
    # from here on requests fail on purpose (the browser logs them)
    await pause(page)
    await refused(page, flt)
    if restart:
        await reconnects(page, restart)
    csp = await page.js("window.__csp")
    errors = [e for e in page.errors if not e.startswith("network: ")]
    if csp or errors:
        raise Failed("CSP violations %s; errors %s" % (csp, errors))


SHOWN = "parseInt(document.getElementById('shown').textContent) || 0"


async def pause(page):
    """Paused, the feed stands still and the button counts what came."""
    await page.js("document.getElementById('pause').click()")
    n = await page.js(ROWS + ".length")
    b = await page.until("the pause button to count new ones",
                         "(() => { const t = document.getElementById"
                         "('pause').textContent; return /^Resume \\(\\d/"
                         ".test(t) && t; })()", 5)
    if await page.js(ROWS + ".length") != n:
        raise Failed("the feed moved while paused")
    seen = await page.js(SHOWN)
    await page.js("document.getElementById('pause').click()")
    await page.until("new rows after Resume", "%s > %d" % (SHOWN, seen), 5)
    print("pause: %d rows stood while the button said %r; resumed" % (n, b))


async def refused(page, flt):
    """A list the server refuses is shown with its reason; back to flt."""
    await page.js("(() => { const f = document.getElementById('filter');"
                  " f.value = '*.bad.example'; f.dispatchEvent("
                  "new KeyboardEvent('keydown', {key: 'Enter'})); })()")
    why = await page.until("the reason a filter is refused",
                           "(() => { const e = document.getElementById"
                           "('ferr'); return !e.hidden && e.textContent; "
                           "})()", 10)
    st = await page.js("document.getElementById('status').textContent")
    print("filter *.bad.example: %r, status %r" % (why, st))
    await page.js("(() => { const f = document.getElementById('filter');"
                  " f.value = %s; f.dispatchEvent(new KeyboardEvent("
                  "'keydown', {key: 'Enter'})); })()" % json.dumps(flt))
    await page.until("live again", "document.getElementById('status')"
                     ".textContent === 'live'", 10)


async def reconnects(page, restart):
    """ct-serve restarted: the page says so, comes back by itself, and
    the feed goes on."""
    status = "document.getElementById('status').textContent"
    seen = await page.js(SHOWN)
    subprocess.run(["sh", "-c", restart], check=True)
    down = await page.until("the page to notice ct-serve went away",
                            "%s !== 'live' && %s" % (status, status), 10)
    await page.until("the page to reconnect", "%s === 'live'" % status, 20)
    await page.until("rows after the reconnect", "%s > %d" % (SHOWN, seen),
                     10)
    print("restarted ct-serve: the page said %r, then live again, and the "
          "feed goes on" % down)


def devtools(profile, proc):
    """The page target's DevTools WebSocket URL, once chromium is up."""
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if proc.poll() is not None:
            return None
        try:
            with open(port_file) as f:
                port = f.readline().strip()
            if port:
                with urllib.request.urlopen(
                        "http://127.0.0.1:%s/json/list" % port) as r:
                    for t in json.load(r):
                        if t.get("type") == "page":
                            return t["webSocketDebuggerUrl"]
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    return None


async def main():
    url, out, flt, logname, tree = sys.argv[1:6]
    restart = sys.argv[6] if len(sys.argv) > 6 else None
    profile = os.environ.get("PAGECHECK_PROFILE") or os.path.join(out, "chr")
    os.makedirs(profile, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    # killed (a timeout): chromium goes too (finally, below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with open(os.path.join(out, "chromium.log"), "wb") as log:
        proc = subprocess.Popen(
            [CHROMIUM] + FLAGS + ["--user-data-dir=" + profile,
                                  "about:blank"],
            stdout=log, stderr=log, start_new_session=True)
    try:
        target = devtools(profile, proc)
        if not target:
            print("chromium did not start (see %s/chromium.log)" % out)
            return 2
        async with websockets.connect(target, max_size=2 ** 26) as ws:
            page = Page(ws)
            reader = asyncio.ensure_future(page.reader())
            await page.call("Page.addScriptToEvaluateOnNewDocument",
                            source=WATCH)
            for d in ("Page", "Runtime", "Log"):
                await page.call(d + ".enable")
            try:
                await check(page, out, flt, logname, int(tree), restart)
            except Failed as e:
                print("FAILED: %s" % e)
                if page.errors:
                    print("errors: %s" % page.errors)
                return 1
            finally:
                reader.cancel()
        return 0
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
