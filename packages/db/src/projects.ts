// Projects: the owner of keys, simulations, sweeps, schedules and datasets. A project is made by
// the first key created in it and never deleted; "default" exists from the migration on.
import type { Database } from './client.ts';

export async function projectExists(db: Database, name: string): Promise<boolean> {
  const { rowCount } = await db.pool.query('SELECT 1 FROM projects WHERE name = $1', [name]);
  return (rowCount ?? 0) > 0;
}

export function listProjects(db: Database): Promise<{ name: string; createdAt: Date }[]> {
  return db.prisma.project.findMany({ orderBy: { name: 'asc' } });
}
