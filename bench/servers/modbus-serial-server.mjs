// The modbus-serial reference for fieldgate's benchmarks: modbus-serial's ServerTCP (npm), as its
// README shows it, serving unit 1 from plain arrays sized like the bench's bank.
// usage: node bench/servers/modbus-serial-server.mjs PORT      (listens on 127.0.0.1 only)
import ModbusRTU from 'modbus-serial';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: modbus-serial-server.mjs PORT\n');
  process.exit(2);
}

const holding = new Uint16Array(1000).map((_, i) => i);
const input = new Uint16Array(1000);
const coils = new Uint8Array(2000);
const discrete = new Uint8Array(2000);

const vector = {
  getHoldingRegister: (addr) => holding[addr],
  getInputRegister: (addr) => input[addr],
  getCoil: (addr) => coils[addr] === 1,
  getDiscreteInput: (addr) => discrete[addr] === 1,
  setRegister: (addr, value) => {
    holding[addr] = value;
  },
  setCoil: (addr, value) => {
    coils[addr] = value ? 1 : 0;
  },
};

const server = new ModbusRTU.ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1, debug: false });
server.on('serverError', (err) => {
  process.stderr.write(`modbus-serial-server: ${err.message}\n`);
  process.exit(1);
});
// A client that resets its connection must not take the reference down.
server.on('socketError', () => {});
server.on('error', () => {});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
