/**
 * dwh.cfg under --dry-run (docs/commands.md, --dry-run): every write is recorded as "would write
 * KEY = value" and kept in memory, never on disk, so the steps after it read what the real run
 * would have written (a HOST from `cluster create` reaches `load`) while the file stays untouched.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IniDocument, parseBytes } from './ini.js';
import { lineMayHoldSecret, readValues, secretValues } from './schema.js';
import { EXAMPLE_URL } from './store.js';
import type { ConfigStore, DwhConfig } from './types.js';

/** One key a real run would write. `secret`: the value must never be shown. */
export interface PlannedConfigWrite {
  section: string;
  key: string;
  value: string | undefined;
  secret: boolean;
}

export interface PlanningConfigOptions {
  /** Told of every key whose value would change, and of a file that would be created. */
  onWrite: (write: PlannedConfigWrite) => void;
  onCreate: (fromExample: string) => void;
  /** dwh.cfg.example (tests). */
  exampleUrl?: URL;
}

/** Whether `key` of `section` holds a secret, by the key table in schema.ts. */
function isSecret(section: string, key: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const lower = (text: string) => text.toLowerCase();
  return (
    secretValues((s, k) => (lower(s) === lower(section) && lower(k) === lower(key) ? value : undefined)).length > 0
  );
}

/** A ConfigStore that reads `store`'s file and keeps every write in memory. */
export async function planningConfigStore(store: ConfigStore, options: PlanningConfigOptions): Promise<ConfigStore> {
  const parse = (bytes: Uint8Array, name: string) => parseBytes(bytes, name, { mayHoldSecret: lineMayHoldSecret });
  let document: IniDocument | undefined;
  if (store.exists()) document = parse(await readFile(store.path), store.displayPath);
  const exampleUrl = options.exampleUrl ?? EXAMPLE_URL;
  return {
    path: store.path,
    displayPath: store.displayPath,
    exists: () => document !== undefined,
    get: (section, key) => document?.get(section, key),
    values: (): DwhConfig => readValues(document, dirname(store.path), store.displayPath),
    update: (changes) => {
      const doc = (document ??= IniDocument.parse('', store.displayPath, { mayHoldSecret: lineMayHoldSecret }));
      let changed = false;
      for (const change of changes) {
        if ((doc.get(change.section, change.key) ?? '') === (change.value ?? '')) continue;
        doc.set(change.section, change.key, change.value);
        changed = true;
        options.onWrite({ ...change, secret: isSecret(change.section, change.key, change.value) });
      }
      return Promise.resolve(changed);
    },
    createFromExample: async () => {
      const path = fileURLToPath(exampleUrl);
      document = parse(await readFile(path), path);
      options.onCreate('dwh.cfg.example');
      return undefined;
    },
  };
}
