"""Posting a chapter to a work with many subscribers, and the email it makes.

For each subscriber count: a fresh archive, a writer and a work (through the
JSON API of a real `quire serve`), N subscribers written straight into the
SQLite file (making 10,000 accounts through argon2 would take the bench's
whole budget), then one chapter posted through the API. Measured: how long
the post takes to return, how long until the SMTP server (aiosmtpd, in this
process) has the last message, and messages per second. The peer, in the same
run: Python's smtplib handing the same number of messages of the same size to
the same kind of server over one connection.
"""

import json
import os
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from email.message import EmailMessage

from aiosmtpd.controller import Controller

QUIRE = sys.argv[1]
WORK_DIR = sys.argv[2]
COUNTS = [int(n) for n in sys.argv[3].split(",")]


class Counting:
    def __init__(self):
        self.times = []
        self.sizes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.times.append(time.monotonic())
            self.sizes.append(len(envelope.content))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sink():
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler


def api(base, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")


def run(count):
    data = os.path.join(WORK_DIR, f"data-{count}")
    subprocess.run(["rm", "-rf", data], check=True)
    subprocess.run(
        [QUIRE, "user", "add", "writer", "--email", "writer@example.org", "--password-stdin", "--data", data],
        input=b"a long enough password\n", check=True, capture_output=True)
    token = subprocess.run(
        [QUIRE, "user", "token", "writer", "--name", "bench", "--scope", "write", "--data", data],
        check=True, capture_output=True).stdout.decode().strip()
    controller, handler = sink()
    server = subprocess.Popen(
        [QUIRE, "serve", "--data", data, "--listen", "127.0.0.1:0",
         "--smtp-url", f"smtp://127.0.0.1:{controller.port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "QUIRE_LOG": "error"})
    try:
        base = server.stdout.readline().decode().strip().removeprefix("quire is listening on ")
        work = api(base, "POST", "/api/v1/works", token, {
            "title": "Slow Burn", "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"], "fandoms": ["Original Work"],
            "body": "The first chapter. " * 200,
        })["id"]
        db = sqlite3.connect(os.path.join(data, "quire.sqlite"), timeout=30)
        now = int(time.time())
        with db:
            first = (db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]) + 1
            db.executemany(
                "INSERT INTO users (id, login, login_key, email, password_hash, created_at) VALUES (?, ?, ?, ?, 'x', ?)",
                [(first + i, f"sub{i}", f"sub{i}", f"sub{i}@example.org", now) for i in range(count)])
            db.executemany(
                "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES (?, ?, ?, 1)",
                [(first + i, f"sub{i}", f"sub{i}") for i in range(count)])
            db.executemany(
                "INSERT INTO subscriptions (user_id, target_kind, target_id) VALUES (?, 'work', ?)",
                [(first + i, work) for i in range(count)])
        db.close()
        time.sleep(2)  # the worker has delivered the work's own event
        handler.times.clear()
        started = time.monotonic()
        api(base, "POST", f"/api/v1/works/{work}/chapters", token, {"body": "The second chapter. " * 200})
        returned = time.monotonic() - started
        deadline = started + 600
        while len(handler.times) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        got = len(handler.times)
        last = (handler.times[-1] - started) if got else 0.0
        first_at = (handler.times[0] - started) if got else 0.0
        rate = (got - 1) / (handler.times[-1] - handler.times[0]) if got > 1 else 0.0
        size = sum(handler.sizes) / got if got else 0
        return {"subscribers": count, "post_returns_ms": returned * 1000, "first_message_s": first_at,
                "last_message_s": last, "delivered": got, "messages_per_s": rate, "bytes_per_message": size}
    finally:
        server.terminate()
        server.wait()
        controller.stop()


def peer(count, size):
    controller, handler = sink()
    try:
        message = EmailMessage()
        message["From"] = "quire <noreply@127.0.0.1>"
        message["Subject"] = "New chapter: Slow Burn, chapter 2"
        message.set_content("x" * max(100, int(size * 0.4)))
        message.add_alternative("<p>" + "x" * max(100, int(size * 0.4)) + "</p>", subtype="html")
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", controller.port) as client:
            for i in range(count):
                del message["To"]
                message["To"] = f"sub{i}@example.org"
                client.send_message(message)
        while len(handler.times) < count:
            time.sleep(0.01)
        return (count - 1) / (handler.times[-1] - handler.times[0]), time.monotonic() - started
    finally:
        controller.stop()


results = [run(n) for n in COUNTS]
biggest = max(results, key=lambda r: r["subscribers"])
peer_rate, peer_total = peer(biggest["subscribers"], biggest["bytes_per_message"] or 2000)
baseline = min(results, key=lambda r: r["subscribers"])["post_returns_ms"]
print("| subscribers | post returns | first message | last message handed to SMTP | delivered | messages/s | smtplib (one connection) messages/s | ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in results:
    ratio = f"{r['messages_per_s'] / peer_rate:.2f}×" if r["subscribers"] == biggest["subscribers"] else ""
    peer_cell = f"{peer_rate:,.0f}" if r["subscribers"] == biggest["subscribers"] else ""
    print(f"| {r['subscribers']:,} | {r['post_returns_ms']:.0f} ms ({r['post_returns_ms'] / baseline:.2f}× the smallest) "
          f"| {r['first_message_s']:.2f} s | {r['last_message_s']:.1f} s | {r['delivered']:,} "
          f"| {r['messages_per_s']:,.0f} | {peer_cell} | {ratio} |")
print(f"\nmessages of {biggest['bytes_per_message']:.0f} bytes on average; smtplib sent {biggest['subscribers']:,} in {peer_total:.1f} s")
