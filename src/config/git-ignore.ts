/**
 * Keeping dwh.cfg (credentials) and `.sparkify/` (the embedded warehouse, run records, demo data)
 * out of git in the user's own folder. The wizard is usually run inside a project that is, or
 * will become, a git repository, and `git add .` there must not pick up an AWS secret. So when
 * the wizard creates dwh.cfg it makes sure the `.gitignore` beside it lists both, adding only the
 * lines that are missing and leaving everything else in the file as it was.
 */
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode, errnoText } from '../error-text.js';
import { writeFileAtomic } from './atomic.js';

/** The wizard's own local state folder, beside dwh.cfg. */
export const STATE_FOLDER = '.sparkify/';

export interface GitIgnored {
  /** The `.gitignore` that lists the entries (beside dwh.cfg). */
  file: string;
  /** The entries this call added to it; empty when it listed them already. */
  added: string[];
  /** Why the file could not be read or written (then nothing was added). */
  problem?: string;
}

/**
 * Make the `.gitignore` beside `configPath` list the config file and the state folder. Existing
 * lines, their order and the file's mode are kept; a new `.gitignore` is created readable by all,
 * as git expects. Written atomically, so a failure leaves the old file whole.
 */
export async function ignoreInGit(configPath: string): Promise<GitIgnored> {
  try {
    return await addMissingEntries(configPath);
  } catch (error) {
    // dwh.cfg itself is written by then: say what is left to do instead of failing the command.
    return {
      file: join(dirname(configPath), '.gitignore'),
      added: [],
      problem: errnoText(error) ?? (error instanceof Error ? error.message : String(error)),
    };
  }
}

async function addMissingEntries(configPath: string): Promise<GitIgnored> {
  const folder = dirname(configPath);
  const wanted = [basename(configPath), STATE_FOLDER];
  let file = join(folder, '.gitignore');
  let text = '';
  let mode = 0o644;
  try {
    // A .gitignore that is a symlink (a shared dotfiles checkout) is written through, not replaced.
    file = await fs.realpath(file);
    text = await fs.readFile(file, 'utf8');
    mode = (await fs.stat(file)).mode & 0o777;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const listed = new Set(text.split(/\r?\n/).map(normalizeEntry));
  const added = wanted.filter((entry) => !listed.has(normalizeEntry(entry)));
  if (added.length === 0) return { file, added };
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  const heading = '# sparkify-dwh: credentials and the local warehouse stay out of git\n';
  await writeFileAtomic(file, `${text}${separator}${heading}${added.join('\n')}\n`, {}, mode);
  return { file, added };
}

/**
 * One `.gitignore` line as the path it names: `dwh.cfg`, `/dwh.cfg`, `.sparkify` and `.sparkify/`
 * all keep the entry out of git from the folder the file is in, so they count as the same.
 */
function normalizeEntry(line: string): string {
  return line.trim().replace(/^\//, '').replace(/\/$/, '');
}
