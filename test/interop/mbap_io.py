"""MBAP frames over a socket (plain or TLS) for the interop scripts: mbap_tls.py (a client) and
tls_modbus_server.py (a server). Imported from the script's own folder (Python puts it on sys.path).
"""
import struct


def read_exact(sock, n):
    """n bytes, or None once the peer closed."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """One MBAP frame: (transaction id, protocol id, unit, PDU), or None once the peer closed."""
    head = read_exact(sock, 7)
    if head is None:
        return None
    tid, proto, length, unit = struct.unpack(">HHHB", head)
    pdu = read_exact(sock, length - 1)
    return None if pdu is None else (tid, proto, unit, pdu)


def mbap_frame(tid, unit, pdu):
    """The MBAP frame of a PDU (protocol id 0)."""
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu
