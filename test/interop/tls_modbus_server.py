"""A Modbus/TCP Security server for tests: TLS (Python's ssl, not fieldgate's code) around MBAP.

Answers FC 3 (read holding registers) from a table: register N holds BASE + N; every other function
gets exception 01, an address past the table 02. With --ca it requires a client certificate signed
by that CA (the handshake fails without one). Prints "port N", then "ready"; for every handshake
"client SUBJECT_CN VERSION" (or "handshake-failed REASON"), flushed, so the test can see which client
certificate was presented.

usage: tls_modbus_server.py --cert CERT --key KEY [--ca CA] [--port N] [--base N]
"""
import argparse
import socket
import ssl
import struct
import sys
import threading

from mbap_io import mbap_frame, read_frame

TABLE_SIZE = 100


def say(line):
    print(line, flush=True)


def answer(pdu, base):
    fc = pdu[0]
    if fc != 3 or len(pdu) != 5:
        return bytes([fc | 0x80, 1])
    addr, qty = struct.unpack(">HH", pdu[1:5])
    if qty < 1 or qty > 125:
        return bytes([0x83, 3])
    if addr + qty > TABLE_SIZE:
        return bytes([0x83, 2])
    values = [(base + addr + i) & 0xFFFF for i in range(qty)]
    return bytes([3, qty * 2]) + struct.pack(">%dH" % qty, *values)


def serve(conn, base):
    try:
        while True:
            got = read_frame(conn)
            if got is None or got[1] != 0:
                return
            tid, _, unit, pdu = got
            conn.sendall(mbap_frame(tid, unit, answer(pdu, base)))
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def subject_cn(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--base", type=int, default=1000)
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    if a.ca:
        ctx.load_verify_locations(a.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(16)
    say("port %d" % srv.getsockname()[1])
    say("ready")
    while True:
        raw, _ = srv.accept()
        try:
            raw.settimeout(5)
            conn = ctx.wrap_socket(raw, server_side=True)
            conn.settimeout(None)
        except (OSError, ssl.SSLError) as e:
            say("handshake-failed %s" % (getattr(e, "reason", None) or str(e)))
            raw.close()
            continue
        say("client %s %s" % (subject_cn(conn.getpeercert()), conn.version()))
        threading.Thread(target=serve, args=(conn, a.base), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
