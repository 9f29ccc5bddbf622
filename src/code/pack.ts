import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import yazl from 'yazl';

/** Zips a directory (for deploying code), keeping file modes so `bootstrap` stays executable. */
export async function zipDirectory(
  root: string,
  ignore: (relativePath: string) => boolean = () => false,
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = relative(root, path).split(sep).join('/');
      if (ignore(name)) continue;
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        const info = await stat(path);
        zip.addFile(path, name, { mode: info.mode, mtime: new Date(0) });
      }
    }
  };
  await walk(root);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
