#!/usr/bin/python3
"""An RTU slave fieldgate did not write: pymodbus (Debian python3-pymodbus), on a serial port.

Usage: rtu_slave.py PORT BAUD UNIT [UNIT ...]
Serves each UNIT with holding registers 0..199 = UNIT * 1000 + address (so every reply says which
unit and address it came from), input registers the same, and 64 coils (all 0). Prints "ready" once
the port is open.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def slave(unit):
    values = [unit * 1000 + a for a in range(200)]
    # pymodbus' sequential blocks are 1-based inside (address 0 of the PDU is index 1)
    return ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [0] + values),
        ir=ModbusSequentialDataBlock(0, [0] + values),
        co=ModbusSequentialDataBlock(0, [0] * 65),
        di=ModbusSequentialDataBlock(0, [0] * 65),
        zero_mode=False,
    )


async def main():
    port, baud = sys.argv[1], int(sys.argv[2])
    units = [int(u) for u in sys.argv[3:]]
    context = ModbusServerContext(slaves={u: slave(u) for u in units}, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=port, baudrate=baud, timeout=0.005, defer_start=True
    )
    await server.start()
    print("ready", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
