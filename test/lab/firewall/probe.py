"""Firewall lab prober: runs every probe read from stdin (a JSON list) at once, from this namespace, and prints
one JSON object: probe id -> "open" | "timeout" | "refused" | "sent" | "error: ...".

A probe is {"id", "src", "dst", "proto": "tcp"|"udp"|"vrrp", "port"}; "src" is bound as the source address.
Every probe is sent first (non-blocking sockets), then the prober waits TIMEOUT seconds after the LAST one left
and reads each socket's state from the kernel: a slow start on a busy machine never shortens a probe's wait,
and an answer counts whenever the kernel got it, not when this process got round to looking.

tcp: open = the handshake completed (the kernel resends the SYN after 1 s); refused = a reset came back.
udp: open = the echo came back (the datagram is resent every RESEND seconds until then); refused = an ICMP
port unreachable came back. vrrp: an IP protocol 112 packet "probe:<id>", resent every RESEND seconds, then
"sent": whether it arrived is the listener's to say (listen.py records it), not an echo's. No answer: "timeout".

Before any probe, the namespace's ephemeral port range is set to EPHEMERAL_LOW-65535 (above every probed port),
so that no probe's source port is a port another namespace probes: a host's conntrack entry for its own probe
can then never match an incoming probe as a reply.

usage: probe.py TIMEOUT_SECONDS EPHEMERAL_LOW NETNS < probes.json
"""
import errno
import json
import os
import resource
import socket
import sys
import time

VRRP = 112
RESEND = 0.5


def start(probe):
    """Sends a probe; returns its socket."""
    proto = probe["proto"]
    if proto == "tcp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.bind((probe["src"], 0))
        code = sock.connect_ex((probe["dst"], probe["port"]))
        if code not in (0, errno.EINPROGRESS):
            raise OSError(code, os.strerror(code))
        return sock
    if proto == "udp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind((probe["src"], 0))
        sock.connect((probe["dst"], probe["port"]))
        sock.send(b"probe")
        return sock
    if proto == "vrrp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
        sock.setblocking(False)
        sock.bind((probe["src"], 0))
        sock.sendto(b"probe:" + probe["id"].encode()[:256], (probe["dst"], 0))
        return sock
    raise ValueError(f"unknown protocol {proto}")


def udp_state(sock):
    """open (an echo is waiting), refused (an ICMP error is), or None (nothing yet)."""
    try:
        sock.recv(64, socket.MSG_PEEK)
        return "open"
    except BlockingIOError:
        return None
    except ConnectionRefusedError:
        return "refused"


def resend(probe, sock):
    try:
        if probe["proto"] == "udp":
            sock.send(b"probe")
        elif probe["proto"] == "vrrp":
            sock.sendto(b"probe:" + probe["id"].encode()[:256], (probe["dst"], 0))
    except OSError:
        pass  # an ICMP error surfaced on the send: the final read reports it


def result(probe, sock):
    proto = probe["proto"]
    if proto == "vrrp":
        return "sent"
    if proto == "udp":
        return udp_state(sock) or "timeout"
    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code == errno.ECONNREFUSED:
        return "refused"
    if code != 0:
        return f"error: {os.strerror(code)}"
    try:
        sock.getpeername()
        return "open"
    except OSError:
        return "timeout"


def main():
    timeout, ephemeral_low, netns = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    probes = json.load(sys.stdin)
    # The range is the namespace's own: make sure this is the lab namespace named, never the root one.
    if os.stat("/proc/self/ns/net").st_ino != os.stat(f"/run/netns/{netns}").st_ino:
        sys.exit(f"probe.py: not running inside network namespace {netns}")
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write(f"{ephemeral_low} 65535\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < len(probes) + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, len(probes) + 64), hard))

    results = {}
    open_sockets = []
    for probe in probes:
        try:
            open_sockets.append((probe, start(probe)))
        except Exception as exc:  # reported, never fatal: the test compares every result
            results[probe["id"]] = f"error: {exc!r}"
    deadline = time.monotonic() + timeout
    pending = [(p, s) for p, s in open_sockets if p["proto"] in ("udp", "vrrp")]
    # A UDP answer seen while resending (reading an ICMP error clears it: it must be remembered, not read again).
    answered = {}
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(RESEND, left))
        if deadline - time.monotonic() <= 0:
            break
        still = []
        for p, s in pending:
            state = udp_state(s) if p["proto"] == "udp" else None
            if state is None:
                still.append((p, s))
                resend(p, s)
            else:
                answered[p["id"]] = state
        pending = still
    for probe, sock in open_sockets:
        try:
            results[probe["id"]] = answered.get(probe["id"]) or result(probe, sock)
        except Exception as exc:
            results[probe["id"]] = f"error: {exc!r}"
        sock.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
