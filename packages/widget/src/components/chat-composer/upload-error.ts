import type { I18n } from '../../i18n/index.js';
import { formatBytes } from '../../lib/format.js';

/** An upload's failure in words, with sizes as people read them ("invoice.pdf is larger than 25 MB"). */
export function uploadError(i18n: I18n, name: string, err: unknown): string {
  const { code, details, message } = (err ?? {}) as { code?: string; details?: unknown; message?: string };
  if (code === 'payload_too_large') {
    const maxBytes = (details as { maxBytes?: unknown } | undefined)?.maxBytes;
    return typeof maxBytes === 'number' && maxBytes > 0
      ? i18n.t('fileTooLarge', { name, size: formatBytes(maxBytes, i18n.locale) })
      : i18n.t('fileTooLargeNoLimit', { name });
  }
  if (code === 'unsupported_media_type') return i18n.t('fileUnsupported', { name });
  if (code === undefined || code === 'internal' || code === 'unavailable' || code === 'rate_limited') {
    return i18n.t('uploadFailedRetry', { name });
  }
  return i18n.t('uploadFailed', { name, reason: message ?? code });
}
