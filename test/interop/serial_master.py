#!/usr/bin/python3
"""An RTU master fieldgate did not write: pymodbus' serial client (Debian python3-pymodbus).

Usage: serial_master.py PORT BAUD PARITY(N|E|O)
Against a slave whose units 1 and 2 are banks: reads holding 0..4 of unit 1, writes 4321 to holding
20 of unit 1 and reads it back, reads an address unit 1 does not have, broadcasts (unit 0) 99 to
holding 30 and reads it from units 1 and 2, and asks unit 9 (not served: no reply). Prints one JSON
object with what it saw.
"""
import json
import logging
import os
import sys

from pymodbus.client import ModbusSerialClient


def exc(rsp):
    """The exception code of a response, 'no reply' for a timeout, None for a normal response."""
    if not rsp.isError():
        return None
    return getattr(rsp, "exception_code", None) or "no reply"


def main():
    if os.environ.get("PYMODBUS_DEBUG"):
        logging.basicConfig()
        logging.getLogger("pymodbus").setLevel(logging.DEBUG)
    port, baud, parity = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # pymodbus 3.0.0rc1 keeps int(timeout): 0.5 would be 0 (no wait at all); strict=False leaves
    # pyserial's inter-byte timeout alone (a pty with parity even refuses setting it again: EINVAL)
    client = ModbusSerialClient(
        port=port, baudrate=baud, parity=parity, timeout=1, retries=0, strict=False, broadcast_enable=True
    )
    assert client.connect(), "cannot open the port"
    out = {"read": client.read_holding_registers(0, 5, slave=1).registers}
    client.write_register(20, 4321, slave=1)
    out["written"] = client.read_holding_registers(20, 1, slave=1).registers
    out["bad_address"] = exc(client.read_holding_registers(500, 2, slave=1))
    client.write_register(30, 99, slave=0)
    out["broadcast"] = [
        client.read_holding_registers(30, 1, slave=1).registers,
        client.read_holding_registers(30, 1, slave=2).registers,
    ]
    out["unit9"] = exc(client.read_holding_registers(0, 1, slave=9))
    client.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
