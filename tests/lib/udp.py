#!/usr/bin/env python3
"""udp.py - a UDP peer for the networking tests (busybox nc has no -u)

udp.py serve PORT          receive one datagram on 0.0.0.0:PORT, print it,
                           answer "pong <it>" to its sender
udp.py send HOST PORT MSG  send MSG, print the answer (5 s at most)
"""
import socket
import sys


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if sys.argv[1] == "serve":
        s.bind(("0.0.0.0", int(sys.argv[2])))
        data, peer = s.recvfrom(65536)
        print(data.decode(), flush=True)
        s.sendto(b"pong " + data, peer)
    else:
        s.settimeout(5)
        s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
        data, _ = s.recvfrom(65536)
        print(data.decode())


if __name__ == "__main__":
    main()
