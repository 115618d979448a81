/**
 * One wizard at a time on the same dwh.cfg (or embedded warehouse folder): two runs writing the
 * same file or the same PGlite data folder would lose edits or corrupt data.
 *
 * The lock is a small JSON file created exclusively (O_EXCL) next to what it protects. A lock
 * whose process is gone (a crash, a kill -9) is stale and taken over. So is a lock whose pid has
 * since been given to another program: the lock records when its process started, and a process
 * with that pid that started at another time is not the one that took it. A lock from another
 * host (a shared network folder) cannot be checked, so it is respected.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.js';

export interface LockInfo {
  pid: number;
  command: string;
  /** ISO time the lock was taken. */
  started: string;
  hostname: string;
  /**
   * When the process started, where that can be read (Linux: /proc/<pid>/stat's starttime, in
   * clock ticks since boot); absent elsewhere and in locks written by older versions.
   */
  processStart?: string;
}

export interface LockOptions {
  /** What is locked, in messages (default: the lock file's name without ".lock", e.g. "dwh.cfg"). */
  subject?: string;
  /** Told when a stale lock whose pid now belongs to another program is taken over. */
  onNote?: (note: string) => void;
}

/** A lock file younger than this that cannot be parsed is still being written by its owner. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;
/** Clocks get adjusted: a lock this close to the boot time is not judged by it. */
const BOOT_TIME_MARGIN_MS = 60_000;

/**
 * Takes the lock at `lockPath` for `description` (the command, e.g. "load"), or throws a UserError
 * naming the process that holds it. Returns the function that releases it; the lock is also
 * released when the process exits, as a safety net.
 */
export async function acquireLock(
  lockPath: string,
  description: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const subject = options.subject ?? defaultSubject(lockPath);
  const processStart = processStartTime(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    command: description,
    started: new Date().toISOString(),
    hostname: hostname(),
    ...(processStart === undefined ? {} : { processStart }),
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
        `${subject} is in use by sparkify-dwh on ${holder.info.hostname} (${describeHolder(holder.info)}); ` +
          `wait for it to finish, or delete ${lockPath} if that run is gone`,
      );
    } else if (isProcessAlive(holder.info.pid)) {
      if (!pidReused(holder.info)) {
        throw new UserError(
          `${subject} is in use by another sparkify-dwh (${describeHolder(holder.info)}); ` +
            'wait for it to finish or stop it',
        );
      }
      options.onNote?.(
        `Took over the lock on ${subject} from sparkify-dwh (${describeHolder(holder.info)}): ` +
          `that run is gone, and pid ${holder.info.pid} now belongs to another program`,
      );
    }
    // Stale. Remove it only if it is still the lock we judged, so a lock another process took over
    // in the meantime is left alone.
    await removeIfContent(lockPath, holder.raw);
  }
  throw new UserError(`${subject} is in use by another sparkify-dwh that keeps restarting; try again in a moment`);
}

function describeHolder(info: LockInfo): string {
  return `pid ${info.pid}, ${JSON.stringify(info.command)}, since ${formatSince(info.started)}`;
}

/**
 * Whether the live process with the lock's pid is not the one that took the lock. Exact where start
 * times can be read and the lock recorded one; otherwise only a lock taken before the machine last
 * started is known to be stale (every process alive now started after that).
 */
function pidReused(info: LockInfo): boolean {
  const now = processStartTime(info.pid);
  if (info.processStart !== undefined && now !== undefined) return now !== info.processStart;
  const taken = Date.parse(info.started);
  const bootedAt = Date.now() - uptime() * 1000;
  return Number.isFinite(taken) && taken < bootedAt - BOOT_TIME_MARGIN_MS;
}

/**
 * When process `pid` started, as an opaque string that differs for two processes that had the same
 * pid, or undefined where it cannot be read. Linux: field 22 of /proc/<pid>/stat (starttime, clock
 * ticks after boot). The second field, the command name in parentheses, may itself hold spaces and
 * ")", so the fields are counted after the last ")".
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const start = fields[19];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : undefined;
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
    const { pid, command, started, hostname: host, processStart } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    if (typeof command !== 'string' || typeof started !== 'string' || typeof host !== 'string') return undefined;
    return {
      pid,
      command,
      started,
      hostname: host,
      ...(typeof processStart === 'string' ? { processStart } : {}),
    };
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
