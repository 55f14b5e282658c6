#!/usr/bin/python3
"""A pymodbus TCP client (Debian python3-pymodbus) reading and writing through fieldgate's routes.

Usage: tcp_reads.py PORT UNIT [rtu]
With rtu, the client speaks RTU frames over TCP (unit + PDU + CRC, no MBAP), as to a serial device
server.
Reads holding 0..4 of UNIT, writes 4321 to holding 20 and reads it back, reads an address the slave
does not have; prints one JSON object with what it saw.
"""
import json
import sys

from pymodbus.client import ModbusTcpClient
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer


def main():
    port, unit = int(sys.argv[1]), int(sys.argv[2])
    framer = ModbusRtuFramer if sys.argv[3:4] == ["rtu"] else ModbusSocketFramer
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=3, framer=framer)
    assert client.connect(), "cannot connect"
    out = {"read": client.read_holding_registers(0, 5, slave=unit).registers}
    client.write_register(20, 4321, slave=unit)
    out["written"] = client.read_holding_registers(20, 1, slave=unit).registers
    bad = client.read_holding_registers(500, 2, slave=unit)
    out["bad_address"] = getattr(bad, "exception_code", None) if bad.isError() else None
    client.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
