import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { AttachmentDto, MembershipRole, RoomKind, StorageQuotaDto, StorageUsageDto, UploadLinksDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Attachment } from '../../db/models/index.js';
import { AppError, ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import { type Actor, isStaff } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import { attachmentUrl, toAttachmentDto } from '../dto/message-dto.js';
import { processImage } from './images.js';
import { collect, peek } from './intake.js';
import type { LinkSigner, SignedLink } from './links.js';
import { StorageQuotas } from './quotas.js';
import { MAGIC_BYTES, safeFileName, SNIFF_BYTES, type SniffedType, sniffFile, typedByMagic } from './sniff.js';
import { type PresignOptions, type UploadStorage, writeBuffer } from './storage.js';

const UPLOADS_PER_MINUTE = { limit: 30, periodMs: 60_000 };

/** Which bytes of an attachment: the file, or its image's thumbnail. */
export type Variant = 'file' | 'thumbnail';

/** What an upload stored, as recorded on its attachment. */
type StoredBytes = Pick<Attachment, 'mime' | 'size' | 'width' | 'height' | 'thumbKey' | 'thumbMime' | 'thumbWidth' | 'thumbHeight'>;

export interface StoredFile {
  attachment: Attachment;
  /** The type of these bytes (a thumbnail's may differ from its image's). */
  mime: string;
  /** A strong validator: the bytes under an id never change. */
  etag: string;
  /** Its size in bytes, as stored. */
  size: number;
  /** Bytes `start` to `end` (inclusive), streamed from storage. */
  stream(start: number, end: number): Readable;
  /** Raster images are shown in place; everything else is only ever downloaded. */
  inline: boolean;
  /** The name the download gets: ours, never the uploader's. */
  downloadName: string;
  /** A URL the storage serves these bytes from itself, when it can (object storage). */
  presign?: (options: PresignOptions) => Promise<string>;
}

/** An attachment with what deciding who may read it needs: its message's room and the caller's place in it. */
type AttachmentAccess = Attachment & {
  messageDeletedAt: Date | null;
  roomKind: RoomKind | null;
  memberRole: MembershipRole | null;
};

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
 * served only to that room's members (or, before sending, to the uploader), with their token or
 * a short-lived signed link made for them.
 */
export class UploadsService {
  private readonly quotas: StorageQuotas;

  constructor(
    private readonly db: Db,
    private readonly storage: UploadStorage,
    private readonly throttle: Throttle,
    private readonly signer: LinkSigner,
    apps: AppsService,
  ) {
    this.quotas = new StorageQuotas(db, apps);
  }

  /**
   * Stores an upload as it arrives: typed from its first bytes, written to storage a piece at a
   * time (images: decoded, oriented, stripped of metadata and given a thumbnail), then recorded
   * within the app's quotas. Whatever fails on the way leaves nothing stored.
   */
  async create(actor: Actor, body: Buffer | Readable, originalName: string, declaredBytes: number | null = null): Promise<AttachmentDto> {
    const { allowed, retryAfterMs } = await this.throttle.consume(`upload:${actor.id}`, UPLOADS_PER_MINUTE);
    if (!allowed) throw new RateLimitedError(retryAfterMs);
    await this.quotas.precheck(actor, declaredBytes);
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    // Typed from its first MiB, or its first 4 KiB when those already tell (a PDF, an archive).
    const reach = { bytes: SNIFF_BYTES, enough: typedByMagic, after: MAGIC_BYTES };
    const { verdict: type, whole } = await peek(source, reach, (head, complete) => sniffFile(head, originalName, { partial: !complete }));
    if (!type) {
      whole.destroy();
      throw new AppError(
        'unsupported_media_type',
        'This kind of file is not accepted: send images, PDF, text, office documents or archives',
      );
    }
    const id = randomUUID();
    const stored = type.inline ? await this.storeImage(id, whole, type.mime) : await this.storeFile(id, whole, type);
    try {
      const attachment = await this.quotas.admit(actor, stored.size, async (trx) =>
        Attachment.query(trx).insertAndFetch({
          id,
          appId: actor.appId,
          uploaderId: actor.id,
          filename: safeFileName(originalName),
          storageKey: id,
          ...stored,
        }),
      );
      return toAttachmentDto(attachment);
    } catch (err) {
      await this.forget([id, stored.thumbKey]);
      throw err;
    }
  }

  /** Usage against the quotas (the app's too, for its admins). */
  usage(actor: Actor): Promise<StorageUsageDto> {
    return this.quotas.usage(actor);
  }

  setQuota(actor: Actor, patch: Partial<StorageQuotaDto>): Promise<StorageUsageDto> {
    return this.quotas.setQuota(actor, patch);
  }

  private async storeFile(id: string, whole: Readable, type: SniffedType): Promise<StoredBytes> {
    const size = await this.storage.write(id, whole);
    return {
      mime: type.mime,
      size,
      width: type.width,
      height: type.height,
      thumbKey: null,
      thumbMime: null,
      thumbWidth: null,
      thumbHeight: null,
    };
  }

  private async storeImage(id: string, whole: Readable, mime: string): Promise<StoredBytes> {
    const image = await processImage(await collect(whole), mime);
    const thumbKey = randomUUID();
    try {
      await writeBuffer(this.storage, id, image.bytes);
      await writeBuffer(this.storage, thumbKey, image.thumb.bytes);
    } catch (err) {
      await this.forget([id, thumbKey]);
      throw err;
    }
    return {
      mime: image.mime,
      size: image.bytes.length,
      width: image.width,
      height: image.height,
      thumbKey,
      thumbMime: image.thumb.mime,
      thumbWidth: image.thumb.width,
      thumbHeight: image.thumb.height,
    };
  }

  private async forget(keys: (string | null)[]): Promise<void> {
    for (const key of keys) if (key) await this.storage.delete(key).catch(() => undefined);
  }

  /**
   * A file for someone allowed to see it. Anyone else gets 404, as for a file that does not
   * exist: ids of other people's files reveal nothing.
   */
  async open(actor: Actor, id: string, variant: Variant = 'file'): Promise<StoredFile> {
    const [attachment] = await this.readable(actor, [id]);
    if (!attachment) throw new NotFoundError('File');
    return this.read(attachment, variant);
  }

  /**
   * Signed links to the files the caller may read, in the order asked (each once); the others are
   * left out, as files that do not exist would be.
   */
  async links(actor: Actor, ids: string[]): Promise<UploadLinksDto> {
    const readable = new Map((await this.readable(actor, ids)).map((a) => [a.id, a]));
    const now = Date.now();
    const items = [...new Set(ids.map((id) => id.toLowerCase()))].flatMap((id) => {
      const attachment = readable.get(id);
      if (!attachment) return [];
      const { exp, sig } = this.signer.sign(attachment.appId, attachment.id, now);
      const signed = `?exp=${exp}&sig=${sig}`;
      return [
        {
          id: attachment.id,
          url: `${attachmentUrl(attachment.id)}${signed}`,
          thumbnailUrl: attachment.thumbKey ? `${attachmentUrl(attachment.id)}/thumbnail${signed}` : null,
          expiresAt: new Date(exp * 1000).toISOString(),
          expiresIn: exp - Math.floor(now / 1000),
        },
      ];
    });
    return { items };
  }

  /**
   * The file a signed link names. The link stands for the access checked when it was made; a
   * file whose message was deleted since is gone all the same.
   */
  async openLinked(id: string, link: SignedLink, variant: Variant = 'file'): Promise<StoredFile> {
    const [attachment] = await this.withAccess([id], {});
    if (!attachment) throw new NotFoundError('File');
    const check = this.signer.check(attachment.appId, attachment.id, link);
    if (check === 'invalid') throw new ForbiddenError('This link is not valid for this file');
    if (check === 'expired') throw new AppError('token_expired', 'This link has expired: ask for a new one');
    if (attachment.messageId && (!attachment.roomKind || attachment.messageDeletedAt)) throw new NotFoundError('File');
    return this.read(attachment, variant);
  }

  /**
   * The caller's app's files among `ids` that the caller may read: members of the room the file
   * was sent in (agents: any support conversation), or its uploader before it is sent.
   */
  private async readable(actor: Actor, ids: string[]): Promise<Attachment[]> {
    const rows = await this.withAccess(ids, { appId: actor.appId, memberId: actor.id });
    return rows.filter((a) => {
      if (!a.messageId) return a.uploaderId === actor.id;
      if (!a.roomKind || a.messageDeletedAt) return false;
      return a.memberRole !== null || (a.roomKind === 'support' && isStaff(actor));
    });
  }

  /** One query for a batch of files: each with its message's state, its room's kind and `memberId`'s role there. */
  private async withAccess(ids: string[], scope: { appId?: string; memberId?: string }): Promise<AttachmentAccess[]> {
    if (!ids.length) return [];
    const query = Attachment.query(this.db)
      .select('attachments.*', 'm.deleted_at as message_deleted_at', 'r.kind as room_kind')
      .leftJoin('messages as m', 'm.id', 'attachments.message_id')
      .leftJoin('rooms as r', 'r.id', 'm.room_id')
      .whereIn('attachments.id', ids);
    if (scope.appId) query.where('attachments.app_id', scope.appId);
    if (scope.memberId) {
      query
        .select('mem.role as member_role')
        .leftJoin('memberships as mem', (j) => j.on('mem.room_id', 'm.room_id').andOnVal('mem.user_id', scope.memberId!));
    } else {
      query.select(this.db.raw('null as member_role'));
    }
    return (await query) as AttachmentAccess[];
  }

  private async read(attachment: Attachment, variant: Variant): Promise<StoredFile> {
    const thumbnail = variant === 'thumbnail';
    const key = thumbnail ? attachment.thumbKey : attachment.storageKey;
    const mime = thumbnail ? attachment.thumbMime : attachment.mime;
    if (!key || !mime) throw new NotFoundError('Thumbnail');
    // The file's size is its row's (recorded from what storage took); a thumbnail's is asked of storage.
    const size = thumbnail ? await this.storage.size(key) : attachment.size;
    if (size === null) throw new NotFoundError('File');
    const name = `confab-${attachment.id.slice(0, 8)}${thumbnail ? '-thumbnail' : ''}`;
    const presign = this.storage.presign?.bind(this.storage);
    return {
      attachment,
      mime,
      etag: `"${attachment.id}${thumbnail ? '-t' : ''}"`,
      size,
      stream: (start, end) => this.storage.stream(key, start, end),
      inline: INLINE_TYPES.has(mime),
      downloadName: `${name}.${extensionOf(mime)}`,
      presign: presign && ((options) => presign(key, options)),
    };
  }
}
