import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

import type { AttachmentDto, MembershipRole, RoomKind, UploadLinksDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Attachment } from '../../db/models/index.js';
import { AppError, ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import { type Actor, isStaff } from '../actor.js';
import { attachmentUrl, toAttachmentDto } from '../dto/message-dto.js';
import type { LinkSigner, SignedLink } from './links.js';
import { safeFileName, sniffFile } from './sniff.js';
import type { UploadStorage } from './storage.js';

const UPLOADS_PER_MINUTE = { limit: 30, periodMs: 60_000 };

export interface StoredFile {
  attachment: Attachment;
  /** Its size in bytes, as stored. */
  size: number;
  /** Bytes `start` to `end` (inclusive), streamed from storage. */
  stream(start: number, end: number): Readable;
  /** Raster images are shown in place; everything else is only ever downloaded. */
  inline: boolean;
  /** The name the download gets: ours, never the uploader's. */
  downloadName: string;
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
  constructor(
    private readonly db: Db,
    private readonly storage: UploadStorage,
    private readonly throttle: Throttle,
    private readonly signer: LinkSigner,
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
    const [attachment] = await this.readable(actor, [id]);
    if (!attachment) throw new NotFoundError('File');
    return this.read(attachment);
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
      return [
        {
          id: attachment.id,
          url: `${attachmentUrl(attachment.id)}?exp=${exp}&sig=${sig}`,
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
  async openLinked(id: string, link: SignedLink): Promise<StoredFile> {
    const [attachment] = await this.withAccess([id], {});
    if (!attachment) throw new NotFoundError('File');
    const check = this.signer.check(attachment.appId, attachment.id, link);
    if (check === 'invalid') throw new ForbiddenError('This link is not valid for this file');
    if (check === 'expired') throw new AppError('token_expired', 'This link has expired: ask for a new one');
    if (attachment.messageId && (!attachment.roomKind || attachment.messageDeletedAt)) throw new NotFoundError('File');
    return this.read(attachment);
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

  private async read(attachment: Attachment): Promise<StoredFile> {
    const size = await this.storage.size(attachment.storageKey);
    if (size === null) throw new NotFoundError('File');
    return {
      attachment,
      size,
      stream: (start, end) => this.storage.stream(attachment.storageKey, start, end),
      inline: INLINE_TYPES.has(attachment.mime),
      downloadName: `confab-${attachment.id.slice(0, 8)}.${extensionOf(attachment.mime)}`,
    };
  }
}
