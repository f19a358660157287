/** The key of the one direct room two people share: their ids, sorted, joined by a colon. */
export function directKeyOf(a: string, b: string): string {
  return [a, b].sort().join(':');
}

/** The two people of a direct room (new messages reach all their devices, watched or not); none for other rooms. */
export function directMembers(room: { kind: string; directKey: string | null }): string[] {
  return room.kind === 'direct' && room.directKey ? room.directKey.split(':') : [];
}
