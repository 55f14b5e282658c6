#!/usr/bin/python3
"""A Modbus slave behind a TCP socket that speaks RTU frames (unit + PDU + CRC, no MBAP), as a
serial device server in TCP-server mode passes them: pymodbus' TCP server with its RTU framer.

Usage: rtu_tcp_slave.py [--port=N] UNIT [UNIT ...]
Listens on 127.0.0.1 on port N (default: a free port); serves each UNIT with holding and input registers 0..199 =
UNIT * 1000 + address and 64 coils (all 0). Prints "port PORT", then "ready", once it listens.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusServerContext
from pymodbus.server import StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer

from rtu_slave import slave  # the same register image as the serial slave


async def main():
    args = sys.argv[1:]
    port = 0
    if args and args[0].startswith("--port="):
        port = int(args.pop(0)[len("--port="):])
    units = [int(u) for u in args]
    context = ModbusServerContext(slaves={u: slave(u) for u in units}, single=False)
    server = await StartAsyncTcpServer(
        context=context, framer=ModbusRtuFramer, address=("127.0.0.1", port), defer_start=True,
        allow_reuse_address=True
    )
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    print("port", server.server.sockets[0].getsockname()[1], flush=True)
    print("ready", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
