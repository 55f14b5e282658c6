/**
 * The command line of `fieldgate status` (and run/check, which share it), as a user runs the built
 * command: an option that takes one value, given twice, is a usage error (exit 64) naming it, never
 * the last one taken silently.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/daemon.js';

describe('fieldgate status / check / run command line', () => {
  it.each([
    [['status', '-c', 'a.yaml', '-c', 'b.yaml'], '-c is given twice ("a.yaml", then "b.yaml"): give it once'],
    [['status', '--config=a.yaml', '-c', 'b.yaml'], '-c is given twice ("a.yaml", then "b.yaml"): give it once'],
    [
      ['status', '--url', '127.0.0.1:1', '--url=127.0.0.1:2'],
      '--url is given twice ("127.0.0.1:1", then "127.0.0.1:2"): give it once',
    ],
    [
      ['check', '-c', 'a.yaml', '--config', 'b.yaml'],
      '--config is given twice ("a.yaml", then "b.yaml"): give it once',
    ],
    [['run', '-c', 'a.yaml', '-c', 'b.yaml'], '-c is given twice ("a.yaml", then "b.yaml"): give it once'],
  ])('%j exits 64 naming the option', async (argv, message) => {
    const r = await runCommand(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`fieldgate: ${message}`);
  });
});
