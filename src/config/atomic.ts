/**
 * Atomic file replacement: readers see the old bytes or the new bytes, never a mix, and a crash or
 * a full disk leaves the original untouched. The new file is private (0600) from the moment it
 * exists: it is opened with that mode, never chmod-ed afterwards, so no other user can open it in
 * between.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file-system calls a write makes; tests replace one to make it fail. */
export interface AtomicWriteIo {
  open: typeof fs.open;
  rename: typeof fs.rename;
  unlink: typeof fs.unlink;
}

export const nodeAtomicWriteIo: AtomicWriteIo = { open: fs.open, rename: fs.rename, unlink: fs.unlink };

/** `.<basename>.<pid>.<random>.tmp`, next to the target so the rename never crosses file systems. */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to a new temporary file (mode 0600 unless `mode` says otherwise) beside `target`,
 * flushes it to disk, renames it over `target` and flushes the folder so the rename itself survives
 * a crash. On any failure the
 * temporary file is removed and the error rethrown; `target` is then exactly as it was.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  io: Partial<AtomicWriteIo> = {},
  mode = 0o600,
): Promise<void> {
  const { open, rename, unlink } = { ...nodeAtomicWriteIo, ...io };
  const temporary = temporaryPathFor(target);
  let created = false;
  try {
    // 'wx': create exclusively, so a leftover or planted file (or symlink) at that name is never followed.
    const handle = await open(temporary, 'wx', mode);
    created = true;
    try {
      // A file that is not private (a .gitignore) keeps the exact mode asked for, whatever the umask.
      if (mode !== 0o600) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    created = false;
  } catch (error) {
    if (created) await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(target), open);
}

/**
 * fsync on the folder makes the rename durable. Some platforms (Windows) and file systems cannot
 * open or sync a folder; the data is already in place by then, so that is not worth failing for.
 */
async function syncFolder(folder: string, open: typeof fs.open): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only; see above.
  }
}
