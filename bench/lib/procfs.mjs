// What /proc says about a process: memory from /proc/PID/status (VmHWM = peak resident set,
// VmRSS = current, KiB) and CPU time from /proc/PID/stat (all threads, user + system).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function memoryOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null; // gone
  }
  const kib = (key) => {
    const m = text.match(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm'));
    return m ? Number(m[1]) : null;
  };
  const hwmKiB = kib('VmHWM');
  return hwmKiB === null ? null : { hwmKiB, rssKiB: kib('VmRSS') }; // a zombie has no Vm* lines
}

let ticksPerSecond = null;
function clkTck() {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system, all threads) used so far by pid, or null if it is gone. */
export function cpuSecondsOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // fields after "(comm)": state is field 3; utime and stime are fields 14 and 15
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / clkTck() : null;
}

/** Minor page faults (all threads) so far of pid (field 10 of /proc/PID/stat), or null if it is gone. */
export function minorFaultsOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const minflt = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[7]);
  return Number.isFinite(minflt) ? minflt : null;
}
