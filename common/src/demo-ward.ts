/**
 * The demo ward: its places (camera sites) and its streets on a schematic map, and the demo cameras
 * made from them. Apart from config.ts because it is data, not schema; in common (not in
 * @wardwall/endpoint, which runs the demo cameras) because the services' camera list
 * (`effectiveCameras`) includes the demo cameras and the SFU's map draws DEMO_STREETS.
 */
import type { CameraConfig, Config } from './config.js';

/**
 * The demo cameras: places of the ward, in Vietnamese, each at a point of the schematic ward map
 * (streets in `DEMO_STREETS`) looking along a street, so that the derived neighbours form a plausible
 * street graph. Headings in degrees clockwise from north.
 */
export const DEMO_CAMERA_SITES: readonly { name: string; x: number; y: number; heading: number }[] = [
  { name: 'Ngã tư Lê Lợi', x: 300, y: 300, heading: 90 },
  { name: 'Hẻm 12 Nguyễn Trãi', x: 300, y: 480, heading: 180 },
  { name: 'Cổng chùa Phước Hải', x: 700, y: 480, heading: 0 },
  { name: 'Đường vào phường (Bắc)', x: 700, y: 90, heading: 180 },
  { name: 'Đường ra phường (Nam)', x: 300, y: 900, heading: 0 },
  { name: 'Chợ phường', x: 700, y: 650, heading: 270 },
  { name: 'Trường tiểu học', x: 500, y: 300, heading: 180 },
  { name: 'Bến xe buýt', x: 90, y: 300, heading: 90 },
  { name: 'Công viên', x: 500, y: 800, heading: 0 },
  { name: 'Cầu Đông', x: 920, y: 650, heading: 270 },
  { name: 'Hẻm 45 Trần Phú', x: 500, y: 650, heading: 0 },
  { name: 'Trạm y tế', x: 910, y: 300, heading: 270 },
  { name: 'Ngã ba Hai Bà Trưng', x: 700, y: 300, heading: 180 },
  { name: 'Nhà văn hóa', x: 300, y: 650, heading: 90 },
  { name: 'Bãi giữ xe', x: 90, y: 650, heading: 90 },
  { name: 'Đường ven sông', x: 700, y: 900, heading: 270 },
];

/** The schematic ward's streets (map units), drawn by the generated map background. */
export const DEMO_STREETS: readonly { name: string; points: readonly [number, number][] }[] = [
  { name: 'Lê Lợi', points: [[0, 300], [1000, 300]] },
  { name: 'Trần Phú', points: [[0, 650], [1000, 650]] },
  { name: 'Nguyễn Trãi', points: [[300, 0], [300, 1000]] },
  { name: 'Hai Bà Trưng', points: [[700, 0], [700, 1000]] },
  { name: 'Hẻm 12', points: [[300, 480], [700, 480]] },
  { name: 'Ven sông', points: [[0, 900], [1000, 900]] },
  { name: 'Hẻm 45', points: [[500, 300], [500, 900]] },
];

/** The demo cameras as camera configs, publishing to the embedded endpoint. */
export function demoCameras(config: Config): CameraConfig[] {
  const { host, rtspPort } = config.endpoint;
  const base = `rtsp://${host === '0.0.0.0' ? '127.0.0.1' : host}:${rtspPort}/live`;
  return Array.from({ length: config.demo.count }, (_, i) => {
    const id = `demo-${i + 1}`;
    const site = DEMO_CAMERA_SITES[i % DEMO_CAMERA_SITES.length]!;
    return {
      id,
      name: site.name,
      main: `${base}/${id}`,
      sub: i < config.demo.withSubStream ? `${base}/${id}-sub` : undefined,
      transcode: false,
      position: { x: site.x, y: site.y, heading: site.heading },
    };
  });
}
