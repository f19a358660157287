import { BaseModel } from './base.js';

export interface AppSettings {
  greeting?: string;
  awayMessage?: string;
  businessHours?: unknown;
  messageRate?: string;
}

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
