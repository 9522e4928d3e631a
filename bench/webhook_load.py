"""Load: 100,000 signed SendGrid events in batches of 1,000 to a real `newsletter serve`.

Starts `newsletter serve` (waitress) on 127.0.0.1 as a subprocess on a fresh SQLite
folder, posts the batches from several client threads, then counts the stored events:
none may be lost or doubled. Prints events per second (target: at least 5,000 on SQLite).

    .venv/bin/python bench/webhook_load.py [--events 100000] [--batch 1000] [--clients 4]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from newsletter.store import open_store

KINDS = ("delivered", "open", "click", "processed", "deferred")


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def batch_body(start: int, size: int) -> bytes:
    """``size`` distinct events numbered from ``start``."""
    now = int(time.time())
    return json.dumps([{"email": f"r{n % 5000}@example.com", "event": KINDS[n % len(KINDS)],
                        "timestamp": now, "sg_event_id": f"load-{n}", "issue": "1",
                        "sg_message_id": f"m{n}", "url": "https://example.com/x"}
                       for n in range(start, start + size)]).encode()


def post(port: int, key: ec.EllipticCurvePrivateKey, body: bytes) -> int:
    """Sign and post one batch; the HTTP status."""
    stamp = str(int(time.time()))
    signature = key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/webhooks/sendgrid", body, {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp})
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def start_server(folder: Path, port: int, public_key: str) -> subprocess.Popen[bytes]:
    """`newsletter serve` on 127.0.0.1:port, waited for until /healthz answers."""
    (folder / "newsletter.yaml").write_text("name: Load\npostal_address: 1 Load St\n")
    env = {**os.environ, "NEWSLETTER_SECRET_KEY": "load-test-secret-0123456789",
           "SENDGRID_WEBHOOK_PUBLIC_KEY": public_key, "NEWSLETTER_DATABASE_URL": ""}
    server = subprocess.Popen([sys.executable, "-c", "from newsletter.cli import main, web; "
                               "main()", "--config", str(folder / "newsletter.yaml"), "serve",
                               "--port", str(port), "--threads", "8"], env=env,
                              stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("newsletter serve did not start")


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    with tempfile.TemporaryDirectory() as tmp:
        folder, port = Path(tmp), free_port()
        server = start_server(folder, port, public)
        try:
            bodies = [batch_body(s, min(args.batch, args.events - s))
                      for s in range(0, args.events, args.batch)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                statuses = list(pool.map(lambda b: post(port, key, b), bodies))
            # SendGrid retries: post a tenth of the batches again; nothing may double.
            with ThreadPoolExecutor(args.clients) as pool:
                statuses += list(pool.map(lambda b: post(port, key, b), bodies[::10]))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
        with open_store(f"sqlite:///{folder / 'subscribers' / 'newsletter.db'}") as store:
            stored = sum(store.event_count().values())
    failed = [s for s in statuses if s != 200]
    sent = args.events + sum(len(json.loads(b)) for b in bodies[::10])
    print(f"{sent} events ({args.events} distinct) in {len(statuses)} batches, "
          f"{args.clients} clients: {elapsed:.1f} s, {sent / elapsed:,.0f} events/s")
    print(f"stored {stored} (expected {args.events}): "
          f"{'none lost, none doubled' if stored == args.events else 'MISMATCH'}; "
          f"non-200 answers: {len(failed)}")
    if failed or stored != args.events:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
