// Every git call migralint makes, through execFileSync('git', args) and never a shell: the
// repository's top level, staged and changed files, index entries and their content.
//
// Paths git prints are relative to the top level (every command runs there, so a user's
// diff.relative setting cannot change that) and are read NUL-separated (-z), so no quoting applies.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A git problem the user must fix (not a repository, an unknown ref): exit code 2. */
export class GitError extends Error {
  // The CLI reports errors named UsageError with exit code 2.
  override name = 'UsageError';
}

const MAX_BUFFER = 1024 * 1024 * 1024;

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      maxBuffer: MAX_BUFFER,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Never wait for a credential prompt or a pager; never take the index lock for a read.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat' },
      ...(input ? { input } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer; status?: number | null };
    if (e.code === 'ENOENT') throw new GitError('git was not found on PATH; --staged and --changed-since need it');
    const reason = e.stderr?.toString('utf8').trim() || e.message;
    throw Object.assign(new GitError(reason), { status: e.status ?? null, gitArgs: args });
  }
}

/** NUL-separated output as a list, without the empty last entry. */
function splitZ(out: Buffer): string[] {
  const text = out.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The top level of the work tree containing `cwd`, spelled from `cwd` (so a symlinked temporary
 * directory keeps the spelling the rest of the run uses). Throws GitError outside a repository.
 */
export function gitTopLevel(cwd: string, flag: string): string {
  let cdup: string;
  try {
    cdup = git(cwd, ['rev-parse', '--show-cdup']).toString('utf8').trim();
  } catch (err) {
    if (err instanceof GitError && /not a git repository/i.test(err.message)) {
      throw new GitError(`${flag} needs a git repository, and ${cwd} is not inside one`);
    }
    throw new GitError(`${flag}: ${(err as Error).message}`);
  }
  return path.resolve(cwd, cdup);
}

export type ChangeStatus = 'A' | 'C' | 'M' | 'D' | 'T';

export interface Change {
  status: ChangeStatus;
  /** Relative to the top level, with forward slashes. */
  path: string;
}

/**
 * `git diff --name-status -z --no-renames` output: a rename is a deletion and an addition, so the
 * new name is linted and the lock rule sees the old one go (and recognises the move by content).
 */
function parseNameStatus(out: Buffer): Change[] {
  const parts = splitZ(out);
  const changes: Change[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!.charAt(0) as ChangeStatus;
    changes.push({ status, path: parts[i + 1]! });
  }
  return changes;
}

/** Files whose staged content differs from HEAD: added, copied, modified, type-changed or deleted. */
export function stagedChanges(top: string): Change[] {
  return parseNameStatus(git(top, ['diff', '--cached', '--name-status', '-z', '--no-renames', '--no-ext-diff', '--diff-filter=ACDMT']));
}

/** `git merge-base <ref> HEAD`; an unknown ref (or no common history) throws GitError with git's reason. */
export function mergeBase(top: string, ref: string): string {
  if (ref === '' || ref.startsWith('-')) throw new GitError(`--changed-since: "${ref}" is not a git ref`);
  try {
    return git(top, ['merge-base', ref, 'HEAD']).toString('utf8').trim();
  } catch (err) {
    const e = err as GitError & { status?: number | null };
    // merge-base exits 1 with no output when the two have no common ancestor.
    const reason = e.status === 1 && /^Command failed/.test(e.message) ? `${ref} and HEAD have no common history` : e.message;
    throw new GitError(`--changed-since ${ref}: ${reason.replace(/^fatal: /, '')}`);
  }
}

/**
 * Files added, modified or deleted between `base` and the working tree (committed, staged and
 * unstaged changes alike), plus untracked files that .gitignore does not exclude (added).
 */
export function changesSince(top: string, base: string): Change[] {
  const tracked = parseNameStatus(git(top, ['diff', '--name-status', '-z', '--no-renames', '--no-ext-diff', '--diff-filter=ACDMT', base, '--']));
  const untracked = splitZ(git(top, ['ls-files', '--others', '--exclude-standard', '-z'])).map((p): Change => ({ status: 'A', path: p }));
  return [...tracked, ...untracked];
}

/**
 * Index entries (stage 0: merged files, not submodules) under the given directories, relative to
 * the top level: path → blob id, as `git ls-files -s` prints them.
 */
export function indexEntries(top: string, dirs: string[]): Map<string, string> {
  const entries = new Map<string, string>();
  if (dirs.length === 0) return entries;
  const out = git(top, ['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...dirs]);
  for (const line of splitZ(out)) {
    // "<mode> <blob> <stage>\t<path>"
    const tab = line.indexOf('\t');
    const [mode, blob, stage] = line.slice(0, tab).split(' ');
    if (tab < 0 || stage !== '0' || mode === '160000' || !blob) continue;
    entries.set(line.slice(tab + 1), blob);
  }
  return entries;
}

/**
 * The content of each blob, read with one `git cat-file --batch` (what `git show :<path>` prints,
 * without a process per file).
 */
export function readBlobs(top: string, blobs: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const unique = [...new Set(blobs)];
  if (unique.length === 0) return out;
  const data = git(top, ['cat-file', '--batch'], Buffer.from(unique.join('\n') + '\n'));
  let pos = 0;
  for (const blob of unique) {
    const eol = data.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = data.subarray(pos, eol).toString('utf8');
    // "<oid> blob <size>", or "<oid> missing"
    const [, type, size] = header.split(' ');
    if (type === undefined || size === undefined) {
      pos = eol + 1;
      continue;
    }
    const start = eol + 1;
    const end = start + Number(size);
    if (type === 'blob') out.set(blob, Buffer.from(data.subarray(start, end)));
    pos = end + 1; // the content is followed by a newline
  }
  return out;
}
