// Prisma CLI configuration of packages/db (Prisma 7 reads the connection from here, not from the
// schema); paths are relative to this folder, where the schema and migrations live.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
