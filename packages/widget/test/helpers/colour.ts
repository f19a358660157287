// Colour maths for theme and contrast checks of what Chromium computed.

/** Relative luminance (WCAG) of a computed `rgb(...)` colour. */
export function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? [])
    .slice(0, 3)
    .map(Number)
    .map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
  if (r === undefined || g === undefined || b === undefined) throw new Error(`Not an rgb() colour: ${color}`);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
