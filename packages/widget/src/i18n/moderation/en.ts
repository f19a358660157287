/**
 * English strings of moderation in group and public rooms, loaded with its code only in those
 * rooms (components/room-moderation/room-moderation.ts): the report form, moderators' actions,
 * the pinned strip and the notices that replace the composer.
 */
export const en = {
  // The message menu: everyone's report, moderators' actions
  modReport: 'Report',
  modReportTitle: 'Report this message',
  modReportReason: 'What’s wrong with it?',
  modReasonSpam: 'Spam',
  modReasonAbuse: 'Abuse or harassment',
  modReasonOther: 'Something else',
  modReportComment: 'Anything to add? (optional)',
  modReportSend: 'Send report',
  modReportThanks: 'Thanks, the moderators will look at it',
  modDone: 'Done',
  modModerate: 'Moderation',
  modRemove: 'Remove message',
  modRemoveConfirm: 'Remove this message for everyone?',
  modPin: 'Pin',
  modUnpin: 'Unpin',
  modMuteHour: 'Mute 1 hour',
  modMuteDay: 'Mute 24 hours',
  modMuteHourConfirm: 'Mute {name} for 1 hour? They can still read.',
  modMuteDayConfirm: 'Mute {name} for 24 hours? They can still read.',
  modKick: 'Remove from room',
  modKickConfirm: 'Remove {name} from this room? They can join again later.',
  modBan: 'Ban from room',
  modBanConfirm: 'Ban {name} from this room? They won’t be able to come back.',
  modWorking: 'Working…',
  modMutedDone: '{name} is muted until {time}',
  modKickedDone: '{name} was removed from the room',
  modBannedDone: '{name} was banned from the room',
  modPinnedDone: 'Message pinned',
  modUnpinnedDone: 'Message unpinned',
  modRemovedDone: 'Message removed',
  // Errors, in words
  modErrorForbidden: 'You can’t do that in this room.',
  modErrorRateLimited: 'Too many at once. Try again in a little while.',
  modErrorPinLimit: 'This room has as many pins as it can hold. Unpin one first.',
  modErrorOffline: 'You’re offline. Try again once you’re back online.',
  modErrorGeneric: 'That didn’t work: {message}',
  // The pinned strip at the top of the thread
  modPinned: 'Pinned',
  modPinsAll: 'All pins ({count})',
  modPinsTitle: 'Pinned messages',
  modPinsClose: 'Close pinned messages',
  // Instead of the composer
  modMutedNotice: 'You can’t send messages here until {time}',
  modMutedTitle: 'You’re muted',
  modKickedNotice: 'You were removed from this room',
  modBannedNotice: 'You were removed from this room and can’t rejoin it',
  modSlowMode: 'Slow mode: one message every {seconds} s',
  modSlowWait: 'Slow mode: you can send again in {seconds} s',
};

export type ModerationStrings = typeof en;
