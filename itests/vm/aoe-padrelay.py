#!/usr/bin/env python3
"""Relay AoE frames (ethertype 0x88a2) between two interfaces, padding frames
shorter than the 60-byte Ethernet minimum with zeros.

Why: aoeping/aoecfg drop replies shorter than 60 bytes. Real NICs pad short
frames, but veth/tap/bridge do not, so a target that sends 32-byte config
responses unpadded (e.g. Debian's vblade) is invisible to aoeping on a veth.
Usage (inside the test netns only): aoe-padrelay.py IF_A IF_B SECONDS
"""
import select
import socket
import sys
import time

ETH_P_AOE = 0x88A2


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    a = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_AOE))
    a.bind((sys.argv[1], ETH_P_AOE))
    b = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_AOE))
    b.bind((sys.argv[2], ETH_P_AOE))
    end = time.time() + float(sys.argv[3])  # bounded lifetime
    while time.time() < end:
        ready, _, _ = select.select([a, b], [], [], 0.5)
        for s in ready:
            data, addr = s.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue  # our own transmissions
            if len(data) < 60:
                data += bytes(60 - len(data))
            (b if s is a else a).send(data)


if __name__ == "__main__":
    main()
