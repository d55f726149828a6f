"""Firewall lab listener: accepts (and closes) TCP connections and echoes UDP datagrams on the ports given, and
records the VRRP (IP protocol 112) probes it receives, in one network namespace. Prints "ready" once every socket
is bound. One thread, one epoll loop and plain sockets: a busy namespace (every source probes every port at once)
must echo within the probe timeout even on a loaded machine.

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
import os
import selectors
import socket
import sys

VRRP = 112


def ports(text):
    return [int(p) for p in text.split(",") if p]


def accept_all(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.close()


def echo_all(sock):
    while True:
        try:
            data, addr = sock.recvfrom(2048)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            continue  # an ICMP error for an earlier echo: nothing to do
        try:
            sock.sendto(data, addr)
        except OSError:
            pass


def record_vrrp(sock):
    """Prints every VRRP probe waiting on the raw socket (the main loop flushes stdout once per batch)."""
    while True:
        try:
            packet, (source, _) = sock.recvfrom(2048)
        except (BlockingIOError, InterruptedError):
            return
        payload = packet[(packet[0] & 0x0F) * 4:]
        if payload.startswith(b"probe:"):
            sys.stdout.write(f"vrrp {source} {socket.inet_ntoa(packet[16:20])}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", default="0.0.0.0")
    parser.add_argument("--tcp", default="")
    parser.add_argument("--udp", default="")
    parser.add_argument("--vrrp", action="store_true")
    args = parser.parse_args()
    selector = selectors.DefaultSelector()
    for port in ports(args.tcp):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", port))
        sock.listen(1024)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, accept_all)
    for port in ports(args.udp):
        for address in args.addresses.split(","):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.bind((address, port))
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, echo_all)
    vrrp = None
    if args.vrrp:
        vrrp = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
        vrrp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        vrrp.setblocking(False)
        selector.register(vrrp, selectors.EVENT_READ, record_vrrp)
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    selector.register(stdin, selectors.EVENT_READ, None)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            if key.data is not None:
                key.data(key.fileobj)
                continue
            try:
                data = os.read(stdin, 4096)
            except BlockingIOError:
                continue
            if not data:
                return  # the lab is gone
            for _ in range(data.count(b"report")):
                if vrrp is not None:
                    record_vrrp(vrrp)
                sys.stdout.write("reported\n")
        sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
