import { randomUUID } from 'node:crypto';

import type { AttachmentDto, RoomKind } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Attachment } from '../../db/models/index.js';
import { AppError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import type { Actor } from '../actor.js';
import { toAttachmentDto } from '../dto/message-dto.js';
import { accessMembership } from '../rooms/access.js';
import { safeFileName, sniffFile } from './sniff.js';
import type { UploadStorage } from './storage.js';

const UPLOADS_PER_MINUTE = { limit: 30, periodMs: 60_000 };

export interface StoredFile {
  attachment: Attachment;
  bytes: Buffer;
  /** Raster images are shown in place; everything else is only ever downloaded. */
  inline: boolean;
  /** The name the download gets: ours, never the uploader's. */
  downloadName: string;
}

const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'application/gzip': 'gz',
  'application/vnd.rar': 'rar',
  'application/x-7z-compressed': '7z',
  'application/x-tar': 'tar',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

function extensionOf(mime: string): string {
  return EXTENSIONS[mime] ?? mime.split('/')[1] ?? 'bin';
}

/**
 * Files: stored once uploaded, typed from their bytes, linked to a message when it is sent, and
 * served only to that room's members (or, before sending, to the uploader).
 */
export class UploadsService {
  constructor(
    private readonly db: Db,
    private readonly storage: UploadStorage,
    private readonly throttle: Throttle,
  ) {}

  async create(actor: Actor, bytes: Buffer, originalName: string): Promise<AttachmentDto> {
    const { allowed, retryAfterMs } = await this.throttle.consume(`upload:${actor.id}`, UPLOADS_PER_MINUTE);
    if (!allowed) throw new RateLimitedError(retryAfterMs);
    const type = sniffFile(bytes, originalName);
    if (!type) {
      throw new AppError(
        'unsupported_media_type',
        'This kind of file is not accepted: send images, PDF, text, office documents or archives',
      );
    }
    const id = randomUUID();
    await this.storage.put(id, bytes);
    try {
      const attachment = await Attachment.query(this.db).insertAndFetch({
        id,
        appId: actor.appId,
        uploaderId: actor.id,
        filename: safeFileName(originalName),
        mime: type.mime,
        size: bytes.length,
        storageKey: id,
        width: type.width,
        height: type.height,
      });
      return toAttachmentDto(attachment);
    } catch (err) {
      await this.storage.delete(id).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A file for someone allowed to see it. Anyone else gets 404, as for a file that does not
   * exist: ids of other people's files reveal nothing.
   */
  async open(actor: Actor, id: string): Promise<StoredFile> {
    const attachment = await Attachment.query(this.db).findOne({ id, appId: actor.appId });
    if (!attachment || !(await this.mayRead(actor, attachment))) throw new NotFoundError('File');
    const bytes = await this.storage.get(attachment.storageKey);
    if (!bytes) throw new NotFoundError('File');
    return {
      attachment,
      bytes,
      inline: INLINE_TYPES.has(attachment.mime),
      downloadName: `confab-${attachment.id.slice(0, 8)}.${extensionOf(attachment.mime)}`,
    };
  }

  private async mayRead(actor: Actor, attachment: Attachment): Promise<boolean> {
    if (!attachment.messageId) return attachment.uploaderId === actor.id;
    const message: { roomId: string; deletedAt: Date | null; kind: RoomKind } | undefined = await this.db('messages as m')
      .join('rooms as r', 'r.id', 'm.room_id')
      .where('m.id', attachment.messageId)
      .first('m.room_id', 'm.deleted_at', 'r.kind');
    if (!message || message.deletedAt) return false;
    return (await accessMembership(this.db, actor, { id: message.roomId, kind: message.kind })) !== null;
  }
}
