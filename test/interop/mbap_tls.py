#!/usr/bin/python3
"""A Modbus/TCP Security client fieldgate did not write: Python's ssl module speaking MBAP.

Usage: mbap_tls.py PORT CA CERT|- KEY|- [--tls1.1] [--plain] UNIT:HEXPDU...
Connects to 127.0.0.1:PORT with TLS (the server verified against CA; the client certificate CERT
and KEY presented unless "-"), sends each request as an MBAP frame (transaction ids 1, 2, ...),
reads each reply and prints one JSON object:
  {"protocol": "TLSv1.3", "peer": "CN=localhost", "replies": ["8301", ...], "closed": false, "error": null}
--tls1.1 offers TLS 1.1 only; --plain sends the MBAP frames over plain TCP (no TLS at all).
A handshake the server refuses, or a connection it closes, is reported in "error" / "closed".
"""
import json
import socket
import ssl
import sys

from mbap_io import mbap_frame, read_exact, read_frame


def main():
    port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    rest = sys.argv[5:]
    old = "--tls1.1" in rest
    plain = "--plain" in rest
    requests = [r for r in rest if not r.startswith("--")]
    out = {"protocol": None, "peer": None, "replies": [], "closed": False, "error": None}
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock = raw
    try:
        if not plain:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(ca)
            if old:
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = ssl.TLSVersion.TLSv1_1
                ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            if cert != "-":
                ctx.load_cert_chain(cert, key)
            sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            out["protocol"] = sock.version()
            subject = dict(x[0] for x in sock.getpeercert()["subject"])
            out["peer"] = "CN=" + subject.get("commonName", "?")
        for tid, req in enumerate(requests, start=1):
            unit, pdu = req.split(":")
            sock.sendall(mbap_frame(tid, int(unit), bytes.fromhex(pdu)))
            got = read_frame(sock)
            if got is None:
                out["closed"] = True
                break
            rtid, proto, _, reply = got
            assert rtid == tid and proto == 0, (rtid, proto)
            out["replies"].append(reply.hex())
        if plain and not requests:
            out["closed"] = read_exact(sock, 1) is None
    except (ssl.SSLError, ConnectionError, socket.timeout, OSError) as err:
        out["error"] = f"{type(err).__name__}: {err}"
        out["closed"] = True
    finally:
        sock.close()
    print(json.dumps(out))


main()
