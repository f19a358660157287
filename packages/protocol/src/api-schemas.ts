// The named shapes of the REST API: each JSON response is one of these, by name (see routes.ts).
import type { AssignmentDto } from './assignment.js';
import type {
  AppDto,
  AttachmentDto,
  AuthSessionDto,
  MemberDto,
  MembershipDto,
  MessageDto,
  PageDto,
  ReactionDto,
  ReadStateDto,
  ReceiptDto,
  RoomDto,
  RoomListItemDto,
  UploadLinksDto,
  UserDto,
  UserSummaryDto,
} from './dto.js';
import type { ErrorResponse } from './errors.js';
import type { ReactionUpdatedEvent } from './events.js';
import type { InboundMailResultDto, InboundSecretDto, MailDto, MailSettingsDto, TranscriptQueuedDto } from './mail.js';
import type {
  BlockDto,
  ErasureDto,
  MessageReportDto,
  ModerationEntryDto,
  PinDto,
  RetentionSettingsDto,
  RoomBanDto,
  UserBanDto,
} from './moderation.js';
import type { SupportNoteDto } from './notes.js';
import type { SupportReportDto } from './reports.js';
import type { StorageQuotaDto, StorageUsageDto } from './storage.js';
import type {
  CannedResponseDto,
  ConversationRatingDto,
  StartConversationResult,
  SupportAvailabilityDto,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportLabelDto,
  SupportSearchResultDto,
  SupportSettingsDto,
  WebhookDeliveryDto,
  WebhookDto,
} from './support.js';

/** The reply to `POST /v1/admin/apps`: the only time the app's secret is shown. */
export interface AppWithSecretDto extends AppDto {
  secret: string;
}

/** The reply to `POST /v1/admin/apps/:id/webhooks`: the only time the signing secret is shown. */
export interface WebhookWithSecretDto extends WebhookDto {
  secret: string;
}

export interface HealthCheckDto {
  ok: boolean;
  ms: number;
  error?: string;
}

/** `/healthz` and `/readyz`; readiness adds its checks (`database`, and `redis` when configured). */
export interface HealthDto {
  status: 'ok' | 'draining' | 'unavailable';
  checks?: Record<string, HealthCheckDto>;
}

/**
 * The named shapes of the API: an operation's JSON response is one of these, by name, and the
 * OpenAPI document has a component schema of the same name for each.
 */
export interface ApiSchemas {
  Error: ErrorResponse;
  UserSummary: UserSummaryDto;
  User: UserDto;
  UserPage: PageDto<UserDto>;
  AuthSession: AuthSessionDto;
  Membership: MembershipDto;
  Member: MemberDto;
  MemberPage: PageDto<MemberDto>;
  Room: RoomDto;
  RoomListItem: RoomListItemDto;
  RoomListPage: PageDto<RoomListItemDto>;
  Reaction: ReactionDto;
  Attachment: AttachmentDto;
  UploadLinks: UploadLinksDto;
  Message: MessageDto;
  MessagePage: PageDto<MessageDto>;
  ReactionUpdate: ReactionUpdatedEvent;
  ReadState: ReadStateDto;
  Receipt: ReceiptDto;
  ReceiptPage: PageDto<ReceiptDto>;
  App: AppDto;
  AppWithSecret: AppWithSecretDto;
  AppPage: PageDto<AppDto>;
  Conversation: SupportConversationDto;
  StartedConversation: StartConversationResult;
  ConversationRating: ConversationRatingDto;
  InboxItem: SupportInboxItemDto;
  InboxPage: PageDto<SupportInboxItemDto>;
  SearchResult: SupportSearchResultDto;
  SearchPage: PageDto<SupportSearchResultDto>;
  SupportAvailability: SupportAvailabilityDto;
  SupportSettings: SupportSettingsDto;
  Assignment: AssignmentDto;
  CannedResponse: CannedResponseDto;
  CannedResponsePage: PageDto<CannedResponseDto>;
  Label: SupportLabelDto;
  LabelPage: PageDto<SupportLabelDto>;
  SupportReport: SupportReportDto;
  Note: SupportNoteDto;
  NotePage: PageDto<SupportNoteDto>;
  TranscriptQueued: TranscriptQueuedDto;
  Mail: MailDto;
  MailPage: PageDto<MailDto>;
  MailSettings: MailSettingsDto;
  InboundSecret: InboundSecretDto;
  InboundMailResult: InboundMailResultDto;
  ModerationEntry: ModerationEntryDto;
  ModerationEntryPage: PageDto<ModerationEntryDto>;
  RoomBan: RoomBanDto;
  RoomBanPage: PageDto<RoomBanDto>;
  UserBan: UserBanDto;
  UserBanPage: PageDto<UserBanDto>;
  Pin: PinDto;
  PinPage: PageDto<PinDto>;
  Block: BlockDto;
  BlockPage: PageDto<BlockDto>;
  MessageReport: MessageReportDto;
  MessageReportPage: PageDto<MessageReportDto>;
  Erasure: ErasureDto;
  RetentionSettings: RetentionSettingsDto;
  StorageUsage: StorageUsageDto;
  StorageQuota: StorageQuotaDto;
  Webhook: WebhookDto;
  WebhookWithSecret: WebhookWithSecretDto;
  WebhookPage: PageDto<WebhookDto>;
  WebhookDelivery: WebhookDeliveryDto;
  WebhookDeliveryPage: PageDto<WebhookDeliveryDto>;
  Health: HealthDto;
}
export type SchemaName = keyof ApiSchemas;
