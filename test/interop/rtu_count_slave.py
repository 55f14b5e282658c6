#!/usr/bin/python3
"""A counting Modbus RTU slave on a serial port (a socat pty end), for the coalescing and caching
tests: it prints one line per request it serves, so the test counts what reached the bus.

Usage: rtu_count_slave.py PORT BAUD WRITE_DELAY_MS UNIT...
Each UNIT has holding registers 0..199, register a = UNIT * 1000 + a at start, writable with FC 6
and FC 16; FC 3 and FC 4 read them. A write to address 100 or above is answered WRITE_DELAY_MS late
(a slow device); the rest at once. Below 20000 baud a reply takes the time the line would take to
carry it (11 bits a character at BAUD: a pty has no line speed) before it is written. One request at a time; what arrives while it is busy is read afterwards. Requests for other
units are ignored, as on a bus. Prints "ready" once the port is open, then "req UNIT FC ADDR QTY MS"
per request served (before its reply is sent; MS: when it was read, ms on the slave's monotonic clock).
"""
import os
import sys
import termios
import time
import tty

from rtu_io import crc16, frame


def length_of(buf):
    """Frame length of the request at the start of buf, or None when more bytes are needed."""
    fc = buf[1]
    if fc == 16:
        return 9 + buf[6] if len(buf) >= 7 else None
    return 8


class Slave:
    def __init__(self, path, baud, delay_ms, units):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.delay = delay_ms / 1000.0
        self.char_s = 11.0 / baud if baud < 20000 else 0.0
        self.regs = {u: [u * 1000 + a for a in range(200)] for u in units}
        self.buf = b""

    def requests(self):
        while True:
            while len(self.buf) >= 8:
                length = length_of(self.buf)
                if length is None or len(self.buf) < length:
                    break
                candidate = self.buf[:length]
                if crc16(candidate[:-2]) == candidate[-2:]:
                    self.buf = self.buf[length:]
                    yield candidate[0], candidate[1:-2]
                else:
                    self.buf = self.buf[1:]
            chunk = os.read(self.fd, 256)
            if not chunk:
                return
            self.buf += chunk

    def reply(self, unit, pdu):
        regs = self.regs[unit]
        fc = pdu[0]
        addr = int.from_bytes(pdu[1:3], "big")
        qty = int.from_bytes(pdu[3:5], "big")
        if fc in (3, 4):
            if qty < 1 or qty > 125 or addr + qty > 200:
                return bytes([unit, fc | 0x80, 2])
            data = b"".join(regs[a].to_bytes(2, "big") for a in range(addr, addr + qty))
            return bytes([unit, fc, len(data)]) + data
        if fc == 6:
            if addr >= 200:
                return bytes([unit, 0x86, 2])
            regs[addr] = qty
            return bytes([unit]) + pdu
        if fc == 16:
            if qty < 1 or addr + qty > 200:
                return bytes([unit, 0x90, 2])
            for i in range(qty):
                regs[addr + i] = int.from_bytes(pdu[6 + 2 * i : 8 + 2 * i], "big")
            return bytes([unit]) + pdu[:5]
        return bytes([unit, fc | 0x80, 1])

    def serve(self):
        print("ready", flush=True)
        for unit, pdu in self.requests():
            if unit not in self.regs:
                continue
            addr = int.from_bytes(pdu[1:3], "big") if len(pdu) >= 3 else -1
            qty = int.from_bytes(pdu[3:5], "big") if len(pdu) >= 5 else -1
            print(f"req {unit} {pdu[0]} {addr} {qty} {time.monotonic() * 1000:.1f}", flush=True)
            answer = self.reply(unit, pdu)
            if pdu[0] in (6, 16) and addr >= 100 and self.delay > 0:
                time.sleep(self.delay)
            reply = frame(answer)
            if self.char_s > 0:
                time.sleep(self.char_s * len(reply))
            os.write(self.fd, reply)


def main():
    path, baud, delay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    units = [int(u) for u in sys.argv[4:]]
    if not units:
        sys.exit("usage: rtu_count_slave.py PORT BAUD WRITE_DELAY_MS UNIT...")
    Slave(path, baud, delay, units).serve()


if __name__ == "__main__":
    main()
