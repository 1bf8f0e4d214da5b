// `mfsim keys`: API keys (admin role).
import { API_KEY_ROLES, type ApiKeyRoleName } from '@mfsim/contracts';
import { int, positional, str, UsageError, type Command } from '../command.ts';
import { table } from '../table.ts';

export const keys: Command = {
  name: 'keys',
  summary: 'create, list and revoke API keys (needs an admin key)',
  usage: ['keys list', 'keys create --name NAME --role read|submit|admin [--project P] [--rate-limit N]', 'keys revoke <id>'],
  optionHelp: [
    '--name NAME      the new key\'s name',
    '--role R         read (GET only), submit (also every POST and DELETE but keys), admin (also keys)',
    '--project P      the project the key works in, made if new (default: the admin key\'s own)',
    '--rate-limit N   requests per minute for this key (default: the service\'s)',
    'The new key is printed once: keep it (mfsim reads it from --key or MFSIM_API_KEY).',
    'Every keys command needs an admin key (or the service\'s API_ADMIN_KEY).',
  ],
  json: 'the API\'s reply as JSON (list, create)',
  options: { name: { type: 'string' }, role: { type: 'string' }, project: { type: 'string' }, 'rate-limit': { type: 'string' } },
  remote: true,
  async run(ctx) {
    const client = ctx.client().keys;
    switch (ctx.positionals[0]) {
      case 'list': {
        const items = await client.list();
        if (ctx.values.json) return ctx.out(JSON.stringify(items, null, 2));
        return ctx.out(table(['id', 'name', 'prefix', 'role', 'created', 'revoked', 'last used'], items.map((k) => [k.id, k.name, k.prefix, k.role, k.createdAt.slice(0, 19), k.revokedAt?.slice(0, 19) ?? '', k.lastUsedAt?.slice(0, 19) ?? ''])));
      }
      case 'create': {
        const name = str(ctx.values.name);
        const role = str(ctx.values.role);
        if (!name) throw new UsageError('--name is required');
        if (!role || !(API_KEY_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${API_KEY_ROLES.join(', ')}`);
        const project = str(ctx.values.project);
        const k = await client.create({ name, role: role as ApiKeyRoleName, ...(project && { project }), rateLimitPerMinute: int(ctx.values['rate-limit'], '--rate-limit') });
        if (ctx.values.json) return ctx.out(JSON.stringify(k, null, 2));
        ctx.out(`created key ${k.id} (${k.role}, project ${k.project}) "${k.name}"; this is the only time it is shown:`);
        // null only on a replay of the create (the key is stored nowhere); keyWithheld says so.
        return ctx.out(k.key ?? k.keyWithheld ?? '');
      }
      case 'revoke': {
        const id = positional(ctx, 1, 'key id');
        await client.revoke(id);
        return ctx.out(`revoked key ${id}`);
      }
      default:
        throw new UsageError(ctx.positionals[0] ? `unknown subcommand "${ctx.positionals[0]}"` : 'missing subcommand');
    }
  },
};
