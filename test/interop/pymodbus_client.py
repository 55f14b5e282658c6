#!/usr/bin/python3
"""A SCADA client that fieldgate did not write: pymodbus (Debian python3-pymodbus).

Usage: pymodbus_client.py PORT
Exercises every function code fieldgate serves against a server on 127.0.0.1:PORT whose unit 1 is a
bank with holding 0..999, input 0..99, coils 0..255 and discrete 0..63, and prints one JSON object
with what it saw. The test that runs it asserts on that object.
"""
import json
import sys

from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest


def exc(rsp):
    """The exception code of a response, or None when it is not an exception."""
    return getattr(rsp, "exception_code", None) if rsp.isError() else None


def main():
    port = int(sys.argv[1])
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
    assert client.connect(), "cannot connect"
    out = {}
    u = {"slave": 1}

    out["fc3"] = client.read_holding_registers(0, 3, **u).registers
    out["fc4"] = client.read_input_registers(0, 2, **u).registers
    out["fc1"] = client.read_coils(5, 3, **u).bits[:3]
    out["fc2"] = client.read_discrete_inputs(1, 2, **u).bits[:2]

    client.write_coil(10, True, **u)
    out["fc5"] = client.read_coils(10, 1, **u).bits[:1]
    client.write_register(20, 4321, **u)
    out["fc6"] = client.read_holding_registers(20, 1, **u).registers
    client.write_coils(30, [True, False, True, True], **u)
    out["fc15"] = client.read_coils(30, 4, **u).bits[:4]
    client.write_registers(40, [7, 8, 9], **u)
    out["fc16"] = client.read_holding_registers(40, 3, **u).registers
    client.write_register(50, 0x12, **u)
    client.mask_write_register(address=50, and_mask=0xF2, or_mask=0x25, unit=1)
    out["fc22"] = client.read_holding_registers(50, 1, **u).registers
    rw = client.readwrite_registers(
        read_address=60, read_count=3, write_address=61, write_registers=[5, 6], unit=1
    )
    out["fc23"] = rw.registers
    info = client.execute(ReadDeviceInformationRequest(read_code=0x02, object_id=0x00, unit=1))
    out["fc43"] = {str(k): v.decode("latin1") for k, v in info.information.items()}

    out["bad_address"] = exc(client.read_holding_registers(999, 2, **u))
    out["bad_quantity"] = exc(client.read_holding_registers(0, 126, **u))
    out["unknown_function"] = exc(client.read_exception_status(**u))
    out["unmapped_unit"] = exc(client.read_holding_registers(0, 1, slave=200))
    client.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
