"""Server benchmark: the web app under waitress, 8 concurrent staff clients over real HTTP.

Run from the repository root:  python benchmarks/server.py [--requests N]

It starts `handouts serve` in its own process on a free port with a fresh data folder, adds
eight accounts, signs each client in, then measures (each client its own session, all eight
at once):
  - cached: Download of a handout already made (same choices), served from the cache by
    input digest;
  - new: Download with a different patient name each time (a new build every request);
  - memory: the server's resident memory (VmRSS) before and after 1,000 more requests
    (downloads cached and new, previews, searches), after a warm-up that fills the cache.
Targets (issue 11): cached p95 < 100 ms, new p95 < 400 ms, memory growth < 20 MB.
Prints Markdown for the README.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from handouts.records import accounts  # noqa: E402
from handouts.records.store import open_database  # noqa: E402

CLIENTS = 8
PASSWORD = "benchmark password 1"
CHOICE = {"clinic": "lakeside", "lang": "es", "level": "easy", "layout": "letter"}


class Client:
    """One signed-in member of staff: a keep-alive connection and a session cookie."""

    def __init__(self, port: int, username: str):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        page = self.request("GET", "/sign-in")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        self.request("POST", "/sign-in", {"username": username, "password": PASSWORD},
                     expect=302)
        page = self.request("GET", "/")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()

    def request(self, method: str, path: str, form: dict | None = None,
                expect: int = 200) -> bytes:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": getattr(self, "csrf", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status != expect:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        return data

    def timed(self, method: str, path: str, form: dict | None = None) -> float:
        started = time.perf_counter()
        data = self.request(method, path, form)
        elapsed = time.perf_counter() - started
        if path.endswith("/download") and not data.startswith(b"%PDF"):
            raise RuntimeError("the download is not a PDF")
        return elapsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(pid: int) -> list[str]:
    """Children started by any of the process's threads (the build pool starts its own)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend((task / "children").read_text().split())
        except OSError:
            continue
    return found


def rss_mb(pid: int) -> float | None:
    """Resident memory of the server and its worker processes (Linux /proc), in MB."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
        children = child_pids(pid)
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    own = int(match.group(1)) / 1024 if match else 0.0
    return own + sum(rss_mb(int(child)) or 0.0 for child in children)


def cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by the server and its worker processes (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = child_pids(pid)
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return own + sum(cpu_seconds(int(child)) or 0.0 for child in children)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_all(clients: list[Client], work) -> list[float]:
    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        results = pool.map(work, range(len(clients)))
    return [t for times in results for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=25,
                        help="timed requests per client for each figure (default 25)")
    parser.add_argument("--memory-requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None,
                        help="the server's build processes (default: handouts serve's own)")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    data_dir = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    engine = open_database(f"sqlite:///{data_dir / 'handouts.db'}")
    for number in range(CLIENTS):
        user = accounts.create_user(engine, f"staff{number}")
        accounts.set_password(engine, user.id, PASSWORD)
    engine.dispose()
    port = free_port()
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - open while the server runs
    server = subprocess.Popen(
        [sys.executable, "-m", "handouts", "--root", str(REPO), "serve", "--port", str(port),
         "--data-dir", str(data_dir),
         *(["--workers", str(args.workers)] if args.workers is not None else [])],
        stdout=log, stderr=subprocess.STDOUT,
        cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        clients = [Client(port, f"staff{n}") for n in range(CLIENTS)]
        download = "/topics/bone-metastasis/download"
        clients[0].request("POST", download, CHOICE)  # made once: later ones are cached

        def cached(index: int) -> list[float]:
            return [clients[index].timed("POST", download, CHOICE)
                    for _ in range(args.requests)]

        def new(index: int) -> list[float]:
            return [clients[index].timed("POST", download, {
                **CHOICE, "patient_name": f"Person {index}-{n}-{time.time_ns()}"})
                for n in range(args.requests)]

        run_all(clients, lambda i: [clients[i].timed("GET", "/") for _ in range(3)])
        cpu_start = cpu_seconds(server.pid)
        cached_times = run_all(clients, cached)
        cpu_cached = cpu_seconds(server.pid)
        new_times = run_all(clients, new)
        cpu_new = cpu_seconds(server.pid)

        def mixed(index: int, count: int) -> list[float]:
            client, times = clients[index], []
            for n in range(count):
                kind = n % 5
                if kind == 0:
                    times.append(client.timed("POST", download, {
                        **CHOICE, "patient_name": f"Mixed {index}-{n}-{time.time_ns()}"}))
                elif kind == 1:
                    times.append(client.timed("POST", "/topics/hypercalcemia/preview",
                                              {**CHOICE, "lang": "en"}))
                elif kind == 2:
                    times.append(client.timed("GET", "/search?q=bone"))
                else:
                    times.append(client.timed("POST", download, CHOICE))
            return times

        per_client = args.memory_requests // CLIENTS
        run_all(clients, lambda i: mixed(i, 200 // CLIENTS))  # warm-up: fills the cache
        before = rss_mb(server.pid)
        run_all(clients, lambda i: mixed(i, per_client))
        after = rss_mb(server.pid)
    except RuntimeError as error:
        log.flush()
        tail = (data_dir / "server.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"{error}\nthe server's log ends:\n{tail}") from None
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    def row(name: str, times: list[float], target: float, cpu: float | None) -> str:
        p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
        verdict = "met" if p95 < target else "MISSED"
        per_request = f"{cpu / len(times) * 1000:.0f} ms" if cpu is not None else "n/a"
        return (f"| {name} | {len(times)} | {p50:.0f} ms | {p95:.0f} ms | "
                f"{max(times) * 1000:.0f} ms | {per_request} | < {target:.0f} ms: {verdict} |")

    cpu = platform.processor() or platform.machine()
    workers = args.workers if args.workers is not None else os.cpu_count()
    print(f"Server benchmark, {started_at}: {platform.system()} {cpu}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, waitress "
          f"({CLIENTS} threads, {workers} build processes), {CLIENTS} concurrent clients over "
          "HTTP keep-alive.\n")
    print("| request | count | p50 | p95 | max | server CPU per request | target (p95) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    known = None not in (cpu_start, cpu_cached, cpu_new)
    print(row("download, already made (cached)", cached_times, 100,
              cpu_cached - cpu_start if known else None))
    print(row("download, new (patient name differs)", new_times, 400,
              cpu_new - cpu_cached if known else None))
    if before is not None and after is not None:
        growth = after - before
        verdict = "met" if growth < 20 else "MISSED"
        print(f"\nServer memory (with its build processes) over {per_client * CLIENTS} more "
              f"requests (after a 200-request warm-up): {before:.0f} MB -> {after:.0f} MB, "
              f"growth {growth:+.1f} MB "
              f"(target < 20 MB: {verdict}).")
    print(f"\n(One run; the machine's load average: {load_at_start:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores.)")


if __name__ == "__main__":
    main()
