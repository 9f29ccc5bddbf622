import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `.fcignore` in gitignore style: `#` comments, `!` negation, a trailing `/` for folders, `*`, `**` and `?`
 * globs; a pattern without `/` matches a name at any depth. Returns a predicate over `a/b/c` relative paths.
 */
export function readFcIgnore(dir: string): (path: string) => boolean {
  const file = join(dir, '.fcignore');
  const rules = existsSync(file) ? parse(readFileSync(file, 'utf8')) : [];
  return (path) => {
    if (path === '.fcignore' || path === '.git' || path.startsWith('.git/')) return true;
    // Kumo's own folder (a local server's data, `kumo build` output) is never part of a code package.
    if (path === '.kumo' || path.startsWith('.kumo/')) return true;
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(path)) ignored = !rule.negate;
    return ignored;
  };
}

function parse(text: string): { regex: RegExp; negate: boolean }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let pattern = negate ? line.slice(1) : line;
      const dirOnly = pattern.endsWith('/');
      if (dirOnly) pattern = pattern.slice(0, -1);
      const anchored = pattern.includes('/');
      if (pattern.startsWith('/')) pattern = pattern.slice(1);
      const body = pattern
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      // A match on a folder covers everything below it.
      return { regex: new RegExp(`${anchored ? '^' : '(^|/)'}${body}(/.*)?$`), negate };
    });
}
