#!/usr/bin/python3
"""pymodbus's TLS client (Debian python3-pymodbus 3.0) against a Modbus/TCP Security server.

Usage: pymodbus_tls.py PORT CA CERT KEY
Reads holding registers 0..2 of unit 1 and writes 4321 to holding register 5, then reads it back;
prints {"read": [..] | null, "readException": N | null, "writeException": N | null, "after": [..]}.
Notes on pymodbus 3.0.0rc1 (Debian bookworm):
  - its default TLS framer (ModbusTlsFramer) sends the PDU without the MBAP header; the
    Modbus/TCP Security specification keeps MBAP inside TLS, so the socket (MBAP) framer is given;
  - its synchronous ModbusTlsClient fails every read ("The operation did not complete (read)":
    SSLWantReadError on its non-blocking socket), so the asyncio client is used.
"""
import asyncio
import json
import ssl
import sys

from pymodbus.client import AsyncModbusTlsClient
from pymodbus.framer.socket_framer import ModbusSocketFramer


def exc(rsp):
    return getattr(rsp, "exception_code", None) if rsp.isError() else None


async def main():
    port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    client = AsyncModbusTlsClient(
        "127.0.0.1", port=port, framer=ModbusSocketFramer, sslctx=ctx, server_hostname="localhost", timeout=3
    )
    await client.connect()
    assert client.connected, "cannot connect"
    out = {}
    rsp = await client.read_holding_registers(0, 3, slave=1)
    out["read"] = None if rsp.isError() else rsp.registers
    out["readException"] = exc(rsp)
    out["writeException"] = exc(await client.write_register(5, 4321, slave=1))
    after = await client.read_holding_registers(5, 1, slave=1)
    out["after"] = None if after.isError() else after.registers
    await client.close()
    print(json.dumps(out))


asyncio.run(main())
