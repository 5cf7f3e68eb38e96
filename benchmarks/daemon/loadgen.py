#!/usr/bin/env python3
"""Fixed-rate (open-loop) HTTP GET load generator, stdlib only.

Request i is due at t0 + i/rate whatever happened to earlier requests, so a slow server is not
hidden by the client waiting for it (no coordinated omission). Each latency is measured from the
request's due time to the end of reading the response ("latency"); the time from the actual
send to the end ("service") is recorded too. Worker threads keep persistent HTTP/1.1
connections. Prints one JSON object.

usage: loadgen.py URL TOKEN RATE SECONDS [WORKERS]
"""
import http.client
import json
import queue
import sys
import threading
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def main():
    url, token, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    workers = int(sys.argv[5]) if len(sys.argv) > 5 else 16
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    total = int(rate * seconds)
    due = queue.Queue()
    lock = threading.Lock()
    latencies, services, statuses, errors, sizes = [], [], {}, [], []

    def worker():
        conn = None
        while True:
            item = due.get()
            if item is None:
                break
            start = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                end = time.monotonic()
                with lock:
                    latencies.append(end - item)
                    services.append(end - start)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    sizes.append(len(body))
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as error:  # noqa: BLE001 - a benchmark records every failure
                with lock:
                    errors.append(repr(error))
                try:
                    conn.close()
                except Exception:  # noqa: BLE001
                    pass
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    t0 = time.monotonic() + 0.2
    for i in range(total):
        when = t0 + i / rate
        delay = when - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        due.put(when)
    send_end = time.monotonic()
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=30)
    wall = time.monotonic() - t0

    ms = lambda v: None if v is None else round(v * 1000.0, 3)  # noqa: E731
    result = {
        "url": url,
        "target_rate": rate,
        "seconds": seconds,
        "workers": workers,
        "scheduled": total,
        "completed": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "statuses": {str(k): v for k, v in statuses.items()},
        "achieved_rate": round(len(latencies) / wall, 1) if wall > 0 else None,
        "schedule_wall_s": round(send_end - t0, 3),
        "response_bytes_median": percentile(sizes, 50),
        "latency_ms": {p: ms(percentile(latencies, float(p[1:]))) for p in ("p50", "p90", "p99", "p99.9")},
        "latency_ms_max": ms(max(latencies) if latencies else None),
        "service_ms": {p: ms(percentile(services, float(p[1:]))) for p in ("p50", "p90", "p99", "p99.9")},
        "service_ms_max": ms(max(services) if services else None),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
