import type { AppSettingsDto } from '@confab/protocol';

import { BaseModel } from './base.js';

export type AppSettings = AppSettingsDto;

export class App extends BaseModel {
  static override tableName = 'apps';
  static override jsonAttributes = ['settings'];

  id!: string;
  name!: string;
  secret!: string;
  allowedOrigins!: string[];
  settings!: AppSettings;
  createdAt!: Date;
}
