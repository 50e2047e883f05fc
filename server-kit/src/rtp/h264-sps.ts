/**
 * What an H.264 sequence parameter set says (ITU-T H.264 §7.3.2.1.1 and Annex E): profile, level,
 * the picture size after cropping and, when the VUI carries timing, the frame rate. Pure and
 * throw-free: a truncated or malformed SPS gives null (a truncated VUI only loses the frame rate).
 */

export interface SpsInfo {
  profileIdc: number;
  /** constraint_set0..5 flags and the 2 reserved bits (the byte after profile_idc). */
  constraintFlags: number;
  levelIdc: number;
  /** The SDP's profile-level-id: 6 hex digits (profile_idc, constraint byte, level_idc). */
  profileLevelId: string;
  chromaFormatIdc: number;
  width: number;
  height: number;
  /** Frames per second from the VUI timing info (time_scale / (2 · num_units_in_tick)); null when absent. */
  frameRate: number | null;
}

/** Bit reader over an RBSP; reads past the end set `overrun` instead of throwing. */
class Bits {
  private pos = 0;
  overrun = false;
  constructor(private readonly data: Uint8Array) {}

  bit(): number {
    if (this.pos >= this.data.length * 8) {
      this.overrun = true;
      return 0;
    }
    const b = (this.data[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  /** ue(v) exp-Golomb; more than 31 leading zeros is malformed. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (this.overrun || ++zeros > 31) {
        this.overrun = true;
        return 0;
      }
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** The RBSP of a NAL unit's payload: emulation prevention bytes (00 00 03) removed. */
export function unescapeRbsp(nal: Uint8Array, start = 0): Uint8Array {
  let zeros = 0;
  let needed = false;
  for (let i = start; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      needed = true;
      break;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
  }
  if (!needed) return nal.subarray(start);
  const out = new Uint8Array(nal.length - start);
  let o = 0;
  zeros = 0;
  for (let i = start; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The SPS NAL unit's content (with its 1-byte NAL header, type 7), or null when it is not readable. */
export function spsInfo(sps: Uint8Array): SpsInfo | null {
  if (sps.length < 4 || (sps[0]! & 0x1f) !== 7) return null;
  const r = new Bits(unescapeRbsp(sps, 1));
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) return null;
    if (chromaFormatIdc === 3) separateColourPlane = r.bit();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) {
      // seq_scaling_matrix_present_flag: skip the scaling lists.
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists && !r.overrun; i++) {
        if (!r.bit()) continue;
        const size = i < 6 ? 16 : 64;
        let last = 8;
        let next = 8;
        for (let j = 0; j < size && !r.overrun; j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    if (cycle > 255) return null;
    for (let i = 0; i < cycle && !r.overrun; i++) r.se();
  } else if (pocType !== 2) return null;
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (r.bit()) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }
  if (r.overrun) return null;
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
  const width = widthMbs * 16 - cropUnitX * (cropLeft + cropRight);
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
  if (width <= 0 || height <= 0) return null;
  let frameRate: number | null = null;
  if (r.bit()) frameRate = vuiFrameRate(r);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return {
    profileIdc,
    constraintFlags,
    levelIdc,
    profileLevelId: hex(profileIdc) + hex(constraintFlags) + hex(levelIdc),
    chromaFormatIdc,
    width,
    height,
    frameRate,
  };
}

/** The VUI up to its timing info; null when it has none or is truncated. */
function vuiFrameRate(r: Bits): number | null {
  if (r.bit()) {
    // aspect_ratio_info_present_flag
    if (r.bits(8) === 255) r.bits(32); // Extended_SAR: sar_width, sar_height
  }
  if (r.bit()) r.bit(); // overscan_info_present_flag → overscan_appropriate_flag
  if (r.bit()) {
    // video_signal_type_present_flag
    r.bits(4); // video_format, video_full_range_flag
    if (r.bit()) r.bits(24); // colour_description_present_flag
  }
  if (r.bit()) {
    // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  if (!r.bit()) return null; // timing_info_present_flag
  const unitsInTick = r.bits(32);
  const timeScale = r.bits(32);
  if (r.overrun || unitsInTick === 0 || timeScale === 0) return null;
  return timeScale / (2 * unitsInTick);
}
