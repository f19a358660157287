/** Limits shared by the server (validation), the SDK and the widget (input hints). */
export const LIMITS = {
  messageTextMax: 4000,
  clientIdMax: 64,
  attachmentsPerMessageMax: 10,
  emojiMax: 32,
  roomNameMax: 100,
  slugMax: 64,
  membersPerRequestMax: 100,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  passwordMax: 256,
  nameMax: 80,
  emailMax: 254,
  urlMax: 2048,
  metadataBytesMax: 4096,
  /** Levels of nesting in `metadata` (the object itself is level 1). */
  metadataDepthMax: 8,
  shortcutMax: 32,
  /** A support label's name (labels area). */
  labelNameMax: 40,
  /** Greeting and away message of an app. */
  supportTextMax: 1000,
  /** A visitor's satisfaction rating: scores 1 to `ratingScoreMax`, and the optional comment. */
  ratingScoreMax: 5,
  ratingCommentMax: 1000,
  fileNameMax: 200,
  /** Files one `POST /v1/uploads/links` signs links for. */
  uploadLinksMax: 100,
  /** Decoded pixels an uploaded image may have (width × height); beyond, it is refused (decompression bombs). */
  imagePixelsMax: 50_000_000,
  /** The longer side of an image's thumbnail, in pixels. */
  thumbnailSide: 480,
  /** Largest uploaders listed in `GET /v1/storage/usage`. */
  storageTopUsers: 20,
  /** The largest storage quota an app can set, in bytes (1 PiB). */
  storageQuotaBytesMax: 2 ** 50,
  /** An IANA time zone name, e.g. `America/Argentina/Buenos_Aires`. */
  timeZoneMax: 64,
  webhooksPerAppMax: 20,
  /** The text of `GET /v1/support/search`. */
  searchQueryMax: 200,
  /** Results one search page holds at most (each carries its conversation and context). */
  searchPageMax: 50,
  searchPageDefault: 20,
  pageDefault: 50,
  pageMax: 100,
  /** Largest JSON body the REST API accepts. */
  jsonBodyBytesMax: 64 * 1024,
  /** Deepest nesting of objects and arrays in a JSON body or socket payload (the top level is 1). */
  jsonDepthMax: 32,
  /** Most messages one `room:join` catch-up returns; past it `hasMore` says to page with `after`. */
  catchUpMax: 200,
  /**
   * Rooms with more members than this get no live `presence` events (their `room:join` still
   * returns who is online): one user reconnecting would otherwise write to every member's socket,
   * and a whole large room reconnecting at once would cost members² writes.
   */
  presenceRoomMembersMax: 100,
  /**
   * Rooms with more members than this get no per-member receipts live (`room:receipts` carries only
   * the room's lowest delivered/read watermarks): receipts then cost O(members) events per message.
   */
  receiptsRoomMembersMax: 20,
  /**
   * Open sockets one user may hold across every node (tabs, devices, bots); the handshake past it
   * is refused with `rate_limited`. Generous, as the SDK is to share one socket among a browser's tabs.
   */
  socketsPerUserMax: 20,
  /** Moderation: the longest reason a moderator may give (audit log), and a report's comment. */
  moderationReasonMax: 500,
  reportCommentMax: 1000,
  /** A mute lasts 60 s … 30 days; a ban, when it ends at all, 60 s … 365 days. */
  muteSecondsMin: 60,
  muteSecondsMax: 30 * 24 * 3600,
  banSecondsMax: 365 * 24 * 3600,
  /** Slow mode: at most one message per 6 hours per member. */
  slowModeSecondsMax: 21_600,
  /** Pinned messages a room holds at most. */
  pinsPerRoomMax: 50,
  /** Retention settings: days, 1 … 3650. */
  retentionDaysMax: 3650,
  /** `DELETE /v1/me` with a host-signed token: issued at most this long ago. */
  erasureTokenMaxAgeSeconds: 300,
  /** Largest socket payload: the longest legal message, every character JSON-escaped, plus envelope. */
  socketPayloadBytesMax: 4000 * 6 + 8 * 1024,
} as const;

/** Usernames: letters, digits, dot, dash and underscore; must start with a letter or digit. */
export const USERNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Room slugs: lowercase words joined by dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Canned-response shortcuts (typed after `/`): letters, digits, dash and underscore. */
export const SHORTCUT_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
