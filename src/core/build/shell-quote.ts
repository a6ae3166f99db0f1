/**
 * Quoting for the two command-line languages the remote runner speaks: the POSIX shell that sshd
 * starts for a remote command, and rsync's own splitting of its `-e` (remote shell) option.
 */

const SAFE_RE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (sh, bash, dash, zsh): returns it unchanged when it only
 * contains characters that are never special (`A-Za-z0-9_@%+=:,./-`), otherwise wraps it in single
 * quotes, writing each embedded `'` as `'\''`. The empty string becomes `''`.
 * Source: POSIX Shell Command Language, 2.2.2 Single-Quotes
 * (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_02_02).
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_RE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every element of `argv` with {@link shellQuote} and joins them with spaces. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * Quotes one word of rsync's `-e COMMAND` string. rsync splits COMMAND on spaces itself and
 * honours single and double quotes, where a doubled quote inside a quoted string stands for the
 * quote character (no backslash escapes). Source: rsync(1), option `--rsh=COMMAND`.
 */
export function rsyncRshQuote(arg: string): string {
  if (arg !== '' && SAFE_RE.test(arg)) return arg;
  return `'${arg.replace(/'/g, "''")}'`;
}
