/**
 * What comes from the declarations in src/config (the editor schema, the man page, the README key
 * tables) is as `npm run gen:config` writes it: a key changed without regenerating fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generated } from '../../src/reference/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the reference generated from the declarations', () => {
  it.each([...generated(ROOT)])('%s is as generated (run npm run gen:config after changing a key)', (file, content) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(content);
  });
});
