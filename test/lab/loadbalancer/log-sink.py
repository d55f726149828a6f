#!/usr/bin/env python3
"""The lab's stand-in for the logging seam's receiver: every datagram HAProxy sends to its log target, one line
each in OUT as "<unix ms> <text>". TARGET is unix:PATH (a unix datagram socket, as /dev/log) or udp:HOST:PORT.
Run inside the load balancer's namespace; prints "listening" once bound; runs until SIGTERM."""
import os
import signal
import socket
import sys
import time


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: log-sink.py unix:PATH|udp:HOST:PORT OUT", file=sys.stderr)
        return 2
    target, out_path = sys.argv[1], sys.argv[2]
    if target.startswith("unix:"):
        path = target[len("unix:"):]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        # The notify script runs as keepalived's unprivileged script user and must be able to write to it.
        os.chmod(path, 0o666)
    elif target.startswith("udp:"):
        host, _, port = target[len("udp:"):].rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, int(port)))
    else:
        print(f"log-sink.py: expected unix:PATH or udp:HOST:PORT, found {target!r}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(out_path, "a", buffering=1, encoding="utf-8") as out:
        print("listening", flush=True)
        while True:
            data = sock.recv(65536)
            text = data.decode("utf-8", "replace").replace("\n", " ").rstrip()
            out.write(f"{int(time.time() * 1000)} {text}\n")


if __name__ == "__main__":
    sys.exit(main())
