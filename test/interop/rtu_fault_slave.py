#!/usr/bin/python3
"""A misbehaving Modbus RTU slave on a serial port (a socat pty end), written byte by byte here so
that its timing is under the test's control (pymodbus' slave answers once and at once).

Usage: rtu_fault_slave.py PORT BAUD UNIT MODE [MS]
Serves FC3 for UNIT: holding register a = UNIT * 1000 + a (0..199), so every reply says which
address it answers. MODE:
  late MS   a read that starts at address 0 is answered MS ms late; the slave serves one request
            at a time, as a slow instrument does, so requests that came meanwhile wait behind it
  twice     every reply is sent twice, the second copy right behind the first
Below 20000 baud a reply goes out at the line's pace (one character time per byte, 10 bits at
BAUD), as a UART sends it, and the slave is half duplex as on RS-485: what arrives while it is busy
with a request (waiting to answer, or sending) is lost. Faster, a reply is written at once (a pty
has no line speed, and a character time is below what the scheduler can pace). Prints "ready" once the port is open, then one line per request served ("req ADDR QTY").
"""
import os
import select
import sys
import termios
import time
import tty

from rtu_io import crc16, frame


class Slave:
    def __init__(self, path, baud, unit, mode, ms):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.char_s = 10.0 / baud
        self.unit = unit
        self.mode = mode
        self.ms = ms
        self.buf = b""

    def drain(self):
        """Drops what arrived meanwhile: a half-duplex slave does not hear while it is busy."""
        while select.select([self.fd], [], [], 0)[0]:
            if not os.read(self.fd, 256):
                return

    def send(self, data):
        """One byte per character time, as the line carries it; deaf until the last byte is out."""
        if self.char_s < 0.0005:
            os.write(self.fd, data)
            return
        for i, b in enumerate(data):
            if i > 0:
                self.drain()
            os.write(self.fd, bytes([b]))
            time.sleep(self.char_s)

    def requests(self):
        """Yields (unit, pdu) for each request with a good CRC; resynchronises on garbage."""
        while True:
            while len(self.buf) >= 8:
                fc = self.buf[1]
                length = 8 if fc in (3, 4, 6) else (9 + self.buf[6] if fc == 16 and len(self.buf) >= 7 else 8)
                if len(self.buf) < length:
                    break
                candidate = self.buf[:length]
                if crc16(candidate[:-2]) == candidate[-2:]:
                    self.buf = self.buf[length:]
                    yield candidate[0], candidate[1:-2]
                else:
                    self.buf = self.buf[1:]
            self.buf += os.read(self.fd, 256)

    def reply(self, pdu):
        fc = pdu[0]
        if fc != 3 or len(pdu) != 5:
            return frame(bytes([self.unit, fc | 0x80, 1]))
        addr = int.from_bytes(pdu[1:3], "big")
        qty = int.from_bytes(pdu[3:5], "big")
        if qty < 1 or qty > 125 or addr + qty > 200:
            return frame(bytes([self.unit, 0x83, 2]))
        data = b"".join((self.unit * 1000 + a).to_bytes(2, "big") for a in range(addr, addr + qty))
        return frame(bytes([self.unit, 3, len(data)]) + data)

    def serve(self):
        print("ready", flush=True)
        for unit, pdu in self.requests():
            if unit != self.unit:
                continue
            addr = int.from_bytes(pdu[1:3], "big") if len(pdu) >= 3 else -1
            qty = int.from_bytes(pdu[3:5], "big") if len(pdu) >= 5 else -1
            print(f"req {addr} {qty}", flush=True)
            answer = self.reply(pdu)
            if self.mode == "late" and addr == 0:
                time.sleep(self.ms / 1000.0)
                self.drain()
            self.send(answer * 2 if self.mode == "twice" else answer)


def main():
    path, baud, unit, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ms = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if mode not in ("late", "twice"):
        sys.exit(f"unknown mode {mode}: late MS | twice")
    Slave(path, baud, unit, mode, ms).serve()


if __name__ == "__main__":
    main()
