"""Firewall lab listener: accepts TCP connections and echoes UDP datagrams and VRRP (IP protocol 112)
packets on the ports given, in one network namespace. Prints "ready" once every socket is bound.

UDP sockets and VRRP replies use the address a probe was sent to, so a host with several addresses answers
from the right one (a connected UDP client ignores a reply from another address).

usage: listen.py --addresses 10.20.2.16,10.20.3.16 --tcp 22,3306 --udp 500,4500 [--vrrp]
"""
import argparse
import asyncio
import socket
import sys

VRRP = 112


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


async def on_tcp(reader, writer):
    writer.close()


def ports(text):
    return [int(p) for p in text.split(",") if p]


def vrrp_echo(loop):
    """Raw sockets see a protocol-112 packet only after the input hook accepted it: echo its payload back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    sock.setblocking(False)

    def readable():
        try:
            packet, (source, _) = sock.recvfrom(2048)
        except BlockingIOError:
            return
        header = (packet[0] & 0x0F) * 4
        payload = packet[header:]
        if payload.startswith(b"probe:"):
            # Answer from the address the probe was sent to (the routing would pick the primary one).
            destination = socket.inet_ntoa(packet[16:20])
            reply = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
            reply.bind((destination, 0))
            reply.sendto(b"reply:" + payload[len(b"probe:"):], (source, 0))
            reply.close()

    loop.add_reader(sock.fileno(), readable)
    return sock


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", default="0.0.0.0")
    parser.add_argument("--tcp", default="")
    parser.add_argument("--udp", default="")
    parser.add_argument("--vrrp", action="store_true")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    keep = []
    for port in ports(args.tcp):
        keep.append(await asyncio.start_server(on_tcp, "0.0.0.0", port, reuse_address=True))
    for port in ports(args.udp):
        for address in args.addresses.split(","):
            keep.append(await loop.create_datagram_endpoint(Echo, local_addr=(address, port)))
    if args.vrrp:
        keep.append(vrrp_echo(loop))
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
