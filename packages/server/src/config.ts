import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import Joi from 'joi';

import type { LogFormat } from './logger.js';
import { persistedSecret } from './persisted-secret.js';
import { parseStorageUrl, StorageUrlError } from './services/uploads/storage-url.js';

/** A rate such as `10/second`; `null` means unlimited. */
export interface Rate {
  limit: number;
  periodMs: number;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Prefix of every Redis key and channel: clusters sharing one Redis must differ. */
  redisPrefix: string;
  dataDir: string;
  jwtSecret: string;
  /** Lifetime of Confab's access tokens, in seconds. */
  accessTtlSeconds: number;
  messageRate: Rate | null;
  authRate: Rate | null;
  logLevel: string;
  /** `auto` (unset, outside production): pretty lines on a terminal, JSON lines otherwise. */
  logFormat: LogFormat;
  maxUploadBytes: number;
  /** Where upload bytes live (`s3://` or `file://`); null: PostgreSQL, or DATA_DIR/uploads when embedded. */
  storageUrl: string | null;
  /** `redirect`: downloads answer 302 to a short-lived presigned URL of the object store (s3 only). */
  storageDownloads: 'stream' | 'redirect';
  publicUrl: string | null;
  demo: boolean;
  adminToken: string | null;
  trustProxy: boolean;
  /** Off when a separate one-shot job migrates (docker-compose): the node then only checks. */
  migrateOnStart: boolean;
  /** How long a stopping node waits for requests and socket handlers in flight. */
  shutdownTimeoutMs: number;
  /** Where mail goes out (`smtp://` or `smtps://`); null writes `.eml` files under DATA_DIR/mail. */
  smtpUrl: string | null;
  /** The From of every mail Confab sends, e.g. `Confab <no-reply@example.com>`. */
  mailFrom: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const RATE_UNITS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

const RATE_FORM = `N/unit with N a positive integer and unit one of ${Object.keys(RATE_UNITS).join(', ')} (e.g. 10/second), or "unlimited"`;

/** Parses `N/unit` or `unlimited`; returns undefined when the text is malformed. */
export function parseRate(text: string): Rate | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'unlimited') return null;
  const match = /^(\d{1,9})\s*\/\s*([a-z]+?)s?$/.exec(value);
  if (!match) return undefined;
  const [, digits, unit] = match;
  const limit = Number(digits);
  // Own keys only: `10/constructor` must not find Object.prototype's members.
  const periodMs = unit !== undefined && Object.hasOwn(RATE_UNITS, unit) ? RATE_UNITS[unit] : undefined;
  if (!periodMs || limit < 1) return undefined;
  return { limit, periodMs };
}

const rate = (name: string) =>
  Joi.string()
    .custom((value: string, helpers) => {
      const parsed = parseRate(value);
      return parsed === undefined ? helpers.error('rate.invalid') : value;
    })
    .messages({ 'rate.invalid': `${name} must be ${RATE_FORM}, got {#value}` });

const url = (name: string, schemes: string[]) =>
  Joi.string()
    .uri({ scheme: schemes })
    .messages({
      'string.uri': `${name} must be a URL (${schemes.join(', ')}), got {#value}`,
      'string.uriCustomScheme': `${name} must be a URL (${schemes.join(', ')}), got {#value}`,
    });

const flag = (name: string) =>
  Joi.string()
    .valid('1', '0', 'true', 'false', 'yes', 'no')
    .insensitive()
    .messages({
      'any.only': `${name} must be 1/0 (or true/false), got {#value}`,
    });

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development').messages({
    'any.only': 'NODE_ENV must be one of development, production, test, got {#value}',
  }),
  PORT: Joi.number().integer().min(0).max(65535).default(3000).messages({
    'number.base': 'PORT must be an integer from 0 to 65535, got {#value}',
    'number.integer': 'PORT must be an integer from 0 to 65535, got {#value}',
    'number.min': 'PORT must be an integer from 0 to 65535, got {#value}',
    'number.max': 'PORT must be an integer from 0 to 65535, got {#value}',
  }),
  HOST: Joi.string().hostname().default('0.0.0.0').messages({
    'string.hostname': 'HOST must be a host name or IP address, got {#value}',
  }),
  DATABASE_URL: url('DATABASE_URL', ['postgres', 'postgresql']),
  REDIS_URL: url('REDIS_URL', ['redis', 'rediss']),
  REDIS_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9:_.-]{1,64}$/)
    .default('confab:')
    .messages({
      'string.pattern.base': 'REDIS_PREFIX must be 1 to 64 letters, digits or : _ . -, got {#value}',
    }),
  DATA_DIR: Joi.string().default('./.confab'),
  JWT_SECRET: Joi.string().min(32).messages({
    'string.min': 'JWT_SECRET must be at least 32 characters long',
  }),
  ACCESS_TTL: Joi.number().integer().min(10).max(86_400).default(900).messages({
    'number.base': 'ACCESS_TTL must be a whole number of seconds from 10 to 86400, got {#value}',
    'number.integer': 'ACCESS_TTL must be a whole number of seconds from 10 to 86400, got {#value}',
    'number.min': 'ACCESS_TTL must be a whole number of seconds from 10 to 86400, got {#value}',
    'number.max': 'ACCESS_TTL must be a whole number of seconds from 10 to 86400, got {#value}',
  }),
  MESSAGE_RATE: rate('MESSAGE_RATE').default('10/second'),
  AUTH_RATE: rate('AUTH_RATE').default('20/minute'),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info').messages({
    'any.only': 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got {#value}',
  }),
  LOG_FORMAT: Joi.string().valid('pretty', 'json').insensitive().messages({
    'any.only': 'LOG_FORMAT must be pretty or json, got {#value}',
  }),
  MAX_UPLOAD_BYTES: Joi.number()
    .integer()
    .min(1)
    .max(1024 ** 3)
    .default(26_214_400)
    .messages({
      'number.base': 'MAX_UPLOAD_BYTES must be a whole number of bytes from 1 to 1073741824, got {#value}',
      'number.integer': 'MAX_UPLOAD_BYTES must be a whole number of bytes from 1 to 1073741824, got {#value}',
      'number.min': 'MAX_UPLOAD_BYTES must be a whole number of bytes from 1 to 1073741824, got {#value}',
      'number.max': 'MAX_UPLOAD_BYTES must be a whole number of bytes from 1 to 1073741824, got {#value}',
    }),
  STORAGE_URL: Joi.string(),
  STORAGE_DOWNLOADS: Joi.string().valid('stream', 'redirect').insensitive().default('stream').messages({
    'any.only': 'STORAGE_DOWNLOADS must be stream or redirect, got {#value}',
  }),
  PUBLIC_URL: url('PUBLIC_URL', ['http', 'https']),
  CONFAB_DEMO: flag('CONFAB_DEMO'),
  ADMIN_TOKEN: Joi.string().min(16).messages({
    'string.min': 'ADMIN_TOKEN must be at least 16 characters long',
  }),
  TRUST_PROXY: flag('TRUST_PROXY'),
  MIGRATE_ON_START: flag('MIGRATE_ON_START'),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(0).max(600_000).default(10_000).messages({
    'number.base': 'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 600000, got {#value}',
    'number.integer': 'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 600000, got {#value}',
    'number.min': 'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 600000, got {#value}',
    'number.max': 'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 600000, got {#value}',
  }),
  SMTP_URL: Joi.string()
    .uri({ scheme: ['smtp', 'smtps'] })
    .custom((value: string, helpers) =>
      /^smtps?:\/\/([^@/]*@)?[^@/:]+(:\d{1,5})?\/?$/i.test(value) ? value : helpers.error('smtp.invalid'),
    )
    .messages({
      'string.uri': 'SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://..., got {#value}',
      'string.uriCustomScheme': 'SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://..., got {#value}',
      'smtp.invalid': 'SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://..., got {#value}',
    }),
  MAIL_FROM: Joi.string()
    .max(320)
    .pattern(/^(?:[^<>\r\n@]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/)
    .default('Confab <no-reply@localhost>')
    .messages({
      'string.pattern.base': 'MAIL_FROM must be an address, e.g. no-reply@example.com or "Confab <no-reply@example.com>", got {#value}',
      'string.max': 'MAIL_FROM must be an address of at most 320 characters',
    }),
}).unknown(true);

/** Every environment variable the server reads (documented in .env.example). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.describe().keys ?? {});

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/i.test(value);

/**
 * Reads and validates the environment once. A bad value throws a ConfigError whose message is
 * one line naming the variable and the accepted form.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const { value: v, error } = schema.validate(cleaned, { abortEarly: true, convert: true });
  if (error) throw new ConfigError(`Invalid configuration: ${(error.details[0]?.message ?? error.message).replace(/"/g, '')}`);

  const nodeEnv = v.NODE_ENV as Config['nodeEnv'];
  const dataDir = resolve(v.DATA_DIR as string);
  const databaseUrl = (v.DATABASE_URL as string | undefined) ?? null;
  if (nodeEnv === 'production' && !v.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production (at least 32 characters)');
  }
  const storageUrl = (v.STORAGE_URL as string | undefined)?.trim() ?? null;
  const storageDownloads = String(v.STORAGE_DOWNLOADS).toLowerCase() as Config['storageDownloads'];
  const storageKind = storageUrl ? storageKindOf(storageUrl) : null;
  if (storageDownloads === 'redirect' && storageKind !== 's3') {
    throw new ConfigError('Invalid configuration: STORAGE_DOWNLOADS=redirect needs an s3:// STORAGE_URL (no other storage has URLs)');
  }
  const config: Config = {
    nodeEnv,
    port: v.PORT,
    host: v.HOST,
    databaseUrl,
    redisUrl: v.REDIS_URL ?? null,
    redisPrefix: v.REDIS_PREFIX,
    dataDir,
    jwtSecret: (v.JWT_SECRET as string | undefined) ?? persistedJwtSecret(dataDir),
    accessTtlSeconds: v.ACCESS_TTL,
    messageRate: parseRate(v.MESSAGE_RATE) ?? null,
    authRate: parseRate(v.AUTH_RATE) ?? null,
    logLevel: v.LOG_LEVEL,
    // Production logs are read by machines even when a terminal is attached.
    logFormat: v.LOG_FORMAT ? (String(v.LOG_FORMAT).toLowerCase() as LogFormat) : nodeEnv === 'production' ? 'json' : 'auto',
    maxUploadBytes: v.MAX_UPLOAD_BYTES,
    storageUrl,
    storageDownloads,
    publicUrl: v.PUBLIC_URL ? String(v.PUBLIC_URL).replace(/\/+$/, '') : null,
    // Never on by itself in production: there it is the operator's explicit choice.
    demo: v.CONFAB_DEMO === undefined ? databaseUrl === null && nodeEnv !== 'production' : truthy(v.CONFAB_DEMO),
    adminToken: v.ADMIN_TOKEN ?? null,
    trustProxy: truthy(v.TRUST_PROXY),
    migrateOnStart: v.MIGRATE_ON_START === undefined || truthy(v.MIGRATE_ON_START),
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    smtpUrl: v.SMTP_URL ?? null,
    mailFrom: String(v.MAIL_FROM).trim(),
  };
  return Object.freeze(config);
}

/** `s3` or `file`; a malformed STORAGE_URL fails the boot with the parser's one-line reason. */
function storageKindOf(url: string): string {
  try {
    return parseStorageUrl(url).kind;
  } catch (err) {
    if (err instanceof StorageUrlError) throw new ConfigError(`Invalid configuration: ${err.message}`);
    throw err;
  }
}

/** Outside production a missing JWT_SECRET is generated once and kept in DATA_DIR (shared by nodes). */
function persistedJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  const secret = persistedSecret(file, () => randomBytes(48).toString('base64url'), 32);
  if (!secret) throw new ConfigError(`Invalid configuration: ${file} does not hold a usable JWT secret; remove it or set JWT_SECRET`);
  return secret.value;
}
