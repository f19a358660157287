import { describe, expect, it } from 'vitest';

import { thumbnailSize } from './message-body.js';

describe('thumbnailSize', () => {
  it('fits large images in 240 px with their aspect ratio', () => {
    expect(thumbnailSize(640, 480)).toEqual({ width: 240, height: 180 });
    expect(thumbnailSize(1080, 1920)).toEqual({ width: 135, height: 240 });
    expect(thumbnailSize(200, 100)).toEqual({ width: 200, height: 100 });
  });

  it('scales tiny images up to 120 px on their long side, so they can be clicked', () => {
    expect(thumbnailSize(4, 3)).toEqual({ width: 120, height: 90 });
    expect(thumbnailSize(1, 1)).toEqual({ width: 120, height: 120 });
  });

  it('crops panoramas and slivers to at most 3:1', () => {
    expect(thumbnailSize(3000, 100)).toEqual({ width: 240, height: 80 });
    expect(thumbnailSize(50, 2000)).toEqual({ width: 50, height: 150 });
    expect(thumbnailSize(400, 4000)).toEqual({ width: 80, height: 240 });
  });
});
