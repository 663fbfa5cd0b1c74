"""Opens N half-sent requests to quire (process PID) on 127.0.0.1:PORT from
other loopback addresses (64 per address, quire's default cap), counts the
connections the server holds (its open sockets), then times 50 requests of
another reader; prints one markdown table row. Loopback only; every socket
is closed before it exits."""

import socket
import statistics
import sys
import time

port, count, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
PER_ADDRESS = 64
held = []
started = time.perf_counter()
# Non-blocking connects, so that thousands are open well within the
# server's header deadline (10 s) rather than one after another.
for n in range(count):
    third, fourth = divmod(n // PER_ADDRESS, 250)
    source = f"127.0.{1 + third}.{1 + fourth}"
    s = socket.socket()
    s.bind((source, 0))
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    held.append(s)
pending = list(held)
while pending:
    still = []
    for s in pending:
        try:
            s.send(b"GET / HTTP/1.1\r\nHost: quire\r\nUser-Agent: slow")
        except BlockingIOError:
            still.append(s)
        except OSError:
            pass
    pending = still
    if pending:
        time.sleep(0.01)
opened_in = time.perf_counter() - started

def server_sockets():
    """The server's open sockets: its connections, its listener and its
    database's (a handful)."""
    import os

    fds = f"/proc/{pid}/fd"
    return sum(1 for fd in os.listdir(fds) if os.readlink(f"{fds}/{fd}").startswith("socket:"))


# The server takes what the kernel queued for it.
time.sleep(1)
held_by_server = server_sockets()
timings, errors = [], 0
for _ in range(50):
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as reader:
            reader.sendall(b"GET /healthz HTTP/1.1\r\nHost: quire\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := reader.recv(65536):
                answer += chunk
        if not answer.startswith(b"HTTP/1.1 200"):
            errors += 1
    except OSError:
        errors += 1
    timings.append((time.perf_counter() - started) * 1000)

for s in held:
    s.close()
timings.sort()
p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
print(
    f"| {count:,} | {held_by_server:,} | {statistics.median(timings):.1f} | {p99:.1f} | "
    f"{timings[-1]:.1f} | {errors} | {opened_in:.1f} |"
)
