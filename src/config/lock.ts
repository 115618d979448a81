/**
 * One wizard at a time on the same dwh.cfg (or embedded warehouse folder): two runs writing the
 * same file or the same PGlite data folder would lose edits or corrupt data.
 *
 * The lock is a small JSON file created exclusively (O_EXCL) next to what it protects. A lock
 * whose process is gone (a crash, a kill -9) is stale and taken over. A lock from another host
 * (a shared network folder) cannot be checked, so it is respected.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.js';

export interface LockInfo {
  pid: number;
  command: string;
  /** ISO time the lock was taken. */
  started: string;
  hostname: string;
}

/** A lock file younger than this that cannot be parsed is still being written by its owner. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

/**
 * Takes the lock at `lockPath` for `description` (the command, e.g. "load"), or throws a UserError
 * naming the process that holds it. Returns the function that releases it; the lock is also
 * released when the process exits, as a safety net. `subject` names what is locked in messages
 * (default: the lock file's name without ".lock", e.g. "dwh.cfg").
 */
export async function acquireLock(
  lockPath: string,
  description: string,
  subject = defaultSubject(lockPath),
): Promise<() => Promise<void>> {
  const info: LockInfo = {
    pid: process.pid,
    command: description,
    started: new Date().toISOString(),
    hostname: hostname(),
  };
  const content = `${JSON.stringify(info)}\n`;

  // A stale lock found in one round is removed and the next round creates ours.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(lockPath, content)) return releaser(lockPath, content);
    const holder = await readHolder(lockPath);
    if (holder === undefined) continue; // It went away between our attempt and the read: try again.
    if (holder.info === undefined) {
      if (Date.now() - holder.modifiedMs < UNREADABLE_LOCK_GRACE_MS) {
        throw new UserError(
          `${subject} is in use by another sparkify-dwh (it is just starting); wait for it to finish`,
        );
      }
    } else if (holder.info.hostname !== hostname()) {
      throw new UserError(
        `${subject} is in use by sparkify-dwh on ${holder.info.hostname} (pid ${holder.info.pid}, ${JSON.stringify(holder.info.command)}, since ${formatSince(holder.info.started)}); wait for it to finish, or delete ${lockPath} if that run is gone`,
      );
    } else if (isProcessAlive(holder.info.pid)) {
      throw new UserError(
        `${subject} is in use by another sparkify-dwh (pid ${holder.info.pid}, ${JSON.stringify(holder.info.command)}, since ${formatSince(holder.info.started)}); wait for it to finish or stop it`,
      );
    }
    // Stale. Remove it only if it is still the lock we judged, so a lock another process took over
    // in the meantime is left alone.
    await removeIfContent(lockPath, holder.raw);
  }
  throw new UserError(`${subject} is in use by another sparkify-dwh that keeps restarting; try again in a moment`);
}

function defaultSubject(lockPath: string): string {
  return basename(lockPath).replace(/\.lock$/, '');
}

/** True when we created the lock; false when one already exists. */
async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } catch (error) {
        // A half-written lock would block the next run for no reason.
        await handle.close().catch(() => undefined);
        await unlink(lockPath).catch(() => undefined);
        throw error;
      }
      await handle.close();
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // The folder it protects may not exist yet (a first run of the embedded warehouse).
      if (code === 'ENOENT' && attempt === 0) {
        await mkdir(dirname(lockPath), { recursive: true });
        continue;
      }
      throw new UserError(
        `Cannot create the lock file ${lockPath} (${(error as Error).message}); check the folder's permissions`,
      );
    }
  }
}

async function readHolder(
  lockPath: string,
): Promise<{ raw: string; info: LockInfo | undefined; modifiedMs: number } | undefined> {
  try {
    const [raw, stats] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { raw, info: parseLockInfo(raw), modifiedMs: stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`Cannot read the lock file ${lockPath} (${(error as Error).message}); check its permissions`);
  }
}

function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, command, started, hostname: host } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    if (typeof command !== 'string' || typeof started !== 'string' || typeof host !== 'string') return undefined;
    return { pid, command, started, hostname: host };
  } catch {
    return undefined;
  }
}

/** Signal 0 checks existence without signalling; EPERM means it exists but belongs to someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeIfContent(lockPath: string, expected: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) === expected) await unlink(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function releaser(lockPath: string, content: string): () => Promise<void> {
  let released = false;
  const releaseOnExit = (): void => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath);
    } catch {
      // Exiting anyway; a lock left behind is stale and taken over by the next run.
    }
  };
  process.once('exit', releaseOnExit);
  return async () => {
    process.off('exit', releaseOnExit);
    if (released) return;
    released = true;
    // Not ours any more (someone judged it stale and took over): leave theirs alone. A failure
    // here leaves a stale lock the next run takes over, which is not worth failing the command for.
    await removeIfContent(lockPath, content).catch(() => undefined);
  };
}

/** "12:01:05" today, "2024-05-01 12:01:05" on another day (local time). */
function formatSince(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number): string => String(value).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const today = new Date();
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}
