// Spec, sweep and schedule files: JSON or YAML (by extension; YAML is a superset of JSON, so
// anything else is read as YAML).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { MfsimSpecError } from './spec-error.ts';

export async function readSpecFile<T = unknown>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new MfsimSpecError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as T;
  } catch (err) {
    throw new MfsimSpecError(`${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`, [
      { path: '(file)', message: (err as Error).message },
    ]);
  }
}
