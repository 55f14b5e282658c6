"""Modbus RTU framing for the test slaves written byte by byte (rtu_count_slave.py, rtu_fault_slave.py):
the CRC-16 of the Modbus specification and a frame with it appended."""


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


def frame(body):
    return body + crc16(body)
