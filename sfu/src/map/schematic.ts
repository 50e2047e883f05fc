/**
 * The generated ward map background: a schematic SVG of streets on the map's 1000 x 1000 units
 * (cameras are drawn over it by the client, with their live state). Pure.
 */
export interface Street {
  name: string;
  points: readonly (readonly [number, number])[];
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Where a street's label goes: beside its first segment, a little in from the start. */
function labelOf(street: Street): { x: number; y: number; rotate: number } | null {
  const [a, b] = street.points;
  if (!a || !b) return null;
  const vertical = Math.abs(b[1] - a[1]) > Math.abs(b[0] - a[0]);
  const t = 0.12;
  const x = a[0] + (b[0] - a[0]) * t;
  const y = a[1] + (b[1] - a[1]) * t;
  return vertical ? { x: x - 12, y, rotate: -90 } : { x, y: y - 12, rotate: 0 };
}

export function schematicSvg(streets: readonly Street[], title: string): string {
  const roads = streets
    .map((s) => {
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x} ${y}`).join(' ');
      const alley = /^hẻm/i.test(s.name);
      return `<path d="${d}" class="${alley ? 'alley' : 'road'}"/>`;
    })
    .join('');
  const labels = streets
    .map((s) => {
      const l = labelOf(s);
      return l ? `<text x="${l.x}" y="${l.y}" transform="rotate(${l.rotate} ${l.x} ${l.y})">${escapeXml(s.name)}</text>` : '';
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000" width="1000" height="1000">` +
    `<title>${escapeXml(title)}</title>` +
    `<style>.road{stroke:#3a4656;stroke-width:34;fill:none;stroke-linecap:square}` +
    `.alley{stroke:#334050;stroke-width:16;fill:none}` +
    `text{fill:#9fb0c4;font:600 20px sans-serif}</style>` +
    `<rect width="1000" height="1000" fill="#17202b"/>` +
    `<rect x="8" y="8" width="984" height="984" fill="none" stroke="#2f5d50" stroke-width="4" stroke-dasharray="18 10"/>` +
    `<g stroke="#1d2834" stroke-width="1">${Array.from({ length: 9 }, (_, i) => `<path d="M${(i + 1) * 100} 0V1000M0 ${(i + 1) * 100}H1000"/>`).join('')}</g>` +
    roads +
    labels +
    `</svg>`
  );
}
