import { randomBytes } from 'node:crypto';

import type { AppDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { parseRate } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { App, type AppSettings } from '../../db/models/index.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { isValidOriginPattern, originAllowed } from './origins.js';

const CACHE_TTL_MS = 5_000;
const APP_ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export interface CreateAppInput {
  name: string;
  origins: string[];
  /** A chosen id (e.g. `demo`); a random short id otherwise. */
  id?: string;
  settings?: AppSettings;
}

function newAppId(): string {
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => APP_ID_ALPHABET[b % APP_ID_ALPHABET.length]).join('');
}

export function newAppSecret(): string {
  return `cs_${randomBytes(32).toString('base64url')}`;
}

export function toAppDto(app: App): AppDto {
  return {
    id: app.id,
    name: app.name,
    allowedOrigins: app.allowedOrigins,
    settings: app.settings ?? {},
    createdAt: app.createdAt.toISOString(),
  };
}

/** Tenants. Lookups are cached for a few seconds: every request names its app. */
export class AppsService {
  private readonly cache = new Map<string, { app: App | null; expires: number }>();
  private allOrigins: { apps: { id: string; patterns: string[] }[]; expires: number } | null = null;

  constructor(private readonly db: Db) {}

  /** Creates an app (inside `trx` when given). */
  async create(input: CreateAppInput, trx: Knex = this.db): Promise<App> {
    const bad = input.origins.filter((o) => !isValidOriginPattern(o));
    if (bad.length) {
      throw new ValidationError(`Invalid origin: ${bad.join(', ')} (expected e.g. https://example.com or http://localhost:*)`);
    }
    const app = await App.query(trx).insertAndFetch({
      id: input.id ?? newAppId(),
      name: input.name,
      secret: newAppSecret(),
      allowedOrigins: input.origins,
      settings: input.settings ?? {},
    });
    this.invalidate(app.id);
    return app;
  }

  async find(id: string): Promise<App | null> {
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.app;
    const app = (await App.query(this.db).findById(id)) ?? null;
    this.cache.set(id, { app, expires: Date.now() + CACHE_TTL_MS });
    return app;
  }

  async get(id: string): Promise<App> {
    const app = await this.find(id);
    if (!app) throw new NotFoundError('App');
    return app;
  }

  async list(): Promise<App[]> {
    return App.query(this.db).orderBy('created_at');
  }

  async setOrigins(id: string, origins: string[]): Promise<App> {
    const bad = origins.filter((o) => !isValidOriginPattern(o));
    if (bad.length) throw new ValidationError(`Invalid origin: ${bad.join(', ')}`);
    const app = await App.query(this.db).patchAndFetchById(id, { allowedOrigins: origins });
    if (!app) throw new NotFoundError('App');
    this.invalidate(id);
    return app;
  }

  /** Merges settings into the app's; a null value removes that setting. */
  async updateSettings(id: string, patch: AppSettings): Promise<App> {
    if (patch.messageRate && parseRate(patch.messageRate) === undefined) {
      throw new ValidationError('messageRate must be N/unit (second, minute, hour, day, month, year) or "unlimited"', [
        { path: 'body.messageRate', message: 'not a rate' },
      ]);
    }
    const app = await this.db.transaction(async (trx) => {
      const current = await App.query(trx).forUpdate().findById(id);
      if (!current) throw new NotFoundError('App');
      const settings: Record<string, unknown> = { ...current.settings };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === '') delete settings[key];
        else settings[key] = value;
      }
      return App.query(trx).patchAndFetchById(id, { settings });
    });
    this.invalidate(id);
    return app;
  }

  /**
   * Ids of the apps that allow `origin` (any of them passes a preflight): read once per request,
   * so the app a request turns out to act in is checked later without a query (even inside a
   * transaction, as the refresh route does).
   */
  async appsAllowing(origin: string): Promise<Set<string>> {
    if (!this.allOrigins || this.allOrigins.expires < Date.now()) {
      const rows: { id: string; allowedOrigins: string[] }[] = await this.db('apps').select('id', 'allowed_origins');
      this.allOrigins = { apps: rows.map((r) => ({ id: r.id, patterns: r.allowedOrigins })), expires: Date.now() + CACHE_TTL_MS };
    }
    return new Set(this.allOrigins.apps.filter((app) => originAllowed(app.patterns, origin)).map((app) => app.id));
  }

  private invalidate(id: string): void {
    this.cache.delete(id);
    this.allOrigins = null;
  }
}
