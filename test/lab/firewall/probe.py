"""Firewall lab prober: runs every probe read from stdin (a JSON list) at once, from this namespace, and prints
one JSON object: probe id -> "open" | "timeout" | "refused" | "error: ...".

A probe is {"id", "src", "dst", "proto": "tcp"|"udp"|"vrrp", "port"}; "src" is bound as the source address.
tcp: open = the handshake completed. udp: open = the echo came back. vrrp: an IP protocol 112 packet, open =
the listener's echo came back. A dropped packet gives "timeout"; a closed port gives "refused".

usage: probe.py TIMEOUT_SECONDS < probes.json
"""
import asyncio
import json
import os
import socket
import sys

VRRP = 112


async def tcp(probe, timeout):
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(probe["dst"], probe["port"], local_addr=(probe["src"], 0)), timeout)
        writer.close()
        return "open"
    except asyncio.TimeoutError:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"


class Client(asyncio.DatagramProtocol):
    def __init__(self, done):
        self.done = done

    def datagram_received(self, data, addr):
        if not self.done.done():
            self.done.set_result("open")

    def error_received(self, exc):
        if not self.done.done():
            self.done.set_result("refused" if isinstance(exc, ConnectionRefusedError) else f"error: {exc}")


async def udp(probe, timeout):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: Client(done), local_addr=(probe["src"], 0), remote_addr=(probe["dst"], probe["port"]))
    try:
        transport.sendto(b"probe")
        return await asyncio.wait_for(done, timeout)
    except asyncio.TimeoutError:
        return "timeout"
    finally:
        transport.close()


async def vrrp(probe, timeout):
    loop = asyncio.get_running_loop()
    token = os.urandom(8).hex().encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    sock.setblocking(False)
    sock.bind((probe["src"], 0))
    done = loop.create_future()

    def readable():
        try:
            packet, (source, _) = sock.recvfrom(2048)
        except BlockingIOError:
            return
        payload = packet[(packet[0] & 0x0F) * 4:]
        if source == probe["dst"] and payload == b"reply:" + token and not done.done():
            done.set_result("open")

    loop.add_reader(sock.fileno(), readable)
    try:
        sock.sendto(b"probe:" + token, (probe["dst"], 0))
        return await asyncio.wait_for(done, timeout)
    except asyncio.TimeoutError:
        return "timeout"
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()


async def one(probe, timeout):
    try:
        kind = {"tcp": tcp, "udp": udp, "vrrp": vrrp}[probe["proto"]]
        return probe["id"], await kind(probe, timeout)
    except Exception as exc:  # reported, never fatal: the test compares every result
        return probe["id"], f"error: {exc!r}"


async def main():
    timeout = float(sys.argv[1])
    probes = json.load(sys.stdin)
    results = await asyncio.gather(*(one(p, timeout) for p in probes))
    print(json.dumps(dict(results)))


if __name__ == "__main__":
    asyncio.run(main())
