"""Firewall lab listener: accepts TCP connections and echoes UDP datagrams on the ports given, and records the
VRRP (IP protocol 112) probes it receives, in one network namespace. Prints "ready" once every socket is bound.

UDP sockets are bound to each address, so a host with several addresses answers from the one a probe was sent
to (a connected UDP client ignores a reply from another address).

VRRP is not echoed: an echo would have to pass the prober's own firewall, which would then decide the result
(a host that wrongly accepted VRRP would look closed whenever the prober's host drops the echo). Instead every
probe that reaches the raw socket (which sees a packet only after the input hook accepted it) is printed as
"vrrp SOURCE DESTINATION", and the lab asks for them afterwards: a line "report" on stdin is answered by
"reported" once every VRRP packet received before it has been printed. EOF on stdin stops the listener.

usage: listen.py --addresses 10.20.2.16,10.20.3.16 --tcp 22,3306 --udp 500,4500 [--vrrp]
"""
import argparse
import asyncio
import os
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


def drain_vrrp(sock):
    """Prints every VRRP probe waiting on the raw socket."""
    while True:
        try:
            packet, (source, _) = sock.recvfrom(2048)
        except BlockingIOError:
            return
        payload = packet[(packet[0] & 0x0F) * 4:]
        if payload.startswith(b"probe:"):
            print(f"vrrp {source} {socket.inet_ntoa(packet[16:20])}", flush=True)


def vrrp_recorder(loop):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setblocking(False)
    loop.add_reader(sock.fileno(), drain_vrrp, sock)
    return sock


def control(loop, vrrp, stopped):
    """Answers "report" lines on stdin; stops on EOF (the lab is gone)."""
    fd = sys.stdin.fileno()
    os.set_blocking(fd, False)

    def readable():
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        if not data:
            loop.remove_reader(fd)
            stopped.set()
            return
        for _ in range(data.count(b"report")):
            if vrrp is not None:
                drain_vrrp(vrrp)
            print("reported", flush=True)

    loop.add_reader(fd, readable)


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
        keep.append(await asyncio.start_server(on_tcp, "0.0.0.0", port, reuse_address=True, backlog=512))
    for port in ports(args.udp):
        for address in args.addresses.split(","):
            keep.append(await loop.create_datagram_endpoint(Echo, local_addr=(address, port)))
    vrrp = vrrp_recorder(loop) if args.vrrp else None
    stopped = asyncio.Event()
    control(loop, vrrp, stopped)
    print("ready", flush=True)
    await stopped.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
