#!/usr/bin/env python3
"""HTTP requests made from inside a network namespace for a test that runs outside it.

Started as `ip netns exec NS python3 nsrelay.py`. Reads one request a line on stdin, as JSON
{"method": "GET", "url": "http://127.0.0.1:9515/...", "headers": {...}, "body": "..."}; answers
each with a line "STATUS LENGTH" followed by LENGTH bytes of the response body (status 0 and the
error text if the request failed). WebConsoleIT uses it to talk to chromedriver and to the web
console, both of which listen on the namespace's own 127.0.0.1.
"""
import http.client
import json
import sys
import urllib.parse


def main():
    out = sys.stdout.buffer
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        status, data = 0, b""
        try:
            req = json.loads(line)
            u = urllib.parse.urlsplit(req["url"])
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=req.get("timeout", 120))
            path = (u.path or "/") + ("?" + u.query if u.query else "")
            body = req.get("body")
            conn.request(req.get("method", "GET"), path,
                         body=body.encode("utf-8") if body is not None else None,
                         headers=req.get("headers") or {})
            resp = conn.getresponse()
            status, data = resp.status, resp.read()
            conn.close()
        except Exception as e:  # reported to the test, which fails with it
            status, data = 0, repr(e).encode("utf-8")
        out.write(("%d %d\n" % (status, len(data))).encode("ascii"))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()
