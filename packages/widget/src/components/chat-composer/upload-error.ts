import type { I18n } from '../../i18n/index.js';
import { formatBytes } from '../../lib/format.js';

/** What a `payload_too_large` says: the size limit, an image's pixel limit, or a storage quota (QuotaExceededDetails). */
interface TooLargeDetails {
  maxBytes?: unknown;
  maxPixels?: unknown;
  scope?: unknown;
  usedBytes?: unknown;
  limitBytes?: unknown;
}

const positive = (value: unknown): value is number => typeof value === 'number' && value > 0;

function tooLarge(i18n: I18n, name: string, details: TooLargeDetails): string {
  if (details.scope === 'user' && positive(details.limitBytes) && typeof details.usedBytes === 'number') {
    const [used, limit] = [details.usedBytes, details.limitBytes].map((bytes) => formatBytes(bytes, i18n.locale));
    return i18n.t('storageFullUser', { name, used: used!, limit: limit! });
  }
  if (details.scope === 'app') return i18n.t('storageFullApp', { name });
  if (positive(details.maxPixels)) {
    const megapixels = new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 0 }).format(details.maxPixels / 1e6);
    return i18n.t('fileTooManyPixels', { name, megapixels });
  }
  if (positive(details.maxBytes)) return i18n.t('fileTooLarge', { name, size: formatBytes(details.maxBytes, i18n.locale) });
  return i18n.t('fileTooLargeNoLimit', { name });
}

/** An upload's failure in words, with sizes as people read them ("invoice.pdf is larger than 25 MB"). */
export function uploadError(i18n: I18n, name: string, err: unknown): string {
  const { code, details, message } = (err ?? {}) as { code?: string; details?: unknown; message?: string };
  if (code === 'payload_too_large') return tooLarge(i18n, name, (details ?? {}) as TooLargeDetails);
  if (code === 'unsupported_media_type') return i18n.t('fileUnsupported', { name });
  if (code === undefined || code === 'internal' || code === 'unavailable' || code === 'rate_limited') {
    return i18n.t('uploadFailedRetry', { name });
  }
  return i18n.t('uploadFailed', { name, reason: message ?? code });
}
